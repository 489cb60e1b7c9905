"""XmR/Making Data Count readings and use-to-need ratios on constructed data with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from hi_analysis.stats.spc import E2, xmr
from hi_analysis.stats.use_need import use_to_need


def test_xmr_limits_known_answer():
    # mean 10, moving ranges all 2 -> limits 10 +/- 2.66 * 2
    r = xmr([9, 11, 9, 11, 9, 11, 9, 11, 9, 11])
    assert r.mean == pytest.approx(10)
    assert r.mean_moving_range == pytest.approx(2)
    assert (r.lower, r.upper) == pytest.approx((10 - 2 * E2, 10 + 2 * E2))
    assert r.signal == "none" and r.variation("higher_is_better") == "common cause"


def test_xmr_point_outside_limits_and_polarity():
    r = xmr([10, 11, 9, 10, 11, 10, 9, 10, 30])
    assert r.signal == "outside_limits" and r.direction == "up"
    assert r.variation("higher_is_better") == "special cause improvement"
    assert r.variation("lower_is_better") == "special cause concern"
    assert r.variation("neutral") == "special cause (higher)"


def test_xmr_run_of_seven_below_mean():
    # a high start pulls the mean up; the last seven points sit below it, within the limits
    values = [20, 21, 19, 20, 21, 19, 20, 14, 15, 14, 15, 14, 15, 14]
    r = xmr(values)
    assert r.lower < min(values[-7:]) and r.signal == "run" and r.direction == "down"


def test_xmr_trend_of_six():
    r = xmr([10, 9, 11, 10, 9, 11, 10, 10.2, 10.4, 10.6, 10.8, 11.0])
    assert r.signal == "trend" and r.direction == "up"


def test_xmr_assurance():
    r = xmr([50, 52, 48, 50, 52, 48, 50, 51, 49, 50])
    assert r.assurance(30, "at_least") == "consistently passing"
    assert r.assurance(70, "at_least") == "consistently failing"
    assert r.assurance(50, "at_least") == "hit and miss"
    assert r.assurance(70, "at_most") == "consistently passing"


def test_xmr_rejects_short_or_missing():
    with pytest.raises(ValueError):
        xmr([1, 2])
    with pytest.raises(ValueError):
        xmr([1, np.nan, 3])


def test_use_to_need_known_answer():
    t = use_to_need(
        pd.DataFrame({"g": ["a", "b", "c"], "users": [10, 30, 60], "need": [200, 300, 500]}),
        group="g",
    )
    # shares of use 0.1, 0.3, 0.6 against shares of need 0.2, 0.3, 0.5
    assert t["ratio"].tolist() == pytest.approx([0.5, 1.0, 1.2])
    assert (t["lowercl"] < t["ratio"]).all() and (t["ratio"] < t["uppercl"]).all()


def test_use_to_need_matches_statsmodels_wilson():
    users = np.array([120, 340, 90, 450])
    need = np.array([1000, 2500, 1200, 2300])
    t = use_to_need(pd.DataFrame({"g": list("abcd"), "users": users, "need": need}), group="g")
    lo, hi = proportion_confint(users, users.sum(), alpha=0.05, method="wilson")
    share = need / need.sum()
    assert t["lowercl"].to_numpy() == pytest.approx(lo / share, rel=1e-9)
    assert t["uppercl"].to_numpy() == pytest.approx(hi / share, rel=1e-9)


def test_use_to_need_rejects_bad_counts():
    with pytest.raises(ValueError):
        use_to_need(pd.DataFrame({"g": ["a"], "users": [-1], "need": [5]}), group="g")
    with pytest.raises(ValueError):
        use_to_need(pd.DataFrame({"g": ["a"], "users": [0], "need": [5]}), group="g")
