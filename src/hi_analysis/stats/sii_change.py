"""Change in the slope and relative index of inequality between two periods.

Each period's SII and RII come from :func:`hi_analysis.stats.sii` (the one
implementation). The two periods hold different events, so their estimates
are treated as independent: the standard error of each is read from its 95%
limits, ``SE = (upper - lower) / (2 * 1.96)`` (on the log scale for the RII),
and the difference has ``SE = sqrt(SE_pre^2 + SE_post^2)``.

A positive change in SII means the indicator rose more (or fell less) in the
least deprived neighbourhoods than in the most deprived (rank 0 = most deprived).

Examples
--------
>>> import pandas as pd
>>> pre = pd.DataFrame({"q": [1, 2, 3, 4, 5], "pop": [1000] * 5,
...                     "value": [10.0, 9, 8, 7, 6], "lowercl": [9.0, 8, 7, 6, 5],
...                     "uppercl": [11.0, 10, 9, 8, 7]})
>>> post = pre.assign(value=[10.0] * 5, lowercl=[9.0] * 5, uppercl=[11.0] * 5)
>>> out = sii_change(pre, post, quantile="q", population="pop", value_type=0)
>>> round(out["sii_pre"], 2), abs(round(out["sii_post"], 2)), round(out["sii_change"], 2)
(-5.0, 0.0, 5.0)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hi_analysis.stats.sii import sii

__all__ = ["sii_change"]

_Z = 1.959963984540054


def sii_change(
    pre: pd.DataFrame,
    post: pd.DataFrame,
    *,
    quantile: str,
    population: str,
    value: str = "value",
    lower_cl: str = "lowercl",
    upper_cl: str = "uppercl",
    value_type: int = 1,
    repetitions: int = 20_000,
    seed: int = 1,
) -> dict[str, float]:
    """SII and RII before and after, and their change, each with a 95% interval.

    Parameters
    ----------
    pre, post : pandas.DataFrame
        One row per deprivation quantile (1 = most deprived) with the value, its 95%
        limits and the population.
    quantile, population, value, lower_cl, upper_cl : str
        Column names.
    value_type : {0, 1, 2}
        As :func:`hi_analysis.stats.sii` (1 for rates).
    repetitions, seed : int
        The simulation of each period's limits (analytic for ``value_type = 0``).

    Returns
    -------
    dict
        ``sii_pre, sii_pre_lower, sii_pre_upper``, the same for ``sii_post``,
        ``sii_change, sii_change_lower, sii_change_upper`` and the same for ``rii_*``
        (RII change as a ratio of ratios).
    """
    out: dict[str, float] = {}
    se: dict[str, float] = {}
    se_log: dict[str, float] = {}
    for name, frame in (("pre", pre), ("post", post)):
        method = "analytic" if value_type == 0 else "simulation"
        r = sii(
            frame,
            quantile,
            population,
            value=value,
            lower_cl=lower_cl,
            upper_cl=upper_cl,
            value_type=value_type,
            rii=True,
            repetitions=repetitions,
            seed=seed,
            ci_method=method,
        ).iloc[0]
        out[f"sii_{name}"] = float(r["sii"])
        out[f"sii_{name}_lower"] = float(r["sii_lowercl"])
        out[f"sii_{name}_upper"] = float(r["sii_uppercl"])
        out[f"rii_{name}"] = float(r["rii"])
        out[f"rii_{name}_lower"] = float(r["rii_lowercl"])
        out[f"rii_{name}_upper"] = float(r["rii_uppercl"])
        se[name] = (r["sii_uppercl"] - r["sii_lowercl"]) / (2 * _Z)
        lo, hi = max(float(r["rii_lowercl"]), 1e-12), max(float(r["rii_uppercl"]), 1e-12)
        se_log[name] = (np.log(hi) - np.log(lo)) / (2 * _Z)
    d = out["sii_post"] - out["sii_pre"]
    s = float(np.hypot(se["pre"], se["post"]))
    out.update(sii_change=d, sii_change_lower=d - _Z * s, sii_change_upper=d + _Z * s)
    lr = float(np.log(out["rii_post"]) - np.log(out["rii_pre"]))
    sl = float(np.hypot(se_log["pre"], se_log["post"]))
    out.update(
        rii_change=float(np.exp(lr)),
        rii_change_lower=float(np.exp(lr - _Z * sl)),
        rii_change_upper=float(np.exp(lr + _Z * sl)),
    )
    return out
