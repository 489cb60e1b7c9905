"""Crude rates with exact (chi-square) or Byar's confidence limits."""

from __future__ import annotations

from collections.abc import Sequence

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
from ._limits import poisson_limits

__all__ = ["rate"]


def rate(
    df: pd.DataFrame,
    x: str,
    n: str,
    *,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    multiplier: float = 100_000,
) -> pd.DataFrame:
    """Crude rate ``x / n * multiplier`` with Poisson confidence limits.

    Parameters
    ----------
    df : pandas.DataFrame
        Input data, one row per record.
    x : str
        Column of event counts (>= 0).
    n : str
        Column of denominators, usually population or person-years (> 0).
    by : str or list of str, optional
        Grouping columns. When given, ``x`` and ``n`` are summed within each
        group and one row per group is returned (groups sorted by key). When
        None, the rate is computed row by row and the input columns are kept.
    confidence : float, default 0.95
        Confidence level in [0.9, 1] or [90, 100] (values >= 90 are divided by 100).
    multiplier : float, default 100_000
        Rate per this many of the denominator.

    Returns
    -------
    pandas.DataFrame
        With ``by``: the group columns, the summed ``x`` and ``n`` columns, then
        ``value, lowercl, uppercl, confidence, statistic, method``. Without ``by``:
        the input frame with those six columns appended. ``method`` is
        ``"Exact"`` or ``"Byars"`` per row.

    Raises
    ------
    ValueError
        For a missing column, missing values, ``x < 0``, ``n <= 0``, a bad
        confidence level or a non-positive multiplier.

    Notes
    -----
    Below 10 events the exact limits ``chi2_{a/2}(2x)/2`` and
    ``chi2_{1-a/2}(2x+2)/2`` are used (lower limit 0 when x = 0); from 10 events
    Byar's approximation ``x(1 - 1/(9x) - z/(3 sqrt x))^3`` and
    ``(x+1)(1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3``. The count limits are divided by
    ``n`` and multiplied by ``multiplier``. There is no small-number suppression.

    Deviations from the reference (PHEindicatormethods ``phe_rate``):

    * a missing ``x`` or ``n`` is an error naming the rows (the reference
      returns NA for the row);
    * with ``by`` the counts are always summed within the groups, even for a
      single group;
    * the multiplier must be positive;
    * only one confidence level per call.

    References
    ----------
    Breslow NE, Day NE. Statistical Methods in Cancer Research, Vol II: The
    Design and Analysis of Cohort Studies. IARC, 1987.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"area": ["A", "B"], "deaths": [9, 65], "pop": [1000, 100]})
    >>> out = rate(df, "deaths", "pop", multiplier=1000)
    >>> out[["area", "value", "lowercl", "uppercl", "method"]].round(2)
      area  value  lowercl  uppercl method
    0    A    9.0     4.12    17.08  Exact
    1    B  650.0   501.63   828.49  Byars
    >>> out.loc[0, "statistic"]
    'rate per 1000'
    """
    by_cols = as_list(by)
    check_columns(df, [x, n, *by_cols])
    level = parse_confidence(confidence)
    mult = check_multiplier(multiplier)
    xv = numeric_column(df, x, min_value=0, what="count")
    nv = numeric_column(df, n, min_value=0, min_inclusive=False, what="denominator")
    if by_cols:
        out = sum_by(df, by_cols, {x: df[x], n: df[n]})
        xs, ns = out[x].to_numpy(dtype="float64"), out[n].to_numpy(dtype="float64")
    else:
        out = df.copy()
        xs, ns = xv, nv
    lower, upper, method = poisson_limits(xs, level, z_value(level))
    return add_result_columns(
        out,
        value=xs / ns * mult,
        lower=lower / ns * mult,
        upper=upper / ns * mult,
        level=level,
        statistic=f"rate per {number_text(mult)}",
        method=method,
    )
