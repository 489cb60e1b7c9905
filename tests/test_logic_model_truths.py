"""Known truths: the synthetic programme series under each scenario, evaluated by the chapter.

The generator (``hi_analysis.synth.programmes``) injects documented effects; these tests
regenerate the series under each named scenario and check that the chapter's estimators
recover the truth within their intervals and that the verdicts come out as designed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hi_analysis.logic_model.evaluate import evaluate_programme
from hi_analysis.logic_model.plan import load_plan
from hi_analysis.logic_model.text import assumptions_to_review
from hi_analysis.synth import programmes as P
from hi_analysis.synth.population import build_residents, lsoa_table

YEARS = range(2015, 2026)
BIG = ("leicester", "leicestershire")


@pytest.fixture(scope="module")
def world(llr):
    lsoas = lsoa_table(llr)
    residents = build_residents(llr, lsoas, np.random.default_rng(7))
    return lsoas, residents


@pytest.fixture(scope="module")
def series(world):
    lsoas, residents = world
    return {
        s: P.programme_series(
            residents,
            lsoas,
            YEARS,
            np.random.default_rng(70 + i),
            scenarios=dict.fromkeys(P.PROGRAMMES, s),
        )
        for i, s in enumerate(P.SCENARIOS)
    }


@pytest.fixture(scope="module")
def plan(llr):
    return load_plan(llr)


def true_effect(
    world, key: str, scenario: str, place: str, series_name: str, start: pd.Timestamp
) -> float:
    """Average relative effect over the months from ``start`` in a place, from the truth."""
    lsoas, residents = world
    truth = P.PROGRAMMES[key]
    pop = P.denominators(residents, lsoas)[truth.denominator].to_numpy(float)
    dates = P.months(YEARS[0], YEARS[-1])
    with_, without = P.expected(truth, lsoas, pop, dates, scenario=scenario)[series_name]
    rows = lsoas["place"].to_numpy() == place
    cols = np.asarray(dates >= start)
    return float(with_[rows][:, cols].sum() / without[rows][:, cols].sum() - 1)


def test_extract_has_one_row_per_lsoa_month_and_series(series, world):
    frame = series["effect"]
    lsoas, _ = world
    assert len(frame) == len(lsoas) * 132 * 9
    assert not frame.duplicated(["lsoa11cd", "month", "series"]).any()
    assert frame["is_synthetic"].all() and (frame["events"] >= 0).all()
    # no programme activity before the start, and activity only where it is delivered
    act = frame[frame["series"] == "vacc_outreach"].merge(
        lsoas[["lsoa11cd", "place"]], on="lsoa11cd"
    )
    assert act.loc[act["month"] < "2022-09-01", "events"].sum() == 0
    assert act.loc[act["place"] != "leicester", "events"].sum() == 0


def test_expected_rejects_an_unknown_scenario(world):
    lsoas, _ = world
    with pytest.raises(ValueError, match="unknown scenario"):
        P.expected(
            P.PROGRAMMES["htn"], lsoas, np.ones(len(lsoas)), P.months(2020, 2021), scenario="magic"
        )


@pytest.mark.parametrize("scenario", P.SCENARIOS)
def test_its_recovers_each_injected_effect(llr, plan, series, world, scenario):
    prog = plan.programme("htn-case-finding")
    covered, checks = 0, 0
    for place in BIG:
        res = evaluate_programme(prog, llr, llr.place(place), series[scenario])
        for mr in res.measures:
            truth = true_effect(
                world,
                "htn",
                scenario,
                place,
                P.PROGRAMMES["htn"].series[1 if mr.stage == "proxy" else 2],
                mr.interruption,
            )
            checks += 1
            covered += mr.its.average_lower <= truth <= mr.its.average_upper
    assert covered >= checks - 1, (scenario, covered, checks)  # 4 intervals at 95%


def test_verdicts_come_out_as_designed(llr, plan, series):
    prog = plan.programme("smi-health-checks")
    for place in BIG:
        effect = evaluate_programme(prog, llr, llr.place(place), series["effect"])
        outcome = effect.measures[-1]
        assert outcome.verdict == "on_track", place
        null = evaluate_programme(prog, llr, llr.place(place), series["no_effect"])
        proxy, outcome = null.measures
        assert proxy.verdict == "on_track"
        assert outcome.its.average_lower < 0 < outcome.its.average_upper
        assert outcome.mde <= outcome.measure.expected_change.relative_size
        assert outcome.verdict == "target_not_objective"
        assert null.verdict == "target_not_objective"
        review = assumptions_to_review([null])
        assert len(review) == 1 and "Treating physical risks prevents emergency" in review[0]
        assert assumptions_to_review([effect]) == []


def test_least_deprived_scenario_widens_the_gap(llr, plan, series):
    prog = plan.programme("vaccination-outreach")
    place = llr.place("leicester")
    unequal = evaluate_programme(prog, llr, place, series["least_deprived"])
    even = evaluate_programme(prog, llr, place, series["effect"])
    assert unequal.equity.verdict == "gap_widening"
    assert unequal.verdict == "gap_widening"
    assert even.equity.verdict != "gap_widening"
    assert unequal.equity.change["sii_change"] > even.equity.change["sii_change"]
    # the controlled design recovers the average effect on uptake against the comparator
    mr = unequal.measures[0]
    assert mr.its.detected and mr.its.average_effect > 0
    assert mr.event_study is not None and mr.event_study.n_treated == 1
    from hi_analysis import report
    from hi_analysis.logic_model.charts import event_study_chart

    page = report.chart_html(event_study_chart(mr, place="Leicester", title="t"))
    assert f"p = {mr.event_study.pretrend_p:.2f}" in page and "Download the data" in page


def test_small_place_is_too_early_not_no_effect(llr, plan, series):
    prog = plan.programme("htn-case-finding")
    res = evaluate_programme(prog, llr, llr.place("rutland"), series["no_effect"])
    outcome = res.measures[-1]
    assert outcome.mde > outcome.measure.expected_change.relative_size
    assert outcome.verdict == "too_early"
