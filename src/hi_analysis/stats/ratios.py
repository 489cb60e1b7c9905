"""Ratios with 95% confidence intervals: two rates, two proportions, and a rate-ratio model.

- :func:`rate_ratio` -- ratio of two Poisson rates, log-scale interval
  (``SE(log RR) = sqrt(1/O1 + 1/O2)``);
- :func:`proportion_ratio` -- ratio of two proportions (risk ratio), Katz
  log-scale interval (``SE = sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)``);
- :func:`rate_ratio_model` -- rate ratios of groups against a reference group
  from a quasi-Poisson regression of counts on the group (and optional
  adjustment covariates) with a log-exposure offset. Between-area variation
  beyond Poisson is allowed for by the Pearson dispersion (statsmodels
  ``scale="X2"``), so the intervals are honest when areas differ for reasons the
  model does not capture.

Examples
--------
>>> r = rate_ratio(200, 100_000, 100, 100_000)
>>> round(r["ratio"], 3), round(r["lower"], 3), round(r["upper"], 3)
(2.0, 1.573, 2.543)
>>> p = proportion_ratio(30, 100, 15, 100)
>>> round(p["ratio"], 3)
2.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as st


def _z(confidence: float) -> float:
    return float(st.norm.ppf(0.5 + confidence / 2))


def rate_ratio(
    o1: float, n1: float, o2: float, n2: float, *, confidence: float = 0.95
) -> dict[str, float]:
    """Ratio of the rate ``o1/n1`` to ``o2/n2`` with a log-scale (Wald) interval.

    Parameters
    ----------
    o1, o2 : float
        Event counts (both must be positive).
    n1, n2 : float
        Person-time or population of each group.
    confidence : float
        Confidence level.

    Returns
    -------
    dict
        ``ratio, lower, upper``.
    """
    if o1 <= 0 or o2 <= 0 or n1 <= 0 or n2 <= 0:
        raise ValueError("rate_ratio needs positive counts and denominators")
    ratio = (o1 / n1) / (o2 / n2)
    se = np.sqrt(1 / o1 + 1 / o2)
    z = _z(confidence)
    return {
        "ratio": float(ratio),
        "lower": float(ratio * np.exp(-z * se)),
        "upper": float(ratio * np.exp(z * se)),
    }


def proportion_ratio(
    x1: float, n1: float, x2: float, n2: float, *, confidence: float = 0.95
) -> dict[str, float]:
    """Ratio of the proportion ``x1/n1`` to ``x2/n2`` with the Katz log interval.

    Returns
    -------
    dict
        ``ratio, lower, upper``.
    """
    if x1 <= 0 or x2 <= 0 or n1 < x1 or n2 < x2:
        raise ValueError("proportion_ratio needs 0 < x <= n in both groups")
    ratio = (x1 / n1) / (x2 / n2)
    se = np.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    z = _z(confidence)
    return {
        "ratio": float(ratio),
        "lower": float(ratio * np.exp(-z * se)),
        "upper": float(ratio * np.exp(z * se)),
    }


def rate_ratio_model(
    frame: pd.DataFrame,
    count: str,
    exposure: str,
    group: str,
    *,
    reference: object,
    covariates: Sequence[str] = (),
    confidence: float = 0.95,
    quasi: bool = True,
) -> pd.DataFrame:
    """Rate ratios of each group against ``reference`` from a (quasi-)Poisson regression.

    ``log E[count] = log(exposure) + group effect + sum(b_k * covariate_k)``.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per area (or cell).
    count, exposure : str
        Columns of event counts and of the population at risk.
    group : str
        Column of the groups compared (e.g. deprivation quintile).
    reference : object
        The reference group (ratio 1).
    covariates : sequence of str
        Numeric columns adjusted for (e.g. the share of residents aged 70 and over).
    confidence : float
        Confidence level of the intervals.
    quasi : bool
        Scale the covariance by the Pearson dispersion (quasi-Poisson); False
        gives plain Poisson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per group (reference first): ``group, ratio, lower, upper,
        dispersion``.
    """
    levels = [reference] + [g for g in sorted(frame[group].unique()) if g != reference]
    x = pd.DataFrame({"const": 1.0}, index=frame.index)
    for g in levels[1:]:
        x[f"g_{g}"] = (frame[group] == g).astype(float)
    for c in covariates:
        x[c] = frame[c].astype(float)
    model = sm.GLM(
        frame[count].to_numpy(dtype=float),
        x,
        family=sm.families.Poisson(),
        offset=np.log(frame[exposure].to_numpy(dtype=float)),
    )
    res = model.fit(scale="X2" if quasi else 1.0)
    z = _z(confidence)
    rows = [{"group": reference, "ratio": 1.0, "lower": 1.0, "upper": 1.0}]
    for g in levels[1:]:
        b, se = float(res.params[f"g_{g}"]), float(res.bse[f"g_{g}"])
        rows.append(
            {
                "group": g,
                "ratio": float(np.exp(b)),
                "lower": float(np.exp(b - z * se)),
                "upper": float(np.exp(b + z * se)),
            }
        )
    out = pd.DataFrame(rows)
    out["dispersion"] = float(res.scale)
    return out
