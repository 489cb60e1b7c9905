"""Directly standardised rates with Dobson confidence limits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._checks import (
    as_list,
    check_columns,
    check_multiplier,
    number_text,
    numeric_column,
    parse_confidence,
    z_value,
)
from ._frames import add_result_columns, sum_by
from ._limits import BYARS_MIN_COUNT, byars_limits

__all__ = ["ESP2013", "dsr"]

#: European Standard Population 2013: 19 five-year bands 0-4 ... 85-89 and 90+.
ESP2013: pd.Series = pd.Series(
    [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
     7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000],
    index=pd.Index([f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"], name="ageband"),
    name="esp2013",
    dtype="int64",
)  # fmt: skip

_SUPPRESSED = "dsr NA for total count < 10"


def dsr(
    df: pd.DataFrame,
    x: str,
    n: str,
    *,
    by: str | Sequence[str] | None,
    stdpop: str | Sequence[float] | np.ndarray | pd.Series | None = None,
    confidence: float = 0.95,
    multiplier: float = 100_000,
) -> pd.DataFrame:
    """Directly standardised rate with Dobson confidence limits.

    Parameters
    ----------
    df : pandas.DataFrame
        Input data: one row per group and age band.
    x : str
        Column of event counts per band (>= 0; a missing count is treated as 0).
    n : str
        Column of populations per band (> 0, not missing).
    by : str or list of str or None
        Grouping columns (required keyword). One rate is computed per group;
        ``None`` treats the whole frame as one group.
    stdpop : str, array-like or None, default None
        The standard population. ``None`` uses :data:`ESP2013`; an array-like
        gives the weights directly. In both cases the weights are joined **by
        position**: every group must have exactly as many rows as there are
        weights (19 for ESP2013), in age order (youngest first) as they appear
        in ``df``. A string names a column of ``df`` holding each row's weight
        (>= 0), which needs no particular row order.
    confidence : float, default 0.95
        Confidence level in [0.9, 1] or [90, 100] (values >= 90 are divided by 100).
    multiplier : float, default 100_000
        Rate per this many of the population.

    Returns
    -------
    pandas.DataFrame
        One row per group: the group columns, the summed ``x`` and ``n``
        columns, ``value, lowercl, uppercl, confidence, statistic, method``.

    Raises
    ------
    ValueError
        For a missing column, missing ``n`` or ``stdpop``, negative counts,
        ``n <= 0``, negative weights, weights summing to 0, a group whose row
        count does not match the positional standard population, a bad
        confidence level or a non-positive multiplier.

    Notes
    -----
    With weights ``w_i``, counts ``x_i``, populations ``n_i`` and ``O = sum x_i``:
    ``DSR = sum(x_i w_i / n_i) / sum(w_i)``,
    ``Var = sum(x_i (w_i / n_i)^2) / (sum w_i)^2`` and the limits are
    ``DSR + sqrt(Var / O) (O_L - O)`` and ``DSR + sqrt(Var / O) (O_U - O)``, where
    ``O_L, O_U`` are Byar's limits of ``O``; all times the multiplier (Dobson et
    al. 1991). When ``O < 10`` the value and limits are NA and the statistic
    reads "dsr NA for total count < 10".

    Deviations from the reference (PHEindicatormethods ``calculate_dsr`` /
    ``phe_dsr``):

    * one function covers both the positional ESP2013 join of ``phe_dsr`` and
      the standard-population column of ``calculate_dsr``;
    * the non-independent-events adjustment is not implemented;
    * only one confidence level per call.

    References
    ----------
    Dobson AJ, Kuulasmaa K, Eberle E, Scherer J. Confidence intervals for
    weighted sums of Poisson parameters. Stat Med 1991;10:457-462.

    Eurostat. Revision of the European Standard Population. 2013.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "area": ["A"] * 19,
    ...     "deaths": [1, 0, 0, 0, 1, 1, 2, 2, 3, 5, 7, 10, 14, 20, 28, 36, 40, 45, 50],
    ...     "pop": [500] * 19,
    ... })
    >>> out = dsr(df, "deaths", "pop", by="area")
    >>> out[["area", "deaths", "value", "lowercl", "uppercl"]].round(1)
      area  deaths   value  lowercl  uppercl
    0    A     265  1819.0   1571.9   2089.7
    >>> out.loc[0, "method"]
    'Dobson'
    """
    by_cols = as_list(by)
    std_col = stdpop if isinstance(stdpop, str) else None
    check_columns(df, [x, n, std_col, *by_cols])
    level = parse_confidence(confidence)
    mult = check_multiplier(multiplier)
    xv = numeric_column(df, x, allow_na=True, min_value=0, what="count")
    xv = np.nan_to_num(xv, nan=0.0)
    nv = numeric_column(df, n, min_value=0, min_inclusive=False, what="population")
    if std_col is not None:
        wv = numeric_column(df, std_col, min_value=0, what="standard population")
    else:
        wv = _positional_weights(df, by_cols, stdpop)

    ratio = wv / nv
    counts = df[x].fillna(0) if df[x].isna().any() else df[x]
    columns = {x: counts, n: df[n], "__w": wv, "__t1": xv * ratio, "__t2": xv * ratio**2}
    if by_cols:
        sums = sum_by(df, by_cols, columns)
    else:
        sums = pd.DataFrame({k: [v.sum()] for k, v in columns.items()})
    total_w = sums["__w"].to_numpy(dtype="float64")
    if (total_w <= 0).any():
        raise ValueError("the standard population weights sum to 0 in at least one group")
    obs = sums[x].to_numpy(dtype="float64")
    rate_ = sums["__t1"].to_numpy(dtype="float64") / total_w
    var = sums["__t2"].to_numpy(dtype="float64") / total_w**2
    o_low, o_high = byars_limits(obs, z_value(level))
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.sqrt(var / obs)
    small = obs < BYARS_MIN_COUNT
    value = np.where(small, np.nan, rate_ * mult)
    lower = np.where(small, np.nan, (rate_ + scale * (o_low - obs)) * mult)
    upper = np.where(small, np.nan, (rate_ + scale * (o_high - obs)) * mult)
    statistic = np.where(small, _SUPPRESSED, f"dsr per {number_text(mult)}").astype(object)
    out = sums.drop(columns=["__w", "__t1", "__t2"])
    return add_result_columns(
        out,
        value=value,
        lower=lower,
        upper=upper,
        level=level,
        statistic=statistic,
        method="Dobson",
    )


def _positional_weights(
    df: pd.DataFrame,
    by_cols: list[str],
    stdpop: Sequence[float] | np.ndarray | pd.Series | None,
) -> np.ndarray:
    """Join standard-population weights to rows by position within each group."""
    if stdpop is None:
        weights = ESP2013.to_numpy(dtype="float64")
        name = "ESP2013 (19 age bands)"
    else:
        weights = np.asarray(stdpop, dtype="float64").ravel()
        name = f"stdpop ({len(weights)} values)"
        if not np.isfinite(weights).all() or (weights < 0).any():
            raise ValueError("stdpop must hold finite, non-negative weights")
    k = len(weights)
    if by_cols:
        grouped = df.groupby(by_cols, sort=False, dropna=False, observed=True)
        sizes = grouped.size()
        wrong = sizes[sizes != k]
        if len(wrong):
            shown = [f"{key}: {size}" for key, size in wrong.head(10).items()]
            raise ValueError(
                f"{name} is joined by position, so each group needs exactly {k} rows "
                f"in age order; groups with other row counts: {shown}"
            )
        position = grouped.cumcount().to_numpy()
    else:
        if len(df) != k:
            raise ValueError(
                f"{name} is joined by position, so the data needs exactly {k} rows "
                f"in age order; it has {len(df)}"
            )
        position = np.arange(k)
    return weights[position]
