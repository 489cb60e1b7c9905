"""Slope and Relative Index of Inequality (SII, RII) with simulated confidence limits."""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd
from scipy.special import logit

from ._checks import (
    as_list,
    check_columns,
    check_multiplier,
    confidence_label,
    numeric_column,
    parse_confidence,
    rows_text,
    z_value,
)

__all__ = ["sii"]

#: z used to turn the input 95% limits into a standard error (always 95%).
_Z95 = 1.959963984540054
#: Limits on the number of distinct quantile labels.
_MIN_QUANTILES, _MAX_QUANTILES, _WARN_QUANTILES = 5, 100, 10
#: Largest number of float64 draws held at once by one worker (32 MB).
_CHUNK_ELEMENTS = 1 << 22
_RELIABILITY_BLOCKS = 10
#: Below this many draws the order statistics come from a plain partition.
_FAST_ORDER_MIN = 16_384
_CI_METHODS = ("simulation", "analytic", "none")


def sii(
    df: pd.DataFrame,
    quantile: str,
    population: str,
    *,
    by: str | Sequence[str] | None = None,
    value: str | None = None,
    x: str | None = None,
    lower_cl: str | None = None,
    upper_cl: str | None = None,
    se: str | None = None,
    value_type: int = 0,
    transform: bool = False,
    multiplier: float = 1,
    repetitions: int = 100_000,
    confidence: float = 0.95,
    rii: bool = False,
    seed: int | np.random.SeedSequence | np.random.Generator | None = None,
    reliability_stat: bool = False,
    ci_method: str = "simulation",
    intercept: bool = False,
    workers: int | None = None,
) -> pd.DataFrame:
    """Slope Index of Inequality (and optionally RII) across deprivation quantiles.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per group and quantile.
    quantile : str
        Column of quantile labels, **1 = most deprived**. Numbers, numeric text
        (``"1"`` ... ``"10"``) or an ordered categorical; labels are sorted
        numerically (by category order for a categorical). Every group must
        use the same labels; between 5 and 100 distinct labels are allowed.
    population : str
        Column of quantile populations (> 0), giving the population shares.
    by : str or list of str, optional
        Grouping columns; one SII per group. None treats the frame as one group.
    value : str, optional
        Column of the indicator value per quantile. For ``value_type = 2`` it is
        a proportion on the 0-1 scale.
    x : str, optional
        Column of counts; used only when ``value_type = 2`` and ``value`` is not
        given, in which case value = x / population.
    lower_cl, upper_cl : str, optional
        Columns of the **95%** confidence limits of ``value`` (always read as 95%
        limits, whatever ``confidence`` is). Needed unless ``se`` is given.
    se : str, optional
        Column of standard errors on the value-type scale (identity, log or
        logit). Used instead of the limits when given.
    value_type : {0, 1, 2}, default 0
        0 = other (identity scale), 1 = rate (log scale), 2 = proportion (logit
        scale). Sets the scale on which the values are simulated.
    transform : bool, default False
        Fit the regression on the log (``value_type = 1``) or logit
        (``value_type = 2``) scale and back-transform. Needs both limits and no ``se``.
    multiplier : float, default 1
        Scales the SII; a negative multiplier flips its sign (and inverts the
        RII), e.g. -100 for "percentage points, positive = worse in deprived".
    repetitions : int, default 100_000
        Number of simulated repetitions (>= 1000).
    confidence : float, default 0.95
        Confidence level of the output interval, in [0.9, 1] or [90, 100].
    rii : bool, default False
        Also return the RII and its limits.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator, optional
        Seed of the simulation; the same seed gives identical output. None draws
        fresh entropy.
    reliability_stat : bool, default False
        Also return the mean absolute difference (MAD) of the limits across 10
        independent blocks of ``repetitions`` draws (costs 10 times the time).
    ci_method : {"simulation", "analytic", "none"}, default "simulation"
        How the limits are computed. "analytic" is available for
        ``value_type = 0`` and for ``transform = True``, where the simulated
        statistic is a linear function of normal draws, so the simulation
        converges to a closed form. "none" returns missing limits.
    intercept : bool, default False
        Also return the fitted intercept (the fitted value at rank 0).
    workers : int, optional
        Number of threads for the simulation (default: the CPUs available to
        this process). Results do not depend on it.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``sii, sii_lowercl, sii_uppercl``,
        then ``rii, rii_lowercl, rii_uppercl`` (if ``rii``), ``intercept`` (if
        ``intercept``), ``sii_mad`` and ``rii_mad`` (if ``reliability_stat``),
        ``confidence`` and ``method``.

    Raises
    ------
    ValueError
        For missing columns or arguments; missing values in any used column;
        population <= 0; se < 0; an upper limit below the lower limit; a
        proportion outside [0, 1]; a value or limit of 0 under log, or of 0 or 1
        under logit; fewer than 5 or more than 100 quantile labels; labels that
        are not numeric; duplicate quantiles in a group; bad ``value_type``,
        ``transform``, ``repetitions``, ``confidence`` or ``ci_method``.

    Warns
    -----
    UserWarning
        With more than 10 quantiles, and when groups lacking a row for some
        quantile label are dropped.

    Notes
    -----
    **Point estimate** (Low & Low 2004). Within a group, quantiles are sorted
    with 1 = most deprived; ``a_i`` is quantile i's population share and
    ``b_i = sum_{j<i} a_j + a_i / 2`` its relative rank (the midpoint of its
    cumulative share). The indicator Y is regressed on b by least squares
    weighted by a (the same as OLS of ``sqrt(a) Y`` on ``[sqrt(a), b sqrt(a)]``):
    ``beta_1 = sum a (b - bbar)(Y - Ybar) / sum a (b - bbar)^2`` with ``bbar = sum a b``
    and ``Ybar = sum a Y``; ``beta_0 = Ybar - beta_1 bbar``. Without ``transform``
    SII = ``multiplier * beta_1`` and RII = ``(beta_0 + beta_1) / beta_0``; with
    ``transform`` the fit uses ``g(Y)`` (log or logit), SII =
    ``(g^-1(beta_0 + beta_1) - g^-1(beta_0)) * multiplier`` and RII =
    ``g^-1(beta_0 + beta_1) / g^-1(beta_0)``. The RII is inverted when the
    multiplier is negative. The intercept is ``beta_0`` (``g^-1(beta_0) *
    |multiplier|`` with ``transform``).

    **Confidence limits by simulation.** The standard error on the scale g is
    ``(g(UCL) - g(LCL)) / (2 * 1.959964)`` (or ``se``). Each repetition draws
    ``Y*_i ~ Normal(g(value_i), SE_i)``, back-transforms the draws unless
    ``transform``, refits the line and takes the limits as the order
    statistics at 1-based positions ``round(R (1 - c) / 2)`` and
    ``round(R (1 + c) / 2)`` (round half to even, as R does). With ``transform``
    the order statistics ``s`` of the transformed-scale slope are rebuilt as
    lines through the fitted midpoint ``m = beta_0 + beta_1 / 2``: SII limit =
    ``(g^-1(m + s/2) - g^-1(m - s/2)) * multiplier``, RII limit =
    ``g^-1(m + s/2) / g^-1(m - s/2)``.

    The fitted coefficients are fixed linear combinations of the draws:
    ``beta_1* = sum w1_i Y*_i`` and ``beta_0* = sum w0_i Y*_i`` with
    ``w1 = a (b - bbar) / sum a (b - bbar)^2`` and ``w0 = a - bbar w1``. So when
    the draws enter linearly (``value_type = 0``, or ``transform = True``) the
    simulated slope is exactly ``Normal(beta_1, sum w1^2 SE^2)`` and
    ``(beta_0*, beta_1*)`` is exactly bivariate normal with covariances
    ``sum w0 w1 SE^2`` etc. This implementation then draws the one or two
    coefficients directly (one or two normals per repetition) instead of one
    normal per quantile: the simulated statistics have exactly the same
    distribution, at a tenth of the cost. For ``value_type`` 1 or 2 without
    ``transform`` the back-transform is non-linear and every quantile is drawn.
    Each group has its own random stream spawned from ``seed``, so results do
    not depend on the number of threads; they do depend on the group's
    position in the sorted output.

    **Analytic limits** (``ci_method="analytic"``): the limits the simulation
    converges to. SII: ``beta_1 -/+ z sqrt(sum w1^2 SE^2)`` (times the
    multiplier, or rebuilt through the midpoint with ``transform``). RII for
    ``value_type = 0``: the quantiles of ``1 + beta_1*/beta_0*`` solve Fieller's
    quadratic ``(beta_1 - rho beta_0)^2 = z^2 (V11 - 2 rho V01 + rho^2 V00)``.

    **Reliability statistic.** With ``reliability_stat`` 10 blocks of R draws
    are made; the reported limits come from block 1 (the same draws as
    without ``reliability_stat``), and ``sii_mad``/``rii_mad`` is the mean
    absolute difference between the limits of blocks 2-10 and those of block 1
    (18 numbers). Show 1 decimal place when MAD < 0.01, 2 when MAD < 0.001.

    Deviations from the reference (PHEindicatormethods ``phe_sii``):

    * quantile labels are sorted numerically (the reference sorts text labels
      as text, "1", "10", "2", ..., giving a silently wrong SII);
    * missing values, and zeros (or ones) under log/logit, are clear errors
      naming the rows (the reference fails with "incorrect number of
      dimensions");
    * with ``transform`` the limits are swapped (and the RII inverted) only when
      the multiplier is negative (the reference tests ``multiplier < 1`` for
      rates, giving swapped limits for a multiplier in (0, 1));
    * consistent column names (``sii_lowercl``/``sii_uppercl`` with or without
      ``transform``) and one confidence level per call;
    * duplicate quantiles within a group are an error;
    * the random numbers differ from R's (numpy PCG64), and for
      ``value_type = 0`` and ``transform = True`` the coefficients are drawn
      directly (see above), so simulated limits agree with the reference to
      within Monte Carlo error (about 0.2% of the interval width at 100,000
      repetitions), not digit for digit;
    * the analytic interval and ``ci_method="none"`` are additions.

    References
    ----------
    Low A, Low A. Measuring the gap: quantifying and comparing local health
    inequalities. J Public Health 2004;26(4):388-395. doi:10.1093/pubmed/fdh175

    Office for Health Improvement and Disparities. PHEindicatormethods
    (R package) v2.1.0, ``phe_sii``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "decile": range(1, 11),
    ...     "pop": [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534],
    ...     "le": [75.93, 78.34, 83.84, 83.64, 80.47, 81.12, 81.69, 84.19, 80.60, 86.29],
    ...     "se": [1.64, 1.58, 1.51, 1.78, 1.70, 1.56, 1.37, 1.40, 2.43, 1.57],
    ... })
    >>> out = sii(df, "decile", "pop", value="le", se="se", rii=True, ci_method="analytic")
    >>> out[["sii", "sii_lowercl", "sii_uppercl", "rii"]].round(3)
         sii  sii_lowercl  sii_uppercl    rii
    0  6.939        3.092       10.786  1.089
    >>> sim = sii(df, "decile", "pop", value="le", se="se", seed=1)
    >>> round(float(sim.loc[0, "sii_lowercl"]), 1), sim.loc[0, "method"]
    (3.1, 'simulation, 100000 repetitions')
    """
    opts = _check_options(
        value=value,
        x=x,
        lower_cl=lower_cl,
        upper_cl=upper_cl,
        se=se,
        value_type=value_type,
        transform=transform,
        multiplier=multiplier,
        repetitions=repetitions,
        confidence=confidence,
        ci_method=ci_method,
        reliability_stat=reliability_stat,
    )
    by_cols = as_list(by)
    check_columns(df, [quantile, population, value, x, lower_cl, upper_cl, se, *by_cols])
    inputs = _read_inputs(df, quantile, population, value, x, lower_cl, upper_cl, se, opts)
    keys, arrays = _arrange(df, by_cols, inputs)

    fit = _fit(arrays, opts)
    if ci_method == "simulation":
        limits, mad = _simulate(fit, opts, rii, reliability_stat, seed, workers)
        method = f"simulation, {repetitions} repetitions"
    elif ci_method == "analytic":
        limits, mad = _analytic(fit, opts), None
        method = "analytic"
    else:
        limits, mad = np.full((len(fit.beta1), 4), np.nan), None
        method = "none"

    out = keys.copy()
    out["sii"] = fit.sii
    out["sii_lowercl"] = limits[:, 0]
    out["sii_uppercl"] = limits[:, 1]
    if rii:
        out["rii"] = fit.rii
        out["rii_lowercl"] = limits[:, 2]
        out["rii_uppercl"] = limits[:, 3]
    if intercept:
        out["intercept"] = fit.intercept
    if mad is not None:
        out["sii_mad"] = mad[:, 0]
        if rii:
            out["rii_mad"] = mad[:, 1]
    out["confidence"] = confidence_label(opts.level)
    out["method"] = method
    return out


# --------------------------------------------------------------------------- options


@dataclass(frozen=True)
class _Options:
    """Validated scalar arguments."""

    value_type: int
    transform: bool
    multiplier: float
    repetitions: int
    level: float
    use_se: bool


def _check_options(
    *,
    value: str | None,
    x: str | None,
    lower_cl: str | None,
    upper_cl: str | None,
    se: str | None,
    value_type: int,
    transform: bool,
    multiplier: float,
    repetitions: int,
    confidence: float,
    ci_method: str,
    reliability_stat: bool,
) -> _Options:
    """Check the scalar arguments and their combinations."""
    if isinstance(value_type, bool) or value_type not in (0, 1, 2):
        raise ValueError(
            f"value_type must be 0 (other), 1 (rate) or 2 (proportion), got {value_type!r}"
        )
    if value is None and x is None:
        raise ValueError("either value or x must be given")
    if value is None and value_type != 2:
        raise ValueError("x (counts) can only be used with value_type = 2; give value instead")
    if (lower_cl is None) != (upper_cl is None):
        raise ValueError("lower_cl and upper_cl must be given together")
    if se is None and lower_cl is None:
        raise ValueError("either se or both lower_cl and upper_cl must be given")
    if not isinstance(transform, bool | np.bool_):
        raise ValueError(f"transform must be True or False, got {transform!r}")
    if transform:
        if value_type == 0:
            raise ValueError(
                "transform = True needs value_type 1 (rate, log) or 2 (proportion, logit)"
            )
        if se is not None or lower_cl is None:
            raise ValueError("transform = True needs lower_cl and upper_cl and no se")
    mult = check_multiplier(multiplier, positive=False)
    if isinstance(repetitions, bool) or not isinstance(repetitions, Integral) or repetitions < 1000:
        raise ValueError(f"repetitions must be an integer >= 1000, got {repetitions!r}")
    level = parse_confidence(confidence)
    if ci_method not in _CI_METHODS:
        raise ValueError(f"ci_method must be one of {_CI_METHODS}, got {ci_method!r}")
    if ci_method == "analytic" and value_type != 0 and not transform:
        raise ValueError(
            "ci_method = 'analytic' needs value_type 0 or transform = True; "
            "use 'simulation' for rates and proportions on their original scale"
        )
    if reliability_stat and ci_method != "simulation":
        raise ValueError("reliability_stat needs ci_method = 'simulation'")
    return _Options(
        value_type=int(value_type),
        transform=bool(transform),
        multiplier=mult,
        repetitions=int(repetitions),
        level=level,
        use_se=se is not None,
    )


# --------------------------------------------------------------------------- inputs


def _g(values: np.ndarray, value_type: int) -> np.ndarray:
    """Apply the value-type scale: identity, log or logit."""
    if value_type == 1:
        return np.log(values)
    if value_type == 2:
        return logit(values)
    return values


def _g_inv(values: np.ndarray, value_type: int, out: np.ndarray | None = None) -> np.ndarray:
    """Inverse of :func:`_g`: identity, exp or expit (in place when ``out`` is given).

    The expit is computed with numpy ufuncs as ``1 / (1 + exp(-x))`` so that it
    runs concurrently in several threads.
    """
    if value_type == 1:
        return np.exp(values, out=out)
    if value_type == 2:
        res = np.negative(values, out=out)
        np.exp(res, out=res)
        res += 1
        return np.reciprocal(res, out=res)
    return values


def _check_scale(df: pd.DataFrame, column: str, values: np.ndarray, value_type: int) -> None:
    """Reject values whose log (rate) or logit (proportion) is not finite."""
    if value_type == 1:
        bad = values <= 0
        need = "> 0 (its log is used for value_type 1)"
    elif value_type == 2:
        bad = (values <= 0) | (values >= 1)
        need = "strictly between 0 and 1 (its logit is used for value_type 2)"
    else:
        return
    if bad.any():
        raise ValueError(f"column '{column}' must be {need}; offending {rows_text(df.index[bad])}")


def _read_inputs(
    df: pd.DataFrame,
    quantile: str,
    population: str,
    value: str | None,
    x: str | None,
    lower_cl: str | None,
    upper_cl: str | None,
    se: str | None,
    opts: _Options,
) -> dict[str, np.ndarray]:
    """Read, validate and convert the input columns (per row)."""
    vt = opts.value_type
    pop = numeric_column(df, population, min_value=0, min_inclusive=False, what="population")
    if value is not None:
        val = numeric_column(df, value, what="value")
        if vt == 2:
            numeric_column(df, value, min_value=0, max_value=1, what="proportion on the 0-1 scale")
        value_col = value
    else:
        assert x is not None
        counts = numeric_column(df, x, min_value=0, min_inclusive=False, what="count")
        over = counts >= pop
        if over.any():
            raise ValueError(
                f"count '{x}' must be below population '{population}' (its logit is used); "
                f"offending {rows_text(df.index[over])}"
            )
        val = counts / pop
        value_col = x
    _check_scale(df, value_col, val, vt)
    if opts.use_se:
        assert se is not None
        sd = numeric_column(df, se, min_value=0, what="standard error")
    else:
        assert lower_cl is not None and upper_cl is not None
        cls = []
        for col in (lower_cl, upper_cl):
            lim = numeric_column(df, col, what="95% confidence limit")
            if vt == 2:
                numeric_column(df, col, min_value=0, max_value=1, what="limit on the 0-1 scale")
            _check_scale(df, col, lim, vt)
            cls.append(lim)
        sd = (_g(cls[1], vt) - _g(cls[0], vt)) / (2 * _Z95)
        if (sd < 0).any():
            raise ValueError(f"'{upper_cl}' is below '{lower_cl}' in {rows_text(df.index[sd < 0])}")
    return {"label": _quantile_keys(df, quantile), "pop": pop, "value": val, "sd": sd}


def _quantile_keys(df: pd.DataFrame, quantile: str) -> np.ndarray:
    """Numeric sort keys of the quantile labels (1 = most deprived)."""
    labels = df[quantile]
    if isinstance(labels.dtype, pd.CategoricalDtype):
        if not labels.cat.ordered:
            labels = labels.astype(object)
        else:
            codes = labels.cat.codes.to_numpy().astype("float64")
            codes[codes < 0] = np.nan
            keys = codes
            labels = None
    if labels is not None:
        if pd.api.types.is_bool_dtype(labels):
            raise ValueError(
                f"column '{quantile}' (quantile) must hold numeric labels, not booleans"
            )
        keys = pd.to_numeric(labels, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = np.isnan(keys)
    if bad.any():
        raise ValueError(
            f"column '{quantile}' (quantile) must hold numbers or numeric text with no "
            f"missing values; offending {rows_text(df.index[bad])}"
        )
    n_labels = len(np.unique(keys))
    if not _MIN_QUANTILES <= n_labels <= _MAX_QUANTILES:
        raise ValueError(
            f"column '{quantile}' (quantile) has {n_labels} distinct labels; the SII needs "
            f"between {_MIN_QUANTILES} and {_MAX_QUANTILES}"
        )
    if n_labels > _WARN_QUANTILES:
        warnings.warn(
            f"{n_labels} quantiles: small populations per quantile can make the SII unstable",
            UserWarning,
            stacklevel=4,
        )
    return keys


def _arrange(
    df: pd.DataFrame, by_cols: list[str], inputs: dict[str, np.ndarray]
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Sort rows into (groups, quantiles) arrays, dropping incomplete groups."""
    work = df[by_cols].reset_index(drop=True) if by_cols else pd.DataFrame(index=range(len(df)))
    for name, arr in inputs.items():
        work[f"__{name}"] = arr
    labels = np.unique(inputs["label"])
    k = len(labels)
    dup = work.duplicated([*by_cols, "__label"], keep=False).to_numpy()
    if dup.any():
        raise ValueError(
            f"some quantiles appear more than once in a group: {rows_text(df.index[dup])}"
        )
    work = work.sort_values([*by_cols, "__label"], kind="stable")
    if by_cols:
        grouped = work.groupby(by_cols, sort=False, dropna=False, observed=True)
        sizes = grouped["__label"].transform("size")
        complete = sizes.to_numpy() == k
        if not complete.all():
            dropped = work.loc[~complete, by_cols].drop_duplicates()
            shown = [
                tuple(r) if len(r) > 1 else r[0] for r in dropped.head(10).itertuples(index=False)
            ]
            warnings.warn(
                f"{len(dropped)} group(s) removed because they lack a row for some of the "
                f"{k} quantile labels: {shown}",
                UserWarning,
                stacklevel=3,
            )
            work = work[complete]
        keys = work[by_cols].iloc[::k].reset_index(drop=True)
    else:
        keys = pd.DataFrame(index=range(1 if len(work) else 0))
    arrays = {
        name: work[f"__{name}"].to_numpy(dtype="float64").reshape(-1, k)
        for name in ("pop", "value", "sd")
    }
    return keys, arrays


# --------------------------------------------------------------------------- fit


@dataclass
class _Fit:
    """Per-group regression results; arrays have one entry (or row) per group."""

    w0: np.ndarray  # (G, k) weights giving beta_0 from the quantile values
    w1: np.ndarray  # (G, k) weights giving beta_1
    mu: np.ndarray  # (G, k) values on the simulation scale g
    sd: np.ndarray  # (G, k) standard errors on that scale
    beta0: np.ndarray
    beta1: np.ndarray
    sii: np.ndarray
    rii: np.ndarray
    intercept: np.ndarray


def _fit(arrays: dict[str, np.ndarray], opts: _Options) -> _Fit:
    """Weighted least squares of the values on relative rank, per group."""
    vt, mult = opts.value_type, opts.multiplier
    a = arrays["pop"] / arrays["pop"].sum(axis=1, keepdims=True)
    b = np.cumsum(a, axis=1) - a / 2
    bbar = (a * b).sum(axis=1, keepdims=True)
    centred = b - bbar
    w1 = a * centred / (a * centred**2).sum(axis=1, keepdims=True)
    w0 = a - bbar * w1
    mu = _g(arrays["value"], vt)
    y = mu if opts.transform else arrays["value"]
    beta0 = (w0 * y).sum(axis=1)
    beta1 = (w1 * y).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if opts.transform:
            top, bottom = _g_inv(beta0 + beta1, vt), _g_inv(beta0, vt)
            sii_ = (top - bottom) * mult
            rii_ = top / bottom
            intercept = bottom * abs(mult)
        else:
            sii_ = beta1 * mult
            rii_ = (beta0 + beta1) / beta0
            intercept = beta0
        if mult < 0:
            rii_ = 1 / rii_
    return _Fit(w0, w1, mu, arrays["sd"], beta0, beta1, sii_, rii_, intercept)


def _order_positions(repetitions: int, level: float) -> tuple[int, int]:
    """0-based positions of the lower and upper order statistics.

    The 1-based positions are ``round(R (1 - c) / 2)`` and ``round(R (1 + c) / 2)``,
    rounding half to even as R does; they are kept within 1..R.
    """
    lo = round(repetitions * (1 - level) / 2)
    hi = round(repetitions * (1 + level) / 2)
    return min(max(lo, 1), repetitions) - 1, min(max(hi, 1), repetitions) - 1


def _rebuild(fit: _Fit, s_lo: np.ndarray, s_hi: np.ndarray, opts: _Options) -> np.ndarray:
    """Turn transformed-scale slope limits into SII and RII limits (transform = True).

    Each limit is the line of slope ``s`` through the fitted midpoint; the limits
    are swapped, and the RII inverted, only for a negative multiplier.
    """
    vt, mult = opts.value_type, opts.multiplier
    mid = fit.beta0 + fit.beta1 / 2
    out = []
    for s in (s_lo, s_hi):
        top, bottom = _g_inv(mid + s / 2, vt), _g_inv(mid - s / 2, vt)
        ratio = top / bottom
        out.append(((top - bottom) * mult, 1 / ratio if mult < 0 else ratio))
    (sii_lo, rii_lo), (sii_hi, rii_hi) = out
    if mult < 0:
        sii_lo, sii_hi, rii_lo, rii_hi = sii_hi, sii_lo, rii_hi, rii_lo
    return np.column_stack([sii_lo, sii_hi, rii_lo, rii_hi])


# --------------------------------------------------------------------------- analytic


def _analytic(fit: _Fit, opts: _Options) -> np.ndarray:
    """Closed-form limits for value_type 0 (SII normal, RII by Fieller) and transform."""
    z = z_value(opts.level)
    var0 = (fit.w0**2 * fit.sd**2).sum(axis=1)
    var1 = (fit.w1**2 * fit.sd**2).sum(axis=1)
    cov = (fit.w0 * fit.w1 * fit.sd**2).sum(axis=1)
    half = z * np.sqrt(var1)
    if opts.transform:
        return _rebuild(fit, fit.beta1 - half, fit.beta1 + half, opts)
    mult = opts.multiplier
    sii_a, sii_b = (fit.beta1 - half) * mult, (fit.beta1 + half) * mult
    # Quantiles of rho = beta1*/beta0*, Fieller:
    # roots of (b1 - rho b0)^2 = z^2 (V11 - 2 rho V01 + rho^2 V00).
    qa = fit.beta0**2 - z**2 * var0
    qb = -2 * (fit.beta0 * fit.beta1 - z**2 * cov)
    qc = fit.beta1**2 - z**2 * var1
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.sqrt(qb**2 - 4 * qa * qc)
        rho_a, rho_b = (-qb - root) / (2 * qa), (-qb + root) / (2 * qa)
        rii_a, rii_b = 1 + rho_a, 1 + rho_b
        unbounded = qa <= 0
        rii_a[unbounded] = np.nan
        rii_b[unbounded] = np.nan
        if mult < 0:
            rii_a, rii_b = 1 / rii_a, 1 / rii_b
    return np.column_stack(
        [np.fmin(sii_a, sii_b), np.fmax(sii_a, sii_b), np.fmin(rii_a, rii_b), np.fmax(rii_a, rii_b)]
    )


# --------------------------------------------------------------------------- simulation


def _simulate(
    fit: _Fit,
    opts: _Options,
    want_rii: bool,
    reliability: bool,
    seed: int | np.random.SeedSequence | np.random.Generator | None,
    workers: int | None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Simulate the limits of every group (and the MAD reliability statistic).

    Returns an array (G, 4) of ``sii_lo, sii_hi, rii_lo, rii_hi`` (RII NaN when not
    wanted) and, with ``reliability``, an array (G, 2) of the SII and RII MAD.
    """
    n_groups = len(fit.beta1)
    blocks = _RELIABILITY_BLOCKS if reliability else 1
    if isinstance(seed, np.random.Generator):
        children = seed.bit_generator.seed_seq.spawn(n_groups)
    else:
        seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        children = seq.spawn(n_groups)
    positions = _order_positions(opts.repetitions, opts.level)
    linear = opts.value_type == 0 or opts.transform
    var0 = (fit.w0**2 * fit.sd**2).sum(axis=1)
    var1 = (fit.w1**2 * fit.sd**2).sum(axis=1)
    cov = (fit.w0 * fit.w1 * fit.sd**2).sum(axis=1)

    local = threading.local()  # one scratch workspace per thread, freed after this call

    def run(i: int) -> np.ndarray:
        ws = getattr(local, "ws", None)
        if ws is None:
            ws = local.ws = _Workspace()
        rng = np.random.Generator(np.random.PCG64(children[i]))
        if linear:
            return _group_linear(
                rng, ws, fit.beta0[i], fit.beta1[i], var0[i], var1[i], cov[i],
                opts, want_rii and not opts.transform, blocks, positions,
            )  # fmt: skip
        return _group_full(
            rng, ws, fit.mu[i], fit.sd[i], fit.w0[i], fit.w1[i], opts, want_rii, blocks, positions
        )

    n_workers = _n_workers(workers, n_groups)
    if n_workers > 1:
        with ThreadPoolExecutor(max_workers=n_workers) as pool:
            results = list(pool.map(run, range(n_groups)))
    else:
        results = [run(i) for i in range(n_groups)]
    raw = np.stack(results) if results else np.empty((0, blocks, 4))  # (G, blocks, 4)

    if opts.transform:  # raw holds transformed-scale slope limits in columns 0, 1
        limits = np.stack(
            [_rebuild(fit, raw[:, j, 0], raw[:, j, 1], opts) for j in range(blocks)], axis=1
        )
    else:
        limits = raw
    if not want_rii:
        limits[..., 2:] = np.nan
    mad = None
    if reliability:
        diff = np.abs(limits[:, 1:, :] - limits[:, :1, :])  # blocks 2-10 against block 1
        mad = np.column_stack([diff[..., :2].mean(axis=(1, 2)), diff[..., 2:].mean(axis=(1, 2))])
    return limits[:, 0, :], mad


def _n_workers(workers: int | None, n_groups: int) -> int:
    """Choose the thread count: the CPUs available (or ``workers``), at most one per group."""
    if workers is None:
        try:
            workers = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not on Linux
            workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, Integral) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    return max(1, min(int(workers), n_groups))


def _order_stats(draws: np.ndarray, positions: tuple[int, int]) -> tuple[float, float]:
    """Return the two order statistics of ``draws`` at 0-based ``positions`` (exact).

    Equal to ``np.sort(draws)[positions]`` (NaN sorting last), but faster than
    partitioning the whole array: thresholds safely beyond each target are read
    from a 1-in-16 subsample, only the tail values beyond them are kept, and
    those few are partitioned. If a tail turns out too short to contain its
    target, the whole array is partitioned instead. ``draws`` may be reordered.
    """
    n = draws.size
    lo, hi = positions
    if n >= _FAST_ORDER_MIN:
        sample = draws[::16].copy()
        ns = sample.size
        p_lo, p_hi = (lo + 1) / n, (hi + 1) / n
        k_lo = min(ns - 1, int(ns * p_lo + 6 * np.sqrt(ns * p_lo * (1 - p_lo)) + 2))
        k_hi = max(0, int(ns * p_hi - 6 * np.sqrt(ns * p_hi * (1 - p_hi)) - 2))
        if k_lo < k_hi:
            sample.partition((k_lo, k_hi))
            low = draws[draws <= sample[k_lo]]  # the smallest values (NaN excluded)
            high = draws[~(draws < sample[k_hi])]  # the largest values (NaN included)
            above = n - hi  # values from the upper target to the end of the sorted draws
            if low.size > lo and high.size >= above:
                low.partition(lo)
                high.partition(high.size - above)
                return float(low[lo]), float(high[high.size - above])
    draws.partition(positions)
    return float(draws[lo]), float(draws[hi])


class _Workspace:
    """Scratch arrays reused across the groups one thread simulates.

    Fresh large arrays are page-faulted in by the kernel on first touch, which
    is slow and serialises threads; reusing buffers avoids it.
    """

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def get(self, name: str, size: int) -> np.ndarray:
        """Return a float64 scratch array of ``size`` elements (contents undefined)."""
        arr = self._arrays.get(name)
        if arr is None or arr.size != size:
            arr = np.empty(size)
            self._arrays[name] = arr
        return arr


def _group_linear(
    rng: np.random.Generator,
    ws: _Workspace,
    beta0: float,
    beta1: float,
    var0: float,
    var1: float,
    cov: float,
    opts: _Options,
    want_rii: bool,
    blocks: int,
    positions: tuple[int, int],
) -> np.ndarray:
    """Simulate one group whose coefficients are linear in the draws.

    ``beta_1* = beta_1 + sqrt(V11) Z_1`` and, for the RII,
    ``beta_0* = beta_0 + c Z_1 + d Z_2`` with ``c = V01 / sqrt(V11)`` and
    ``d = sqrt(V00 - c^2)`` (the Cholesky factor of the 2x2 covariance), so
    ``(beta_0*, beta_1*)`` has exactly the covariance of the refitted coefficients.
    With ``transform`` the order statistics of ``beta_1*`` itself are returned
    (rebuilt later); otherwise those of the SII and RII draws.
    """
    reps = opts.repetitions
    sd1 = float(np.sqrt(var1))
    c = cov / sd1 if sd1 > 0 else 0.0
    d = float(np.sqrt(max(var0 - c * c, 0.0)))
    out = np.full((blocks, 4), np.nan)
    z = ws.get("z", (2 if want_rii else 1) * reps).reshape(-1, reps)
    slope = z[0]
    for j in range(blocks):
        rng.standard_normal(out=z)
        if want_rii:
            inter, ratio = z[1], ws.get("ratio", reps)
            np.multiply(slope, c, out=ratio)
            inter *= d
            inter += ratio
            inter += beta0
        slope *= sd1
        slope += beta1
        if want_rii:
            _ratio(inter, slope, opts.multiplier, out=ratio)
            out[j, 2:] = _order_stats(ratio, positions)
        if not opts.transform:
            slope *= opts.multiplier
        out[j, :2] = _order_stats(slope, positions)
    return out


def _ratio(inter: np.ndarray, slope: np.ndarray, multiplier: float, out: np.ndarray) -> None:
    """Write the simulated RII ``(b0 + b1) / b0`` (inverted if multiplier < 0) to ``out``."""
    np.add(inter, slope, out=out)
    if multiplier < 0:
        np.divide(inter, out, out=out)
    else:
        np.divide(out, inter, out=out)


def _group_full(
    rng: np.random.Generator,
    ws: _Workspace,
    mu: np.ndarray,
    sd: np.ndarray,
    w0: np.ndarray,
    w1: np.ndarray,
    opts: _Options,
    want_rii: bool,
    blocks: int,
    positions: tuple[int, int],
) -> np.ndarray:
    """Simulate one group by drawing every quantile (non-linear back-transform).

    Draws ``g(value) + SE * Z`` for every quantile and repetition, back-transforms
    them, and applies the fixed weights (a linear combination per repetition).
    Draws are made in chunks of at most ``_CHUNK_ELEMENTS`` numbers to bound memory.
    """
    reps, k = opts.repetitions, len(mu)
    rows = max(1, min(reps, _CHUNK_ELEMENTS // k))
    flat = ws.get("draws", k * rows)
    slope, inter, tmp = ws.get("slope", reps), ws.get("inter", reps), ws.get("tmp", reps)
    mu_col, sd_col = mu[:, None], sd[:, None]
    out = np.full((blocks, 4), np.nan)
    for j in range(blocks):
        for start in range(0, reps, rows):
            m = min(rows, reps - start)
            draws = flat[: k * m].reshape(k, m)  # one contiguous row of draws per quantile
            rng.standard_normal(out=draws)
            draws *= sd_col
            draws += mu_col
            _g_inv(draws, opts.value_type, out=draws)
            _combine(draws, w1, slope[start : start + m], tmp[:m])
            _combine(draws, w0, inter[start : start + m], tmp[:m])
        if want_rii:
            _ratio(inter, slope, opts.multiplier, out=tmp)
            out[j, 2:] = _order_stats(tmp, positions)
        slope *= opts.multiplier
        out[j, :2] = _order_stats(slope, positions)
    return out


def _combine(draws: np.ndarray, weights: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> None:
    """``out = weights @ draws`` for draws of shape (k, m), without BLAS.

    A loop of k vector operations: unlike BLAS calls, numpy ufuncs run
    concurrently in several Python threads without oversubscribing cores.
    """
    np.multiply(draws[0], weights[0], out=out)
    for i in range(1, len(weights)):
        np.multiply(draws[i], weights[i], out=tmp)
        out += tmp


def sii_line(values: np.ndarray, populations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intercept and slope of the SII regression line, from arrays (no intervals).

    The array form of the point estimate in :func:`sii` (``value_type=0``,
    ``multiplier=1``): weighted least squares of the values on the relative rank
    of each quantile (the midpoint of its cumulative population share), weighted
    by population share. Quantiles must be in order, most deprived first.

    Parameters
    ----------
    values, populations : array_like, shape (..., k)
        One value and population per quantile, along the last axis.

    Returns
    -------
    intercept, slope : numpy.ndarray
        The fitted value at rank 0 (most deprived end) and the SII.

    Examples
    --------
    >>> b0, b1 = sii_line([70.0, 72, 74, 76, 78], [100, 100, 100, 100, 100])
    >>> round(float(b0), 6), round(float(b1), 6)
    (69.0, 10.0)
    """
    y = np.asarray(values, dtype="float64")
    pops = np.asarray(populations, dtype="float64")
    a = pops / pops.sum(axis=-1, keepdims=True)
    b = np.cumsum(a, axis=-1) - a / 2
    b_bar = (a * b).sum(axis=-1, keepdims=True)
    y_bar = (a * y).sum(axis=-1, keepdims=True)
    slope = (a * (b - b_bar) * (y - y_bar)).sum(axis=-1) / (a * (b - b_bar) ** 2).sum(axis=-1)
    intercept = y_bar[..., 0] - slope * b_bar[..., 0]
    return intercept, slope
