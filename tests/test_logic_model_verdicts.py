"""The verdict rules, one case per branch (pure functions)."""

from __future__ import annotations

import pytest

from hi_analysis.logic_model import verdicts as V

NONE = dict(estimable=True, effect=0.01, lower=-0.03, upper=0.05)
UP = dict(estimable=True, effect=0.12, lower=0.05, upper=0.20)
DOWN = dict(estimable=True, effect=-0.12, lower=-0.20, upper=-0.05)


def test_output_against_target():
    assert V.output_verdict(3.1, 3.0, "at_least") == "delivered"
    assert V.output_verdict(2.9, 3.0, "at_least") == "not_delivered"
    assert V.output_verdict(2.9, 3.0, "at_most") == "delivered"
    with pytest.raises(ValueError):
        V.output_verdict(1, 1, "exactly")


def test_change_class():
    assert V.change_class(0.1, 0.02, 0.2, "increase") == "right"
    assert V.change_class(0.1, 0.02, 0.2, "decrease") == "wrong"
    assert V.change_class(-0.1, -0.2, -0.02, "decrease") == "right"
    assert V.change_class(0.01, -0.02, 0.04, "increase") == "none"
    with pytest.raises(ValueError):
        V.change_class(0, 0, 0, "sideways")


def test_proxy_verdicts():
    kw = dict(mde=0.04, expected=0.10, direction="increase")
    assert V.proxy_verdict(False, **UP, **kw) == "not_delivered"
    assert V.proxy_verdict(True, **UP, **kw) == "on_track"
    assert V.proxy_verdict(True, **DOWN, **kw) == "wrong_direction"
    assert V.proxy_verdict(True, **NONE, **kw) == "activity_not_moving"
    assert (
        V.proxy_verdict(True, **NONE, mde=0.2, expected=0.10, direction="increase") == "too_early"
    )
    assert V.proxy_verdict(True, estimable=False, effect=0, lower=0, upper=0, **kw) == "too_early"


def test_outcome_verdicts():
    kw = dict(mde=0.04, expected=0.05, direction="decrease")
    assert V.outcome_verdict(True, True, **DOWN, **kw) == "on_track"
    assert V.outcome_verdict(True, True, **UP, **kw) == "wrong_direction"
    # target met, objective not: proxy moved, outcome did not, although it could have shown
    assert V.outcome_verdict(True, True, **NONE, **kw) == "target_not_objective"
    # ... but if the data could not have shown the planned change, it is too early
    assert (
        V.outcome_verdict(True, True, **NONE, mde=0.09, expected=0.05, direction="decrease")
        == "too_early"
    )
    # the proxy did not move either: the activity is not working
    assert V.outcome_verdict(True, False, **NONE, **kw) == "activity_not_moving"
    assert V.outcome_verdict(False, True, **DOWN, **kw) == "not_delivered"
    assert (
        V.outcome_verdict(True, True, estimable=False, effect=0, lower=0, upper=0, **kw)
        == "too_early"
    )


def test_equity_verdicts_respect_the_intended_direction():
    # SII rises: higher values in less deprived areas
    assert V.equity_verdict(2.0, 1.0, 3.0, "increase") == "gap_widening"
    assert V.equity_verdict(2.0, 1.0, 3.0, "decrease") == "gap_narrowing"
    assert V.equity_verdict(-2.0, -3.0, -1.0, "decrease") == "gap_widening"
    assert V.equity_verdict(0.5, -1.0, 2.0, "increase") == "gap_unchanged"


def test_programme_verdict_order():
    assert V.programme_verdict(["delivered", "on_track", "on_track"], "gap_narrowing") == (
        "on_track"
    )
    assert (
        V.programme_verdict(["delivered", "on_track", "target_not_objective"], "gap_unchanged")
        == "target_not_objective"
    )
    assert V.programme_verdict(["delivered", "on_track", "too_early"], "gap_unchanged") == (
        "too_early"
    )
    assert (
        V.programme_verdict(["not_delivered", "too_early", "too_early"], "gap_unchanged")
        == "not_delivered"
    )
    assert (
        V.programme_verdict(["delivered", "activity_not_moving", "too_early"], "gap_unchanged")
        == "activity_not_moving"
    )
    assert V.programme_verdict(["delivered", "on_track", "on_track"], "gap_widening") == (
        "gap_widening"
    )


def test_every_verdict_has_words():
    keys = {
        "delivered",
        "not_delivered",
        "on_track",
        "wrong_direction",
        "activity_not_moving",
        "target_not_objective",
        "too_early",
        "gap_widening",
        "gap_narrowing",
        "gap_unchanged",
    }
    assert keys == set(V.WORDS)
    from hi_analysis.logic_model.text import SENTENCES

    assert set(SENTENCES) <= keys
