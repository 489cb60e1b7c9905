"""Use-to-need ratios: whether each group's share of a service matches its share of need.

For groups ``g`` (deprivation quintiles, ethnic groups) with ``u_g`` users of a
service and ``n_g`` people in need (e.g. the eligible population),

    ratio_g = (u_g / U) / (n_g / N)

where ``U`` and ``N`` are the totals over the groups. A ratio of 1 means the
group's share of use equals its share of need; below 1, the group is
under-served relative to need. The need counts are treated as known (a full
register or population), so the interval comes from the users' share alone: the
Wilson score interval for ``u_g / U`` (as PHE/OHID use for proportions), divided
by the need share.

Examples
--------
>>> import pandas as pd
>>> t = use_to_need(pd.DataFrame({"group": ["a", "b"], "users": [30, 70],
...                               "need": [500, 500]}), group="group")
>>> t["ratio"].round(2).tolist()
[0.6, 1.4]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from hi_analysis.stats._limits import wilson_limits


def use_to_need(
    frame: pd.DataFrame,
    *,
    group: str,
    users: str = "users",
    need: str = "need",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Use-to-need ratio of every group, with Wilson-based confidence limits.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per group: ``group``, ``users`` (count of people using the service)
        and ``need`` (count of people needing it).
    group, users, need : str
        Column names.
    confidence : float
        Confidence level of the limits.

    Returns
    -------
    pandas.DataFrame
        ``group, users, need, use_share, need_share, ratio, lowercl, uppercl``.

    Raises
    ------
    ValueError
        Negative counts, more users in total than zero need, or no users at all.
    """
    u = frame[users].to_numpy(dtype="float64")
    n = frame[need].to_numpy(dtype="float64")
    if (u < 0).any() or (n < 0).any():
        raise ValueError("use_to_need: counts must not be negative")
    if u.sum() <= 0 or n.sum() <= 0:
        raise ValueError("use_to_need: needs at least one user and one person in need")
    z = float(norm.ppf(0.5 + confidence / 2))
    use_share = u / u.sum()
    need_share = n / n.sum()
    lo, hi = wilson_limits(u, np.full_like(u, u.sum()), z)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(need_share > 0, use_share / need_share, np.nan)
        lower = np.where(need_share > 0, lo / need_share, np.nan)
        upper = np.where(need_share > 0, hi / need_share, np.nan)
    return pd.DataFrame(
        {
            group: frame[group].to_numpy(),
            "users": u,
            "need": n,
            "use_share": use_share,
            "need_share": need_share,
            "ratio": ratio,
            "lowercl": lower,
            "uppercl": upper,
        }
    )
