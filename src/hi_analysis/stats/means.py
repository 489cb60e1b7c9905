"""Means with Student's t confidence limits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import t as student_t

from ._checks import as_list, check_columns, numeric_column, parse_confidence
from ._frames import add_result_columns

__all__ = ["mean"]


def mean(
    df: pd.DataFrame,
    x: str,
    *,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean of ``x`` per group with Student's t confidence limits.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per observation.
    x : str
        Column of values.
    by : str or list of str, optional
        Grouping columns; None treats the whole frame as one group.
    confidence : float, default 0.95
        Confidence level in [0.9, 1] or [90, 100] (values >= 90 are divided by 100).

    Returns
    -------
    pandas.DataFrame
        One row per group: the group columns, ``value_sum, value_count, stdev``,
        then ``value, lowercl, uppercl, confidence, statistic, method``.

    Raises
    ------
    ValueError
        For a missing column, a non-numeric or missing value, or a bad confidence level.

    Notes
    -----
    ``value = sum(x) / k``; ``stdev`` is the sample standard deviation (divisor
    ``k - 1``); the limits are ``value -/+ t_{1-a/2, k-1} stdev / sqrt(k)``. A
    group of one value has NA limits.

    Deviations from the reference (PHEindicatormethods ``phe_mean``): a missing
    value is an error naming the rows (the reference propagates NA); one
    confidence level per call.

    References
    ----------
    Student. The probable error of a mean. Biometrika 1908;6:1-25.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"g": ["a", "a", "a", "b", "b"], "x": [1.0, 2.0, 3.0, 10.0, 14.0]})
    >>> mean(df, "x", by="g")[["g", "value_count", "value", "lowercl", "uppercl"]].round(3)
       g  value_count  value  lowercl  uppercl
    0  a            3    2.0   -0.484    4.484
    1  b            2   12.0  -13.412   37.412
    """
    by_cols = as_list(by)
    check_columns(df, [x, *by_cols])
    level = parse_confidence(confidence)
    values = numeric_column(df, x, what="value")
    if by_cols:
        work = df[by_cols].copy()
        work["__x"] = values
        grouped = work.groupby(by_cols, sort=True, dropna=False, observed=True)["__x"]
        out = grouped.agg(value_sum="sum", value_count="count", stdev="std").reset_index()
    else:
        out = pd.DataFrame(
            {
                "value_sum": [values.sum()],
                "value_count": [len(values)],
                "stdev": [values.std(ddof=1) if len(values) > 1 else np.nan],
            }
        )
    k = out["value_count"].to_numpy(dtype="float64")
    sd = out["stdev"].to_numpy(dtype="float64")
    value = out["value_sum"].to_numpy(dtype="float64") / k
    with np.errstate(invalid="ignore", divide="ignore"):
        half = student_t.ppf(level + (1 - level) / 2, k - 1) * sd / np.sqrt(k)
    return add_result_columns(
        out,
        value=value,
        lower=value - half,
        upper=value + half,
        level=level,
        statistic="mean",
        method="Student's t-distribution",
    )
