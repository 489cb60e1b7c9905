"""Period life expectancy: Chiang II abridged life table with Silcocks variance."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._checks import (
    as_list,
    check_columns,
    confidence_label,
    numeric_column,
    parse_confidence,
    rows_text,
    z_value,
)

__all__ = ["LE_AGE_BANDS", "life_expectancy"]

#: Start ages of the 20 abridged bands: 0, 1-4, 5-9, ..., 85-89, 90+.
LE_AGE_BANDS: tuple[int, ...] = (0, 1, *range(5, 95, 5))

_N_BANDS = len(LE_AGE_BANDS)
_WIDTH = np.diff(np.array(LE_AGE_BANDS, dtype="float64"))  # 19 closed bands
_A = np.array([0.1] + [0.5] * (_N_BANDS - 1))  # fraction of the band lived by those dying
_RADIX = 100_000.0
_MIN_TOTAL_POPULATION = 5_000
_MAX_HALF_WIDTH = 10.0  # value suppressed when 1.96 SE exceeds 10 years


def life_expectancy(
    df: pd.DataFrame,
    deaths: str,
    population: str,
    startage: str,
    *,
    by: str | Sequence[str] | None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Life expectancy at each band's start age, with confidence limits.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per group and age band.
    deaths : str
        Column of deaths in each band.
    population : str
        Column of populations (person-years) in each band.
    startage : str
        Column giving each band's start age, either numeric (0, 1, 5, ..., 90)
        or text whose leading digits are the start age (``"0"``, ``"1-4"``,
        ``"90+"``). Rows may be in any order; they are sorted by start age.
    by : str or list of str or None
        Grouping columns (required keyword); ``None`` treats the whole frame as
        one group.
    confidence : float, default 0.95
        Confidence level in [0.9, 1] or [90, 100] (values >= 90 are divided by 100).

    Returns
    -------
    pandas.DataFrame
        One row per group and start age: the group columns, ``startage`` (the
        integer start age), ``value, lowercl, uppercl, confidence, statistic,
        method``.

    Raises
    ------
    ValueError
        For a missing column, a non-numeric or missing ``deaths``/``population``
        value, a start age without leading digits, or a bad confidence level.

    Warns
    -----
    UserWarning
        When a group's results are all set to NA because the group fails a
        reliability rule (see Notes).

    Notes
    -----
    Chiang's method II abridged life table (20 bands; the band widths are
    ``n = 1, 4, 5, ..., 5``). With ``M_i = D_i / P_i``, ``a_0 = 0.1`` and
    ``a_i = 0.5`` otherwise: ``q_i = n_i M_i / (1 + n_i M_i (1 - a_i))`` (1 when
    ``D_i > P_i / (n_i a_i)``; 1 in 90+), ``l_0 = 100000``,
    ``l_{i+1} = l_i (1 - q_i)``, ``d_i = l_i - l_{i+1}``,
    ``L_i = n_i (l_{i+1} + a_i d_i)``, ``L_90+ = l_90+ / M_90+``,
    ``T_i = sum_{j >= i} L_j`` and ``e_i = T_i / l_i``. Silcocks' variance:
    ``Var(q_i) = q_i^2 (1 - q_i) / D_i`` (0 when ``d_i = 0``),
    ``Var(q_90+) = 4 / (D_90+ M_90+^2)``,
    ``W_i = Var(q_i) l_i^2 ((1 - a_i) n_i + e_{i+1})^2``,
    ``W_90+ = (l_90+ / 2)^2 Var(q_90+)``, ``SE(e_i) = sqrt(sum_{j >= i} W_j) / l_i``,
    and the limits are ``e_i -/+ z SE(e_i)``.

    Reliability rules (as the reference): the whole group is NA, with a
    warning, when any deaths are negative, any population is <= 0, the group
    does not have exactly the 20 bands, deaths exceed population in any band,
    or the total population is <= 5,000. The value (not the limits) is NA when
    ``1.96 SE > 10`` years (95% CI wider than 20 years). Zero deaths in 90+ gives
    an infinite life expectancy, reported as NA.

    Deviations from the reference (PHEindicatormethods ``phe_life_expectancy``):

    * a missing deaths or population value is an error naming the rows;
    * a group must hold exactly the start ages 0, 1, 5, ..., 90 (the reference
      checks only that there are 20 bands);
    * every non-finite value or limit is reported as NA (the reference can
      show NaN or Inf limits);
    * one confidence level per call; the ``pops_used``/``dths_used`` columns
      and the ``le_age`` filter are not provided (filter the output instead).

    References
    ----------
    Chiang CL. Introduction to Stochastic Processes in Biostatistics. Wiley,
    1968.

    Silcocks PBS, Jenner DA, Reza R. Life expectancy as a summary of mortality
    in a population: statistical considerations and suitability for use by
    health authorities. J Epidemiol Community Health 2001;55:38-43.

    Eayres D, Williams ES. Evaluation of methodologies for small area life
    expectancy estimation. J Epidemiol Community Health 2004;58:243-249.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "age": ["0", "1-4"] + [f"{a}-{a + 4}" for a in range(5, 90, 5)] + ["90+"],
    ...     "deaths": [17, 9, 4, 8, 20, 15, 24, 33, 50, 71, 100, 163, 263, 304, 536,
    ...                872, 1390, 1605, 1936, 1937],
    ...     "pop": [7060, 35059, 46974, 48489, 43219, 38561, 46009, 57208, 61435,
    ...             55601, 50209, 56416, 46411, 39820, 37978, 37039, 33288, 23306,
    ...             11936, 11936],
    ... })
    >>> out = life_expectancy(df, "deaths", "pop", "age", by=None)
    >>> out.loc[out["startage"].isin([0, 65]), ["startage", "value", "lowercl", "uppercl"]].round(2)
        startage  value  lowercl  uppercl
    0          0  80.17    79.88    80.46
    14        65  18.77    18.58    18.96
    """
    by_cols = as_list(by)
    check_columns(df, [deaths, population, startage, *by_cols])
    level = parse_confidence(confidence)
    z = z_value(level)
    dv = numeric_column(df, deaths, what="deaths")
    pv = numeric_column(df, population, what="population")
    ages = _parse_start_ages(df, startage)

    work = df[by_cols].copy() if by_cols else pd.DataFrame(index=df.index)
    work["startage"] = ages
    work["__d"] = dv
    work["__p"] = pv
    work = work.sort_values([*by_cols, "startage"], kind="stable").reset_index(drop=True)

    problems: dict[str, list[str]] = {}
    valid_rows: list[np.ndarray] = []
    if by_cols:
        groups = work.groupby(by_cols, sort=True, dropna=False, observed=True).indices
    else:
        groups = {"(all rows)": np.arange(len(work))}
    for key, rows in groups.items():
        reason = _group_problem(work, rows)
        if reason is None:
            valid_rows.append(rows)
        else:
            problems.setdefault(reason, []).append(str(key))
    for reason, keys in problems.items():
        warnings.warn(
            f"life expectancy set to NA for group(s) {keys[:10]}"
            f"{' and more' if len(keys) > 10 else ''}: {reason}",
            UserWarning,
            stacklevel=2,
        )

    value = np.full(len(work), np.nan)
    lower = np.full(len(work), np.nan)
    upper = np.full(len(work), np.nan)
    if valid_rows:
        index = np.stack(valid_rows)  # (groups, 20), rows sorted by age
        e, se = _life_table(work["__d"].to_numpy()[index], work["__p"].to_numpy()[index])
        with np.errstate(invalid="ignore"):
            lo, hi = e - z * se, e + z * se
            e = np.where(1.96 * se > _MAX_HALF_WIDTH, np.nan, e)
        value[index], lower[index], upper[index] = e, lo, hi
    for arr in (value, lower, upper):
        arr[~np.isfinite(arr)] = np.nan

    out = work.drop(columns=["__d", "__p"])
    out["value"] = value
    out["lowercl"] = lower
    out["uppercl"] = upper
    out["confidence"] = confidence_label(level)
    out["statistic"] = "life expectancy at " + out["startage"].astype(str)
    out["method"] = "Chiang, using Silcocks et al for confidence limits"
    return out


def _parse_start_ages(df: pd.DataFrame, column: str) -> np.ndarray:
    """Read start ages from numbers or from the leading digits of text labels."""
    series = df[column]
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        bad = np.isnan(values) | (values != np.round(values))
        if bad.any():
            raise ValueError(
                f"column '{column}' (start age) must hold whole numbers; "
                f"offending {rows_text(df.index[bad])}"
            )
        return values.astype("int64")
    parsed = series.astype("string").str.extract(r"^\s*(\d+)", expand=False)
    bad = parsed.isna().to_numpy()
    if bad.any():
        raise ValueError(
            f"column '{column}' (start age) needs labels starting with the age in "
            f"digits (e.g. '0', '1-4', '90+'); offending {rows_text(df.index[bad])}"
        )
    return parsed.astype("int64").to_numpy()


def _group_problem(work: pd.DataFrame, rows: np.ndarray) -> str | None:
    """Return why a group fails the reliability rules, or None if it passes."""
    ages = work["startage"].to_numpy()[rows]
    d = work["__d"].to_numpy()[rows]
    p = work["__p"].to_numpy()[rows]
    if (d < 0).any():
        return "some deaths are negative"
    if (p <= 0).any():
        return "some populations are zero or negative"
    if len(rows) != _N_BANDS or tuple(ages.tolist()) != LE_AGE_BANDS:
        return f"the group does not have exactly the {_N_BANDS} age bands 0, 1, 5, ..., 90"
    if (d > p).any():
        return "deaths exceed population in some age band"
    if p.sum() <= _MIN_TOTAL_POPULATION:
        return f"the total population is {_MIN_TOTAL_POPULATION:,} or less"
    return None


def _life_table(deaths: np.ndarray, pops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Compute life expectancy and its SE at each band, for (groups, 20) arrays."""
    g, k = deaths.shape
    width, a = _WIDTH, _A[:-1]
    d_closed, p_closed = deaths[:, :-1], pops[:, :-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        m = deaths / pops
        nm = width * m[:, :-1]
        q = np.where(d_closed <= p_closed / (width * a), nm / (1 + nm * (1 - a)), 1.0)
        surv = np.empty((g, k))
        surv[:, 0] = _RADIX
        surv[:, 1:] = _RADIX * np.cumprod(1 - q, axis=1)
        l_next = surv[:, 1:]
        d = surv[:, :-1] - l_next
        big_l = np.empty((g, k))
        big_l[:, :-1] = width * (l_next + a * d)
        big_l[:, -1] = surv[:, -1] / m[:, -1]
        t = np.cumsum(big_l[:, ::-1], axis=1)[:, ::-1]
        e = t / surv
        var_q = np.where(d == 0, 0.0, q**2 * (1 - q) / d_closed)
        w = np.empty((g, k))
        w[:, :-1] = var_q * surv[:, :-1] ** 2 * ((1 - a) * width + e[:, 1:]) ** 2
        var_last = 4 / (deaths[:, -1] * m[:, -1] ** 2)
        w[:, -1] = (surv[:, -1] / 2) ** 2 * var_last
        se = np.sqrt(np.cumsum(w[:, ::-1], axis=1)[:, ::-1]) / surv
    return e, se


def life_table(deaths: np.ndarray, population: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Life expectancy and its standard error at each start age, from arrays.

    The array form of :func:`life_expectancy` for callers that need many life
    tables quickly (for example calibration loops). No reliability rules are
    applied: use :func:`life_expectancy` for published figures.

    Parameters
    ----------
    deaths, population : array_like, shape (..., 20)
        Deaths and population (person-years) in the 20 bands of :data:`LE_AGE_BANDS`.

    Returns
    -------
    e, se : numpy.ndarray, shape (..., 20)
        Life expectancy and its Silcocks standard error at each start age.

    Examples
    --------
    >>> pops = [7060, 35059, 46974, 48489, 43219, 38561, 46009, 57208, 61435, 55601, 50209,
    ...         56416, 46411, 39820, 37978, 37039, 33288, 23306, 11936, 11936]
    >>> deaths = [17, 9, 4, 8, 20, 15, 24, 33, 50, 71, 100, 163, 263, 304, 536, 872, 1390,
    ...           1605, 1936, 1937]
    >>> e, se = life_table(deaths, pops)
    >>> round(float(e[0]), 4)
    80.1696
    """
    d = np.asarray(deaths, dtype="float64")
    p = np.asarray(population, dtype="float64")
    if d.shape != p.shape or d.shape[-1] != len(LE_AGE_BANDS):
        raise ValueError(f"deaths and population must both have shape (..., {len(LE_AGE_BANDS)})")
    lead = d.shape[:-1]
    e, se = _life_table(d.reshape(-1, d.shape[-1]), p.reshape(-1, p.shape[-1]))
    return e.reshape(*lead, -1), se.reshape(*lead, -1)
