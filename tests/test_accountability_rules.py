"""Scorecard rules and dashboard readings on constructed cases with known answers.

Cases: agree, disagree (assurance gap), stale, green without evidence, no evidenced
rating, synthetic (never shown as assured); dashboard gap and target readings.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hi_analysis.accountability import dashboard, scorecard
from hi_analysis.accountability.evidence import Evidence
from hi_analysis.accountability.plan import (
    Accountability,
    Assurance,
    Dashboard,
)
from hi_analysis.config import load_system
from hi_analysis.results import KeyResult

AS_AT = dt.date(2025, 12, 31)


def _acc(cells, rules, metrics) -> Accountability:
    shipped = __import__(
        "hi_analysis.accountability.plan", fromlist=["load_accountability"]
    ).load_accountability(load_system("llr"))
    return Accountability(
        dashboard=Dashboard(
            agreed_by="test", agreed_on=dt.date(2025, 1, 1), baseline_label="x", metrics=metrics
        ),
        assurance=Assurance(organisation="test", cells=cells, rules=rules),
        report=shipped.report,
        standards=shipped.standards,
        audits=(),
        illustrative=False,
        files={},
    )


def _metric(mid, result, **kw):
    return dashboard.DashboardMetric(id=mid, result=result, domain="outcomes", **kw)


def _cell(kloe, priority, rating, on=dt.date(2025, 9, 1), evidence=True):
    ev = [{"text": "report", "dated": dt.date(2025, 8, 1)}] if evidence else []
    return {
        "kloe": kloe,
        "priority": priority,
        "rating": rating,
        "assessed_by": "SRO",
        "assessed_on": on,
        "evidence": ev,
    }


def _kr(rid, value, lo, hi, *, synthetic=False, comparison=None, series=None, polarity="neutral"):
    return KeyResult(
        "needs_analysis",
        rid,
        rid,
        value,
        lo,
        hi,
        "%",
        synthetic,
        polarity=polarity,
        comparison=comparison,
        series=series,
    )


def _cells(cells, rules, metrics, results):
    acc = _acc(
        [scorecard.CellAssessment(**c) for c in cells],
        [scorecard.DataRule(**r) for r in rules],
        metrics,
    )
    ev = Evidence({"p": {f"needs_analysis.{r.id}": r for r in results}}, {})
    rows = {"p": dashboard.rows_for("p", acc, ev)}
    out = scorecard.evaluate(acc, rows, {"p": "Place"}, AS_AT)
    return {(c.kloe, c.priority): c for c in out}


def test_agree_and_disagree():
    metrics = [_metric("good", "needs_analysis.good"), _metric("bad", "needs_analysis.bad")]
    rules = [
        {
            "kloe": "K6",
            "priority": "P3",
            "metric": "good",
            "rule": "threshold",
            "green_at": 95,
            "red_at": 90,
        },
        {
            "kloe": "K6",
            "priority": "P1",
            "metric": "bad",
            "rule": "threshold",
            "green_at": 95,
            "red_at": 90,
        },
    ]
    cells = _cells(
        [_cell("K6", "P3", "green"), _cell("K6", "P1", "green")],
        rules,
        metrics,
        [_kr("good", 97.0, 96.5, 97.5), _kr("bad", 80.0, 79.0, 81.0)],
    )
    agree, gap = cells[("K6", "P3")], cells[("K6", "P1")]
    assert agree.data_rating == "green" and not agree.assurance_gap
    assert gap.data_rating == "red" and gap.assurance_gap and gap.steps_apart == 2
    assert "80.00%" in gap.measured[0] or "80.0%" in gap.measured[0]
    # the board's own rating is never overwritten
    assert gap.self_assessment.rating == "green" and "Board: Green" in gap.self_text()
    assert len(cells) == 40


def test_stale_and_green_without_evidence():
    cells = _cells(
        [
            _cell("K4", "P5", "amber", on=dt.date(2024, 6, 30)),
            _cell("K2", "P4", "green", evidence=False),
        ],
        [],
        [_metric("m", "needs_analysis.m")],
        [_kr("m", 1.0, 0.5, 1.5)],
    )
    assert "out of date" in cells[("K4", "P5")].flags
    assert "out of date" in cells[("K4", "P5")].self_text()
    assert cells[("K2", "P4")].flags == ("green without evidence",)


def test_no_evidenced_rating_without_rule_or_figure():
    cells = _cells(
        [_cell("K1", "P1", "amber")],
        [{"kloe": "K5", "priority": "P1", "metric": "m", "rule": "gap_change"}],
        [_metric("m", "needs_analysis.m")],  # no gap measure: the rule cannot rate
        [_kr("m", 1.0, 0.5, 1.5)],
    )
    assert cells[("K1", "P1")].data_rating is None
    assert cells[("K1", "P1")].data_text() == "Data: no rule declared"
    assert cells[("K5", "P1")].data_rating is None
    assert cells[("K5", "P1")].data_text() == "Data: no figure to rate"
    assert not any(c.assurance_gap for c in cells.values())


def test_synthetic_data_is_never_assured():
    cells = _cells(
        [_cell("K6", "P3", "amber")],
        [
            {
                "kloe": "K6",
                "priority": "P3",
                "metric": "m",
                "rule": "threshold",
                "green_at": 95,
                "red_at": 90,
            }
        ],
        [_metric("m", "needs_analysis.m")],
        [_kr("m", 99.0, 98.5, 99.5, synthetic=True)],
    )
    c = cells[("K6", "P3")]
    assert c.synthetic and "illustrative (synthetic data)" in c.flags
    assert "Green" not in c.data_text() and "not assured" in c.data_text()


def test_vs_england_and_target_and_gap():
    metrics = [
        _metric("worse", "needs_analysis.worse"),
        _metric(
            "t",
            "needs_analysis.t",
            gap="needs_analysis.g",
            target={
                "value": 90.0,
                "direction": "at_least",
                "by": dt.date(2025, 1, 1),
                "source": "test",
            },
        ),
    ]
    widening = tuple(
        (str(y), v)
        for y, v in zip(range(2010, 2020), [5, 5.1, 4.9, 5, 5.1, 5, 9, 9.5, 10, 11], strict=True)
    )
    cells = _cells(
        [],
        [
            {"kloe": "K2", "priority": "P4", "metric": "worse", "rule": "vs_england"},
            {"kloe": "K5", "priority": "P1", "metric": "t", "rule": "target_and_gap"},
        ],
        metrics,
        [
            _kr("worse", 10.0, None, None, comparison="worse"),
            _kr("t", 95.0, 94.0, 96.0),
            _kr("g", 11.0, 10.0, 12.0, series=widening, polarity="lower_is_better"),
        ],
    )
    assert cells[("K2", "P4")].data_rating == "red"
    # target met, but the gap is widening: red by the declared rule
    assert cells[("K5", "P1")].data_rating == "red"


@pytest.mark.parametrize(
    ("lo", "hi", "direction"),
    [(0.5, 2.0, "widening"), (-2.0, -0.5, "narrowing"), (-0.5, 0.5, "no clear change")],
)
def test_gap_change_reading(lo, hi, direction):
    g = _kr("d", (lo + hi) / 2, lo, hi, polarity="lower_is_better")
    assert dashboard.gap_reading(g, change=True).direction == direction


def test_target_reading_without_series():
    t = dashboard.Target(value=90.0, direction="at_least", by=dt.date(2025, 1, 1), source="s")
    assert dashboard.target_reading(_kr("a", 95, 93, 97), t, None) == (
        "at least 90.0 by January 2025: met (interval wholly on the passing side); assured",
        True,
    )
    text, assured = dashboard.target_reading(_kr("a", 95, 93, 97, synthetic=True), t, None)
    assert not assured and "synthetic" in text
    assert dashboard.target_reading(_kr("a", 91, 88, 94), t, None)[1] is False


def test_headline_counts():
    rows = [
        dashboard.Row(
            None,
            _kr(str(i), 1, None, None, comparison=c),
            None,
            None,
            dashboard.GapReading(None, "not measured"),
            "",
            False,
        )
        for i, c in enumerate(["worse", "worse", "similar", "better", "higher"])
    ]
    for r, mid in zip(rows, "abcde", strict=True):
        object.__setattr__(r, "metric", _metric(mid, "needs_analysis.x"))
    text = dashboard.headline("Leicester", rows, 5)
    assert text.startswith(
        "Of 5 agreed measures, Leicester is worse than England on 2, similar on 1 and better on 1"
    )


def test_board_report_warns_on_a_widening_gap_without_recommendation():
    from hi_analysis.accountability import board_report
    from hi_analysis.accountability.plan import load_accountability

    acc = load_accountability(load_system("llr"))
    widening = dashboard.GapReading(_kr("g", 9.0, 8.0, 10.0), "widening")

    def row(metric_id):
        return dashboard.Row(
            acc.dashboard.metric(metric_id),
            _kr("v", 1, None, None),
            None,
            None,
            widening,
            "",
            False,
        )

    def build(rows):
        return board_report.build(
            acc,
            system_name="S",
            places=[("p", "Place")],
            rows_by_place={"p": rows},
            headlines={"p": "Of 2 agreed measures ..."},
            cells=[],
            ev=Evidence({}, {}),
            use_need={},
            programmes={},
            synthetic_note="",
        )

    # long-waits has a recommendation responding to it (report.yml); le-female has none
    rep = build([row("long-waits"), row("le-female")])
    assert rep.warnings == [
        "board report: the gap on dashboard metric 'le-female' is widening in Place but no "
        "recommendation in report.yml responds to it (add it to responds_to)"
    ]
    assert any(b.kind == "note" and "le-female" in b.text for b in rep.blocks)
    assert build([row("long-waits")]).warnings == []
    html = board_report.to_html(rep.blocks, title="T <b>")
    assert "T &lt;b&gt;" in html and 'lang="en-GB"' in html and '<th scope="row">' in html


def test_headline_names_england_in_its_first_comparison():
    rows = [
        dashboard.Row(
            _metric(m, "needs_analysis.x"),
            _kr(m, 1, None, None, comparison=c),
            None,
            None,
            dashboard.GapReading(None, "not measured"),
            "",
            False,
        )
        for m, c in (("a", "similar"), ("b", "better"), ("c", "better"))
    ]
    assert dashboard.headline("Rutland", rows, 3).startswith(
        "Of 3 agreed measures, Rutland is similar to England on 1 and better on 2;"
    )
