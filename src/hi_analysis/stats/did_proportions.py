"""Difference in differences of two proportions (did a gap between two groups change).

For groups A (e.g. the most deprived fifth) and B (the least deprived) observed
before and after an event, with ``x`` of ``n`` having the outcome in each cell::

    DiD = (p_A,after - p_B,after) - (p_A,before - p_B,before)

The four cells are independent samples, so
``Var(DiD) = sum over cells of p (1 - p) / n`` and the 95% interval is
``DiD +/- 1.96 * sqrt(Var)``. This equals the interaction coefficient of a
linear probability model ``y ~ A * after`` fitted to the individual records
(with heteroscedasticity-robust HC0 errors), which the tests check.

Examples
--------
>>> cells = pd.DataFrame({"group": ["A", "B", "A", "B"],
...                       "period": ["before", "before", "after", "after"],
...                       "x": [10, 10, 60, 30], "n": [1000, 1000, 1000, 1000]})
>>> r = difference_in_differences(cells, group="group", period="period",
...                               groups=("A", "B"), periods=("before", "after"))
>>> round(r["did"], 4)
0.03
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as st


def difference_in_differences(
    cells: pd.DataFrame,
    *,
    group: str,
    period: str,
    groups: tuple[object, object],
    periods: tuple[object, object],
    x: str = "x",
    n: str = "n",
    confidence: float = 0.95,
) -> dict[str, float]:
    """Change in the gap in a proportion between two groups from one period to another.

    Parameters
    ----------
    cells : pandas.DataFrame
        One row per group and period with counts ``x`` (with the outcome) and ``n``.
    group, period : str
        Columns naming the group and the period.
    groups : (object, object)
        The group whose gap is measured (A) and the comparison group (B).
    periods : (object, object)
        The period before and the period after.
    x, n : str
        Count columns.
    confidence : float
        Confidence level.

    Returns
    -------
    dict
        ``gap_before, gap_after, did, lower, upper`` (proportions, 0-1) and the
        four cell proportions ``p_<group>_<period>``.
    """
    idx = cells.set_index([group, period])
    p, var = {}, 0.0
    for g in groups:
        for t in periods:
            try:
                xi, ni = float(idx.loc[(g, t), x]), float(idx.loc[(g, t), n])
            except KeyError:
                raise ValueError(f"no cell for {group}={g!r}, {period}={t!r}") from None
            if ni <= 0:
                raise ValueError(f"empty cell for {group}={g!r}, {period}={t!r}")
            p[(g, t)] = xi / ni
            var += p[(g, t)] * (1 - p[(g, t)]) / ni
    (a, b), (t0, t1) = groups, periods
    before = p[(a, t0)] - p[(b, t0)]
    after = p[(a, t1)] - p[(b, t1)]
    did = after - before
    z = float(st.norm.ppf(0.5 + confidence / 2))
    half = z * np.sqrt(var)
    out = {
        "gap_before": before,
        "gap_after": after,
        "did": did,
        "lower": did - half,
        "upper": did + half,
    }
    for (g, t), v in p.items():
        out[f"p_{g}_{t}"] = v
    return out
