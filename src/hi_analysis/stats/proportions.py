"""Proportions with Wilson score confidence limits."""

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
    rows_text,
    z_value,
)
from ._frames import add_result_columns, sum_by
from ._limits import wilson_limits

__all__ = ["proportion"]


def proportion(
    df: pd.DataFrame,
    x: str,
    n: str,
    *,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    multiplier: float = 1,
) -> pd.DataFrame:
    """Proportion ``x / n`` with Wilson score confidence limits.

    Parameters
    ----------
    df : pandas.DataFrame
        Input data, one row per record.
    x : str
        Column of numerators (counts, >= 0).
    n : str
        Column of denominators (> 0, and >= x).
    by : str or list of str, optional
        Grouping columns. When given, ``x`` and ``n`` are summed within each
        group and one row per group is returned (groups sorted by key). When
        None, the statistic is computed row by row and the input columns are
        kept.
    confidence : float, default 0.95
        Confidence level in [0.9, 1] or [90, 100] (values >= 90 are divided by 100).
    multiplier : float, default 1
        Scale of the output: 1 gives a proportion, 100 a percentage.

    Returns
    -------
    pandas.DataFrame
        With ``by``: the group columns, the summed ``x`` and ``n`` columns, then
        ``value, lowercl, uppercl, confidence, statistic, method``. Without ``by``:
        the input frame with those six columns appended.

    Raises
    ------
    ValueError
        For a missing column, missing values, ``x < 0``, ``n <= 0``, ``x > n``,
        a bad confidence level or a non-positive multiplier.

    Notes
    -----
    value = x / n; the limits are the Wilson score interval
    ``(2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))``, times the multiplier,
    with ``z = Phi^-1(c + (1 - c)/2)``. ``x = 0`` gives a lower limit of exactly 0
    and ``x = n`` an upper limit of exactly 1 (times the multiplier); confidence
    1 gives (0, 1).

    Deviations from the reference (PHEindicatormethods ``phe_proportion``):

    * a missing ``x`` or ``n`` is an error naming the rows (the reference
      returns NA for the row);
    * grouping is explicit: with ``by`` the counts are always summed within the
      groups, even when there is only one group (the reference computes row by
      row when a grouped frame has a single group);
    * the multiplier must be positive;
    * only one confidence level per call (the reference also accepts the pair
      0.95/0.998; call twice instead).

    References
    ----------
    Wilson EB. Probable inference, the law of succession, and statistical
    inference. J Am Stat Assoc 1927;22:209-212.

    Newcombe RG, Altman DG. Proportions and their differences. In: Statistics
    with Confidence, 2nd ed. BMJ Books, 2000.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"area": ["A", "A", "B"], "x": [30, 35, 1], "n": [50, 50, 100]})
    >>> out = proportion(df, "x", "n", by="area", multiplier=100)
    >>> out[["area", "x", "n", "value", "lowercl", "uppercl"]].round(2)
      area   x    n  value  lowercl  uppercl
    0    A  65  100   65.0    55.25    73.64
    1    B   1  100    1.0     0.18     5.45
    >>> out.loc[0, "statistic"], out.loc[0, "method"], out.loc[0, "confidence"]
    ('percentage', 'Wilson', '95%')
    """
    by_cols = as_list(by)
    check_columns(df, [x, n, *by_cols])
    level = parse_confidence(confidence)
    mult = check_multiplier(multiplier)
    xv = numeric_column(df, x, min_value=0, what="numerator")
    nv = numeric_column(df, n, min_value=0, min_inclusive=False, what="denominator")
    over = xv > nv
    if over.any():
        raise ValueError(
            f"numerator '{x}' exceeds denominator '{n}' in {rows_text(df.index[over])}"
        )
    if by_cols:
        out = sum_by(df, by_cols, {x: df[x], n: df[n]})
        xs, ns = out[x].to_numpy(dtype="float64"), out[n].to_numpy(dtype="float64")
    else:
        out = df.copy()
        xs, ns = xv, nv
    lower, upper = wilson_limits(xs, ns, z_value(level))
    statistic = "percentage" if mult == 100 else f"proportion of {number_text(mult)}"
    return add_result_columns(
        out,
        value=xs / ns * mult,
        lower=lower * mult,
        upper=upper * mult,
        level=level,
        statistic=statistic,
        method="Wilson",
    )
