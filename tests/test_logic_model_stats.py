"""Evaluation estimators on constructed data with known answers (ITS, DiD, MDE, ΔSII)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from hi_analysis.stats.did import controlled_its, did, event_study
from hi_analysis.stats.its import COVID_WINDOW, design, fit_its
from hi_analysis.stats.mde import mde, simulated_power
from hi_analysis.stats.sii_change import sii_change

DATES = pd.date_range("2015-01-01", "2025-12-01", freq="MS")
START = pd.Timestamp("2021-10-01")


def series(rng, *, level=1.0, slope=1.0, base=2000.0, covid=0.78, ar=0.0, start=START, shock=None):
    """Monthly counts with seasonality, a COVID dip and a known level/slope change."""
    t = np.arange(len(DATES))
    m = DATES.month.to_numpy()
    post = DATES >= start
    tp = np.where(post, t - t[post][0], 0)
    mu = base * np.exp(0.001 * t + 0.1 * np.cos(2 * np.pi * (m - 1) / 12))
    mu = mu * np.where((DATES >= COVID_WINDOW[0]) & (DATES <= COVID_WINDOW[1]), covid, 1.0)
    if shock is not None:
        mu = mu * shock
    cf = mu.copy()
    mu = mu * np.where(post, level * slope**tp, 1.0)
    noise = np.zeros(len(t))
    for i in range(1, len(t)):
        noise[i] = ar * noise[i - 1] + rng.normal(0, 0.02) if ar else 0.0
    y = rng.poisson(mu * np.exp(noise))
    truth = mu[post].sum() / cf[post].sum() - 1
    return pd.DataFrame({"date": DATES, "events": y, "population": 1_000_000.0}), truth


def test_design_uses_time_since_the_start():
    X = design(pd.Series(DATES[:4]), DATES[2], covid=None, harmonics=0)
    assert X["post"].tolist() == [0, 0, 1, 1] and X["t_post"].tolist() == [0, 0, 0, 1]
    with pytest.raises(ValueError, match="impact_model"):
        design(pd.Series(DATES), START, impact_model="ramp")


def test_its_matches_an_independent_statsmodels_formula_fit():
    frame, _ = series(np.random.default_rng(3), level=0.94, slope=0.997)
    res = fit_its(frame, interruption=START)
    df = frame.assign(t=np.arange(len(frame)), post=(frame["date"] >= START).astype(int))
    df["t_post"] = np.where(df["post"] == 1, df["t"] - df.loc[df["post"] == 1, "t"].min(), 0)
    df["covid"] = ((df["date"] >= COVID_WINDOW[0]) & (df["date"] <= COVID_WINDOW[1])).astype(int)
    for k in (1, 2):
        df[f"s{k}"] = np.sin(2 * np.pi * k * df["date"].dt.month / 12)
        df[f"c{k}"] = np.cos(2 * np.pi * k * df["date"].dt.month / 12)
    qp = smf.glm(
        "events ~ t + post + t_post + covid + s1 + c1 + s2 + c2",
        data=df,
        family=sm.families.Poisson(),
        offset=np.log(df["population"]),
    ).fit(scale="X2")
    ci = qp.conf_int().loc["post"]
    assert res.level_rr[0] == pytest.approx(np.exp(qp.params["post"]), rel=1e-8)
    assert res.level_rr[1] == pytest.approx(np.exp(ci[0]), rel=1e-8)
    assert res.slope_rr[0] == pytest.approx(np.exp(qp.params["t_post"]), rel=1e-8)
    assert res.dispersion == pytest.approx(qp.scale, rel=1e-8)


def test_its_recovers_a_known_level_and_slope_change():
    frame, truth = series(np.random.default_rng(11), level=0.94, slope=0.997)
    res = fit_its(frame, interruption=START)
    assert res.level_rr[1] <= 0.94 <= res.level_rr[2]
    assert res.slope_rr[1] <= 0.997 <= res.slope_rr[2]
    assert res.average_lower <= truth <= res.average_upper
    assert res.detected and res.average_effect < 0
    # the cumulative effect (events averted) is negative with an interval around it
    assert res.cumulative[1] <= res.cumulative[0] <= res.cumulative[2] < 0


def test_its_interval_coverage_over_seeded_replicates():
    covered = 0
    for seed in range(40):
        frame, truth = series(np.random.default_rng(100 + seed), level=1.08, ar=0.3)
        res = fit_its(frame, interruption=START)
        covered += res.average_lower <= truth <= res.average_upper
    assert covered >= 34  # nominal 95%: 38 of 40; allow Monte Carlo error


def test_its_without_effect_detects_nothing_in_most_replicates():
    false_alarms = sum(
        fit_its(series(np.random.default_rng(200 + s))[0], interruption=START).detected
        for s in range(30)
    )
    assert false_alarms <= 4


def test_its_autocorrelation_widens_the_reported_interval():
    frame, truth = series(np.random.default_rng(5), level=0.95, ar=0.9, base=20000)
    res = fit_its(frame, interruption=START)
    assert res.autocorrelated
    width = res.average_upper - res.average_lower
    qp = res.sensitivity["quasi-Poisson"]
    assert width >= qp[1] - qp[0] - 1e-12
    assert set(res.sensitivity) == {"quasi-Poisson", "Newey-West", "GLSAR AR(1)"}
    assert "widest" in res.interval_method


def test_its_refuses_short_series_with_a_reason():
    frame, _ = series(np.random.default_rng(1))
    res = fit_its(frame, interruption="2025-06-01")
    assert not res.estimable and "at least 12" in res.reason and res.n_post == 7


def test_its_covid_excluded_drops_those_months():
    frame, truth = series(np.random.default_rng(8), level=0.9, covid=0.5)
    res = fit_its(frame, interruption=START, covid="exclude")
    assert res.series["excluded"].sum() == 12
    assert abs(res.average_effect - truth) < 0.03
    # the excluded months do not enter the fit: changing them changes nothing
    covid = (frame["date"] >= COVID_WINDOW[0]) & (frame["date"] <= COVID_WINDOW[1])
    other = fit_its(
        frame.assign(events=np.where(covid, 5, frame["events"])),
        interruption=START,
        covid="exclude",
    )
    assert other.average_effect == pytest.approx(res.average_effect, rel=1e-10)


def test_controlled_its_removes_a_shock_shared_with_the_comparator():
    # a shock (a coding change) lands with the programme in both series; only the treated
    # series has the programme effect (x 1.10)
    shock = np.where(DATES >= START, 0.85, 1.0)
    treated, _ = series(np.random.default_rng(21), level=1.10, shock=shock)
    control, _ = series(np.random.default_rng(22), base=3000, shock=shock)
    naive = fit_its(treated, interruption=START, impact_model="level")
    assert naive.average_upper < 0  # plain ITS wrongly reports a fall
    res = controlled_its(treated, control, interruption=START, impact_model="level")
    assert res.average_lower <= 0.10 <= res.average_upper
    assert res.level_rr[1] <= 1.10 <= res.level_rr[2]


def panel(rng, *, effect=3.0, pretrend=0.0):
    rows = []
    for unit in range(10):
        treated = unit < 2
        for q in range(20):
            rel = q - 12
            y = (
                20
                + unit
                + 0.3 * q
                + (effect if treated and rel >= 0 else 0.0)
                + (pretrend * rel if treated and rel < 0 else 0.0)
                + rng.normal(0, 0.5)
            )
            rows.append((unit, q, y, 1000 + 50 * unit, treated))
    return pd.DataFrame(rows, columns=["unit", "q", "rate", "pop", "treated"])


def test_did_and_event_study_recover_the_effect_and_pass_the_pretrend_check():
    p = panel(np.random.default_rng(4))
    res = event_study(
        p, unit="unit", period="q", value="rate", weight="pop", treated="treated", start=12
    )
    assert res.lower <= 3.0 <= res.upper
    assert res.pretrend_p > 0.05
    post = res.events[res.events["relative_period"] >= 0]
    assert ((post["lower"] <= 3.0) & (3.0 <= post["upper"])).mean() >= 0.75
    assert res.n_units == 10 and res.n_treated == 2
    est, lo, hi = did(
        p.assign(post=p["q"] >= 12),
        unit="unit",
        period="q",
        value="rate",
        weight="pop",
        treated="treated",
        post="post",
    )
    assert est == pytest.approx(res.estimate)


def test_event_study_flags_a_real_pretrend():
    p = panel(np.random.default_rng(4), pretrend=0.6)
    res = event_study(
        p, unit="unit", period="q", value="rate", weight="pop", treated="treated", start=12
    )
    assert res.pretrend_p < 0.01


def test_mde_formula_and_direction():
    assert mde(0.02, direction="decrease") == pytest.approx(-np.expm1(-2.8016 * 0.02), rel=1e-3)
    assert mde(0.02, direction="increase") > mde(0.02, direction="decrease")
    with pytest.raises(ValueError):
        mde(0.02, direction="up")


def test_mde_is_detected_about_80_percent_of_the_time():
    frame, _ = series(np.random.default_rng(9), base=300)
    fit = fit_its(frame, interruption=START, impact_model="level")
    size = mde(fit.se_log_ratio, direction="decrease")
    power = simulated_power(
        frame, interruption=START, effect=-size, repetitions=120, seed=2, impact_model="level"
    )
    assert 0.65 <= power <= 0.93
    tiny = simulated_power(
        frame, interruption=START, effect=-size / 4, repetitions=60, seed=3, impact_model="level"
    )
    assert tiny < 0.35


def test_sii_change_on_a_constructed_gradient():
    q = pd.DataFrame({"q": [1, 2, 3, 4, 5], "pop": [1000.0] * 5})
    pre = q.assign(value=[30.0, 25, 20, 15, 10])
    post = q.assign(value=[30.0, 30, 30, 30, 30])
    for f in (pre, post):
        f["lowercl"] = f["value"] * 0.9
        f["uppercl"] = f["value"] * 1.1
    out = sii_change(pre, post, quantile="q", population="pop", value_type=0)
    # slope across ranks 0.1..0.9 of a line falling 5 per fifth (0.2 of rank) is -25
    assert out["sii_pre"] == pytest.approx(-25.0)
    assert out["sii_post"] == pytest.approx(0.0, abs=1e-9)
    assert out["sii_change"] == pytest.approx(25.0)
    assert out["sii_change_lower"] < 25 < out["sii_change_upper"]
    se = np.hypot(
        *[(out[f"sii_{k}_upper"] - out[f"sii_{k}_lower"]) / 3.919928 for k in ("pre", "post")]
    )
    assert out["sii_change_upper"] - out["sii_change"] == pytest.approx(1.959964 * se, rel=1e-6)
    assert out["rii_change"] > 1
