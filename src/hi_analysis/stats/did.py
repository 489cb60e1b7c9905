"""Controlled interrupted time series and difference-in-differences with an event study.

Both compare the change in a treated series with the change in a comparator
that shares the same shocks (COVID-19, coding changes), so those shocks do not
masquerade as programme effects.

* :func:`controlled_its` stacks the treated and comparator monthly series in one
  quasi-Poisson GLM with a population offset (Lopez Bernal, Cummins & Gasparrini,
  IJE 2018): every segmented-regression term is interacted with the group, and the
  effect is the treated group's extra level and slope change. The average relative
  effect over the post period uses the same delta method as
  :func:`hi_analysis.stats.its.relative_effect`.
* :func:`did` and :func:`event_study` fit a weighted two-way fixed-effects model to
  a unit x period panel of rates. The event study replaces ``treated x post`` with
  one dummy per period relative to the start (the period before the start is the
  reference) and tests the pre-start dummies jointly: the check of parallel trends.

Standard errors are **model-based**, never cluster-robust: with a handful of
units, sandwich estimators collapse (a decile DiD's joint pre-trend test gave
p = 0.67 model-based but p = 3e-6 cluster-robust on data with no pre-trend;
see the design study). A non-significant pre-trend test is not proof of
parallel trends; it is shown with the coefficients so a reader can judge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as sps

from hi_analysis.stats.its import COVID_WINDOW, MIN_POINTS, ITSResult, design, relative_effect

__all__ = ["DidResult", "controlled_its", "did", "event_study"]

_Z = float(sps.norm.ppf(0.975))


def controlled_its(
    treated: pd.DataFrame,
    control: pd.DataFrame,
    *,
    interruption: str | pd.Timestamp,
    impact_model: str = "level_and_slope",
    covid: str | None = "indicator",
    harmonics: int = 2,
    min_points: int = MIN_POINTS,
) -> ITSResult:
    """Controlled ITS: the treated series' change relative to the comparator's.

    Parameters
    ----------
    treated, control : pandas.DataFrame
        Monthly ``date, events, population`` for the same months.
    interruption, impact_model, covid, harmonics, min_points
        As :func:`hi_analysis.stats.its.fit_its`.

    Returns
    -------
    ITSResult
        The average relative effect of the programme on the treated series (net of
        the comparator's change), the level and slope rate ratios of the treated
        group's extra change, and the treated series with its counterfactual (the
        treated pre-trend plus the comparator's change).
    """
    t = treated.sort_values("date").reset_index(drop=True)
    c = control.sort_values("date").reset_index(drop=True)
    if not t["date"].reset_index(drop=True).equals(c["date"].reset_index(drop=True)):
        raise ValueError("treated and comparator series must cover the same months")
    i = pd.Timestamp(interruption)
    keep = np.ones(len(t), bool)
    if covid == "exclude":
        keep = ~((t["date"] >= COVID_WINDOW[0]) & (t["date"] <= COVID_WINDOW[1])).to_numpy()
    post = (t["date"] >= i).to_numpy()
    n_pre, n_post = int((~post & keep).sum()), int((post & keep).sum())
    if n_pre < min_points or n_post < min_points:
        return ITSResult(
            False,
            n_pre,
            n_post,
            impact_model=impact_model,
            reason=f"{n_pre} months before and {n_post} after the start; at "
            f"least {min_points} are needed on each side",
        )
    base = design(
        t["date"],
        i,
        impact_model=impact_model,
        covid=COVID_WINDOW if covid == "indicator" else None,
        harmonics=harmonics,
    )
    seg = [col for col in ("const", "t", "post", "t_post") if col in base]
    effect = [f"g_{col}" for col in ("post", "t_post") if col in base]

    def block(g: float) -> pd.DataFrame:
        b = base.copy()
        for col in seg:
            b[f"g_{col}"] = g * base[col]
        return b

    X = pd.concat([block(1.0), block(0.0)], ignore_index=True)
    Xcf = X.copy()
    Xcf[effect] = 0.0
    y = np.r_[t["events"].to_numpy(float), c["events"].to_numpy(float)]
    off = np.log(np.r_[t["population"].to_numpy(float), c["population"].to_numpy(float)])
    k2 = np.r_[keep, keep]
    fit = sm.GLM(y[k2], X.to_numpy()[k2], family=sm.families.Poisson(), offset=off[k2]).fit(
        scale="X2"
    )
    params, cov = fit.params, fit.cov_params()
    mask = np.r_[post & keep, np.zeros(len(c), bool)]
    log_r, se, cum, lo_c, hi_c = relative_effect(
        params, cov, X.to_numpy(), Xcf.to_numpy(), off, mask
    )
    cols = list(X.columns)
    n = len(t)
    Xt_cf = Xcf.to_numpy()[:n]
    eta_cf = Xt_cf @ params
    se_cf = np.sqrt(np.einsum("ij,jk,ik->i", Xt_cf, cov, Xt_cf))
    series = pd.DataFrame(
        {
            "date": t["date"],
            "events": t["events"].to_numpy(float),
            "population": t["population"].to_numpy(float),
            "rate": t["events"].to_numpy(float) / t["population"].to_numpy(float),
            "fitted": np.exp(X.to_numpy()[:n] @ params),
            "counterfactual": np.exp(eta_cf),
            "cf_lower": np.exp(eta_cf - _Z * se_cf),
            "cf_upper": np.exp(eta_cf + _Z * se_cf),
            "comparator_rate": c["events"].to_numpy(float) / c["population"].to_numpy(float),
            "post": post,
            "excluded": ~keep,
            "covid": ((t["date"] >= COVID_WINDOW[0]) & (t["date"] <= COVID_WINDOW[1])).to_numpy(),
        }
    )

    def rr(name: str) -> tuple[float, float, float] | None:
        if name not in cols:
            return None
        j = cols.index(name)
        b, s = params[j], np.sqrt(cov[j, j])
        return float(np.exp(b)), float(np.exp(b - _Z * s)), float(np.exp(b + _Z * s))

    from statsmodels.stats.diagnostic import acorr_ljungbox

    lags = int(min(12, max(1, n // 5)))
    resid = np.asarray(fit.resid_pearson)[: int(keep.sum())]
    lb = float(acorr_ljungbox(resid, lags=[lags], return_df=True)["lb_pvalue"].iloc[0])
    lo, hi = np.expm1(log_r - _Z * se), np.expm1(log_r + _Z * se)
    return ITSResult(
        True,
        n_pre,
        n_post,
        impact_model=impact_model,
        average_effect=float(np.expm1(log_r)),
        average_lower=float(lo),
        average_upper=float(hi),
        se_log_ratio=se,
        level_rr=rr("g_post"),
        slope_rr=rr("g_t_post"),
        cumulative=(cum, lo_c, hi_c),
        dispersion=float(fit.scale),
        ljung_box_p=lb,
        autocorrelated=lb < 0.05,
        sensitivity={"quasi-Poisson": (float(lo), float(hi))},
        interval_method="quasi-Poisson, controlled by the comparator series",
        series=series,
    )


@dataclass
class DidResult:
    """A difference-in-differences estimate with its event study.

    Attributes
    ----------
    estimate, lower, upper : float
        The DiD effect (treated x post) in the rate's units, with its 95% interval.
    events : pandas.DataFrame
        ``relative_period, estimate, lower, upper`` of the event study
        (``relative_period = -1`` is the reference, fixed at 0).
    pretrend_p : float
        Joint F-test that every pre-start event coefficient is zero.
    n_units, n_treated : int
        Units in the panel and how many are treated.
    """

    estimate: float
    lower: float
    upper: float
    events: pd.DataFrame
    pretrend_p: float
    n_units: int
    n_treated: int

    @property
    def detected(self) -> bool:
        """Whether the interval excludes zero."""
        return self.lower > 0 or self.upper < 0


def _fe(panel: pd.DataFrame, unit: str, period: str) -> pd.DataFrame:
    u = pd.get_dummies(panel[unit], prefix="u", drop_first=True, dtype=float)
    p = pd.get_dummies(panel[period], prefix="p", drop_first=True, dtype=float)
    return pd.concat([pd.Series(1.0, index=panel.index, name="const"), u, p], axis=1)


def did(
    panel: pd.DataFrame,
    *,
    unit: str,
    period: str,
    value: str,
    weight: str,
    treated: str,
    post: str,
) -> tuple[float, float, float]:
    """Two-way fixed-effects DiD with model-based standard errors.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per unit and period.
    unit, period, value, weight : str
        Columns: unit id, period id (sortable), the rate, and the regression weight
        (population).
    treated, post : str
        Boolean columns: the unit is treated; the period is on or after the start.

    Returns
    -------
    tuple of float
        ``(estimate, lower, upper)``.

    Examples
    --------
    >>> rows = [(u, q, 10 + q + (3 if u < 2 and q >= 4 else 0) + 0.01 * ((u * 7 + q) % 3))
    ...         for u in range(6) for q in range(8)]
    >>> p = pd.DataFrame(rows, columns=["u", "q", "y"]).assign(w=1.0)
    >>> p["tr"], p["po"] = p["u"] < 2, p["q"] >= 4
    >>> est, lo, hi = did(p, unit="u", period="q", value="y", weight="w", treated="tr", post="po")
    >>> round(est, 1), lo < 3 < hi
    (3.0, True)
    """
    p = panel.reset_index(drop=True)
    X = _fe(p, unit, period)
    X["did"] = (p[treated].astype(bool) & p[post].astype(bool)).astype(float)
    fit = sm.WLS(p[value].to_numpy(float), X.to_numpy(), weights=p[weight].to_numpy(float)).fit()
    j = X.columns.get_loc("did")
    lo, hi = fit.conf_int()[j]
    return float(fit.params[j]), float(lo), float(hi)


def event_study(
    panel: pd.DataFrame,
    *,
    unit: str,
    period: str,
    value: str,
    weight: str,
    treated: str,
    start: object,
    window: tuple[int, int] | None = None,
) -> DidResult:
    """Event study with explicit relative-period dummies and a joint pre-trend test.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per unit and period; ``period`` holds consecutive integers.
    unit, period, value, weight, treated : str
        As :func:`did`.
    start : int
        The first treated period.
    window : (int, int), optional
        Relative periods given their own dummy (others are binned at the ends);
        default all.

    Returns
    -------
    DidResult
    """
    p = panel.reset_index(drop=True).copy()
    rel = (p[period] - start).astype(int)
    lo_w, hi_w = window if window is not None else (int(rel.min()), int(rel.max()))
    rel = rel.clip(lo_w, hi_w)
    tr = p[treated].astype(bool)
    X = _fe(p, unit, period)
    ks = [k for k in range(lo_w, hi_w + 1) if k != -1]
    names = []
    for k in ks:
        name = f"ev_m{-k}" if k < 0 else f"ev_p{k}"
        X[name] = ((rel == k) & tr).astype(float)
        names.append(name)
    y, w = p[value].to_numpy(float), p[weight].to_numpy(float)
    fit = sm.WLS(y, X.to_numpy(), weights=w).fit()
    ci = fit.conf_int()
    idx = [X.columns.get_loc(n) for n in names]
    events = pd.DataFrame(
        {
            "relative_period": ks,
            "estimate": fit.params[idx],
            "lower": ci[idx, 0],
            "upper": ci[idx, 1],
        }
    )
    events = pd.concat(
        [
            events,
            pd.DataFrame(
                {"relative_period": [-1], "estimate": [0.0], "lower": [0.0], "upper": [0.0]}
            ),
        ]
    )
    events = events.sort_values("relative_period").reset_index(drop=True)
    pre = [j for j, k in zip(idx, ks, strict=True) if k < -1]
    if pre:
        R = np.zeros((len(pre), X.shape[1]))
        for r, j in enumerate(pre):
            R[r, j] = 1.0
        pretrend_p = float(fit.f_test(R).pvalue)
    else:
        pretrend_p = float("nan")
    p["_post"] = p[period] >= start
    est, lo, hi = did(
        p, unit=unit, period=period, value=value, weight=weight, treated=treated, post="_post"
    )
    return DidResult(
        est, lo, hi, events, pretrend_p, int(p[unit].nunique()), int(p.loc[tr, unit].nunique())
    )
