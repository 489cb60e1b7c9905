"""Minimum detectable effect (MDE) of an interrupted time series, and a power check by simulation.

"No change detected" is only evidence of no effect when the data could have
shown one. The MDE is the smallest true average relative effect that the
analysis would detect (two-sided 5% test) with 80% power:

    log(1 + MDE) = (z_{0.975} + z_{0.80}) * SE(log ratio)

(Bloom 1995), using the standard error of the log of the average ratio from
the fitted model (:attr:`hi_analysis.stats.its.ITSResult.se_log_ratio`).
:func:`simulated_power` checks that by parametric simulation from the fitted
pre-period model: quasi-Poisson draws (negative binomial with the fitted
dispersion), an injected level change over the post period, a refit, and the
share of refits whose interval excludes no change.

Examples
--------
>>> round(mde(0.02, direction="decrease"), 3)
0.054
>>> round(mde(0.02, direction="increase"), 3)
0.058
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

__all__ = ["mde", "simulated_power"]


def mde(se_log_ratio: float, *, direction: str, alpha: float = 0.05, power: float = 0.8) -> float:
    """Minimum detectable relative effect (a positive share, e.g. 0.054 = 5.4%).

    Parameters
    ----------
    se_log_ratio : float
        Standard error of the log average ratio.
    direction : {"increase", "decrease"}
        The direction the plan expects.
    alpha, power : float
        Two-sided significance level and power.
    """
    if direction not in ("increase", "decrease"):
        raise ValueError(f"direction must be 'increase' or 'decrease', not {direction!r}")
    k = float(sps.norm.ppf(1 - alpha / 2) + sps.norm.ppf(power)) * float(se_log_ratio)
    return float(np.expm1(k)) if direction == "increase" else float(-np.expm1(-k))


def simulated_power(
    frame: pd.DataFrame,
    *,
    interruption: str | pd.Timestamp,
    effect: float,
    dispersion: float = 1.0,
    repetitions: int = 200,
    seed: int = 1,
    **its_options: object,
) -> float:
    """Share of simulated series in which :func:`~hi_analysis.stats.its.fit_its` detects ``effect``.

    The baseline mean is the series' own fitted pre-period trend (a Poisson
    GLM on the pre-period, extended); the post period is multiplied by
    ``1 + effect``; draws are negative binomial with variance ``dispersion * mu``.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``date, events, population`` (the observed series).
    interruption : date
        First post month.
    effect : float
        Injected relative level change (e.g. -0.05).
    dispersion : float
        Variance over mean (1 for Poisson).
    repetitions, seed : int
        Simulation size and seed.
    **its_options
        Passed to :func:`~hi_analysis.stats.its.fit_its`.
    """
    import statsmodels.api as sm

    from hi_analysis.stats.its import design, fit_its

    f = frame.sort_values("date").reset_index(drop=True)
    i = pd.Timestamp(interruption)
    X = design(f["date"], i, impact_model="level", covid=None).drop(columns="post")
    pre = (f["date"] < i).to_numpy()
    off = np.log(f["population"].to_numpy(float))
    base = sm.GLM(
        f["events"].to_numpy(float)[pre],
        X.to_numpy()[pre],
        family=sm.families.Poisson(),
        offset=off[pre],
    ).fit()
    mu = np.exp(X.to_numpy() @ base.params + off) * np.where(f["date"] >= i, 1 + effect, 1.0)
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(repetitions):
        if dispersion > 1.0001:
            n = mu / (dispersion - 1)
            y = rng.negative_binomial(n, n / (n + mu))
        else:
            y = rng.poisson(mu)
        res = fit_its(f.assign(events=y), interruption=i, **its_options)
        hits += bool(res.detected)
    return hits / repetitions
