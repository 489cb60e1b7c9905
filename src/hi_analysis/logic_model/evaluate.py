"""Evaluate each programme of a place's plan: every arrow tested, every verdict in words.

:func:`evaluate_place` is the chapter's section builder: from the plan, the
system and the ``programme_series`` extract it returns one
:class:`ProgrammeResult` per programme covering the place, with the delivery of
each output against its target, the ITS (or controlled ITS) of each early
measure and outcome with its minimum detectable effect, the change in the
slope index of inequality, and the verdicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hi_analysis import stats
from hi_analysis.config import Place, System
from hi_analysis.inequality import place_lsoas
from hi_analysis.logic_model import verdicts as V
from hi_analysis.logic_model.metrics import METRICS, Metric
from hi_analysis.logic_model.plan import Measure, Output, Plan, Programme
from hi_analysis.results import KeyResult
from hi_analysis.stats.did import DidResult, controlled_its, event_study
from hi_analysis.stats.its import ITSResult, fit_its
from hi_analysis.stats.mde import mde
from hi_analysis.stats.sii_change import sii_change

#: Months in the pre and post windows of the equity comparison.
EQUITY_WINDOW = 24


@dataclass
class Delivery:
    """An output's latest 12 months against its target."""

    output: Output
    value: float
    lower: float
    upper: float
    period: str
    verdict: str
    series: pd.DataFrame  # date, events, population, rate (display unit)


@dataclass
class MeasureResult:
    """An early measure or outcome: its ITS, MDE and the arrow's verdict."""

    measure: Measure
    stage: str
    interruption: pd.Timestamp
    its: ITSResult
    mde: float
    verdict: str
    event_study: DidResult | None = None


@dataclass
class EquityResult:
    """Change in the SII of a measure between the windows before and after the start."""

    measure: Measure
    change: dict[str, float]
    pre_period: str
    post_period: str
    verdict: str
    quintiles: pd.DataFrame  # date (quarter), quintile, rate


@dataclass
class Arrow:
    """One row of the verdict table."""

    programme: str
    source: str
    target: str
    assumption: str
    evidence: str
    verdict: str
    key_number: str
    value: float
    lower: float
    upper: float
    unit: str


@dataclass
class ProgrammeResult:
    """Everything the chapter shows for one programme in one place."""

    programme: Programme
    deliveries: list[Delivery]
    measures: list[MeasureResult]
    equity: EquityResult
    arrows: list[Arrow] = field(default_factory=list)
    verdict: str = ""
    synthetic: bool = True


# ----------------------------------------------------------------------------- data
def place_series(
    extract: pd.DataFrame, lsoa_codes: list[str] | set[str], metric: Metric
) -> pd.DataFrame:
    """Monthly ``date, events, population`` of a metric summed over some LSOAs."""
    rows = extract[(extract["series"] == metric.series) & extract["lsoa11cd"].isin(lsoa_codes)]
    out = rows.groupby("month", as_index=False, observed=True)[["events", "population"]].sum()
    return out.rename(columns={"month": "date"}).sort_values("date").reset_index(drop=True)


def _fmt_month(d: pd.Timestamp) -> str:
    return pd.Timestamp(d).strftime("%B %Y")


def _delivery(out: Output, series: pd.DataFrame) -> Delivery:
    m = METRICS[out.metric]
    last = series.tail(12)
    r = stats.rate(
        pd.DataFrame({"x": [last["events"].sum()], "n": [last["population"].sum()]}),
        "x",
        "n",
        multiplier=m.scale,
    ).iloc[0]
    value, lo, hi = float(r["value"]), float(r["lowercl"]), float(r["uppercl"])
    verdict = V.output_verdict(value, out.target.value, out.target.direction)
    shown = series.assign(rate=series["events"] / series["population"] * m.scale)
    period = f"{_fmt_month(last['date'].iloc[0])} to {_fmt_month(last['date'].iloc[-1])}"
    return Delivery(out, value, lo, hi, period, verdict, shown)


def _quintile(lsoas: pd.DataFrame) -> pd.Series:
    q = lsoas["quantile"].astype(int)
    return ((q + 1) // 2).where(lsoas["n_quantiles"] == 10, q)


def _equity(
    prog: Programme, extract: pd.DataFrame, lsoas: pd.DataFrame, start: pd.Timestamp
) -> EquityResult:
    measure = prog.step(prog.equity.step)
    assert isinstance(measure, Measure)
    m = METRICS[measure.metric]
    quint = dict(zip(lsoas["lsoa11cd"], _quintile(lsoas), strict=True))
    rows = extract[(extract["series"] == m.series) & extract["lsoa11cd"].isin(quint)].copy()
    rows["quintile"] = rows["lsoa11cd"].astype(str).map(quint)
    last = rows["month"].max()
    post_start = max(start, last - pd.DateOffset(months=EQUITY_WINDOW - 1))
    pre_end = start - pd.DateOffset(months=1)
    pre_start = start - pd.DateOffset(months=EQUITY_WINDOW)
    frames = {}
    for name, a, b in (("pre", pre_start, pre_end), ("post", post_start, last)):
        win = rows[(rows["month"] >= a) & (rows["month"] <= b)]
        agg = win.groupby("quintile", as_index=False)[["events", "population"]].sum()
        est = stats.rate(agg, "events", "population", by="quintile", multiplier=m.scale)
        est["pop"] = agg.set_index("quintile").loc[est["quintile"], "population"].to_numpy()
        frames[name] = (est, f"{_fmt_month(a)} to {_fmt_month(b)}")
    change = sii_change(
        frames["pre"][0], frames["post"][0], quantile="quintile", population="pop", value_type=1
    )
    direction = measure.expected_change.direction
    if prog.equity.measure == "sii":
        verdict = V.equity_verdict(
            change["sii_change"], change["sii_change_lower"], change["sii_change_upper"], direction
        )
    else:  # the relative gap: log of the ratio of the RIIs
        lr = [
            float(np.log(change[k])) for k in ("rii_change", "rii_change_lower", "rii_change_upper")
        ]
        verdict = V.equity_verdict(*lr, direction)
    rows["quarter"] = rows["month"].dt.to_period("Q").dt.start_time
    q = rows.groupby(["quarter", "quintile"], as_index=False)[["events", "population"]].sum()
    q["rate"] = q["events"] / q["population"] * m.scale
    return EquityResult(
        measure,
        change,
        frames["pre"][1],
        frames["post"][1],
        verdict,
        q.rename(columns={"quarter": "date"}),
    )


def _measure(
    prog: Programme,
    measure: Measure,
    stage: str,
    extract: pd.DataFrame,
    codes: set[str],
    comparator: set[str],
    proxy_moved: bool,
    delivered: bool,
    units: dict[str, set[str]] | None = None,
) -> MeasureResult:
    m = METRICS[measure.metric]
    ev = prog.evaluation
    interruption = pd.Timestamp(ev.start) + pd.DateOffset(months=measure.expected_change.lag_months)
    interruption = interruption.to_period("M").start_time
    series = place_series(extract, codes, m)
    es = None
    if ev.design == "its" or not comparator:
        res = fit_its(
            series, interruption=interruption, impact_model=ev.impact_model, covid=ev.covid
        )
    else:
        control = place_series(extract, comparator, m)
        res = controlled_its(
            series, control, interruption=interruption, impact_model=ev.impact_model, covid=ev.covid
        )
        if ev.design == "did":
            es = _event_study(extract, codes, units or {}, m, interruption)
    ch = measure.expected_change
    size = mde(res.se_log_ratio, direction=ch.direction) if res.estimable else float("nan")
    kw = dict(
        estimable=res.estimable,
        effect=res.average_effect,
        lower=res.average_lower,
        upper=res.average_upper,
        mde=size,
        expected=ch.relative_size,
        direction=ch.direction,
    )
    if stage == "proxy":
        verdict = V.proxy_verdict(delivered, **kw)
    else:
        verdict = V.outcome_verdict(delivered, proxy_moved, **kw)
    return MeasureResult(measure, stage, interruption, res, size, verdict, es)


def _event_study(
    extract: pd.DataFrame,
    codes: set[str],
    units: dict[str, set[str]],
    m: Metric,
    interruption: pd.Timestamp,
) -> DidResult:
    """Quarterly event study of 100 x log rate: the treated place against each comparator."""
    lookup = {c: "treated" for c in codes}
    for name, lsoa in units.items():
        lookup.update({c: name for c in lsoa})
    rows = extract[(extract["series"] == m.series) & extract["lsoa11cd"].isin(lookup)].copy()
    rows["unit"] = rows["lsoa11cd"].astype(str).map(lookup)
    rows["period"] = (
        (rows["month"].dt.year - interruption.year) * 12
        + rows["month"].dt.month
        - interruption.month
    ) // 3
    panel = rows.groupby(["unit", "period"], as_index=False)[["events", "population"]].sum()
    # log points x 100 (about a % difference): a multiplicative, seasonal effect is constant
    panel["value"] = 100 * np.log((panel["events"] + 0.5) / panel["population"])
    panel["treated"] = panel["unit"] == "treated"
    return event_study(
        panel,
        unit="unit",
        period="period",
        value="value",
        weight="population",
        treated="treated",
        start=0,
        window=(-8, 8),
    )


def _arrows(prog: Programme, res: ProgrammeResult) -> list[Arrow]:
    by_step: dict[str, tuple[str, float, float, float, str, str]] = {}
    for d in res.deliveries:
        m = METRICS[d.output.metric]
        by_step[d.output.id] = (
            d.verdict,
            d.value,
            d.lower,
            d.upper,
            m.unit,
            f"{d.value:,.1f} {m.unit} (95% CI {d.lower:,.1f} to "
            f"{d.upper:,.1f}); target {d.output.target.value:,.1f}",
        )
    for mr in res.measures:
        r = mr.its
        if r.estimable:
            text = (
                f"{r.average_effect * 100:+.1f}% against expected (95% CI "
                f"{r.average_lower * 100:+.1f}% to {r.average_upper * 100:+.1f}%)"
            )
            by_step[mr.measure.id] = (
                mr.verdict,
                r.average_effect * 100,
                r.average_lower * 100,
                r.average_upper * 100,
                "%",
                text,
            )
        else:
            by_step[mr.measure.id] = (
                mr.verdict,
                float("nan"),
                float("nan"),
                float("nan"),
                "%",
                f"not yet estimable: {r.reason}",
            )
    stage = prog.stages()
    out = []
    for a in prog.assumptions:
        verdict, value, lo, hi, unit, text = by_step.get(
            a.target, ("too_early", float("nan"), float("nan"), float("nan"), "", "")
        )
        if stage[a.target] == "output":
            verdict = by_step[a.target][0]
        out.append(
            Arrow(
                prog.id,
                _label(prog, a.source),
                _label(prog, a.target),
                a.text,
                a.evidence,
                verdict,
                text,
                value,
                lo,
                hi,
                unit,
            )
        )
    eq = res.equity
    c = eq.change
    m = METRICS[eq.measure.metric]
    if prog.equity.measure == "sii":
        key = (
            f"SII change {c['sii_change']:+,.2f} (95% CI {c['sii_change_lower']:+,.2f} to "
            f"{c['sii_change_upper']:+,.2f}) {m.unit}"
        )
        value, lo, hi, unit = (
            c["sii_change"],
            c["sii_change_lower"],
            c["sii_change_upper"],
            m.unit,
        )
        test = "Change in the slope index of inequality (SII)"
    else:
        key = (
            f"RII changed by a factor of {c['rii_change']:,.3f} (95% CI "
            f"{c['rii_change_lower']:,.3f} to {c['rii_change_upper']:,.3f})"
        )
        value, lo, hi, unit = (
            c["rii_change"],
            c["rii_change_lower"],
            c["rii_change_upper"],
            "ratio",
        )
        test = "Change in the relative index of inequality (RII)"
    intent = "narrow" if prog.equity.intent == "narrow" else "not widen"
    out.append(
        Arrow(
            prog.id,
            _label(prog, eq.measure.id),
            "gap between most and least deprived",
            f"The programme should {intent} the gap",
            test,
            eq.verdict,
            key,
            value,
            lo,
            hi,
            unit,
        )
    )
    return out


def _label(prog: Programme, step_id: str) -> str:
    s = prog.step(step_id)
    return s.description


def evaluate_programme(
    prog: Programme, system: System, place: Place, extract: pd.DataFrame
) -> ProgrammeResult:
    """Evaluate one programme for one place (see the module docstring)."""
    lsoas = place_lsoas(place)
    codes = set(lsoas["lsoa11cd"])
    comparator: set[str] = set()
    units: dict[str, set[str]] = {}
    if prog.evaluation.comparator == "other_places":
        for other in system.places:
            if other.id not in prog.places:
                units[other.id] = set(place_lsoas(other)["lsoa11cd"])
                comparator |= units[other.id]
    deliveries = [
        _delivery(o, place_series(extract, codes, METRICS[o.metric])) for o in prog.outputs
    ]
    delivered = all(d.verdict == "delivered" for d in deliveries)
    measures = [
        _measure(prog, p, "proxy", extract, codes, comparator, False, delivered, units)
        for p in prog.proxies
    ]
    proxy_moved = any(m.verdict == "on_track" for m in measures)
    measures += [
        _measure(prog, o, "outcome", extract, codes, comparator, proxy_moved, delivered, units)
        for o in prog.outcomes
    ]
    equity = _equity(prog, extract, lsoas, pd.Timestamp(prog.evaluation.start))
    res = ProgrammeResult(
        prog, deliveries, measures, equity, synthetic=bool(extract["is_synthetic"].any())
    )
    res.arrows = _arrows(prog, res)
    res.verdict = V.programme_verdict([a.verdict for a in res.arrows[:-1]], equity.verdict)
    return res


def evaluate_place(
    plan: Plan, system: System, place: Place, extract: pd.DataFrame
) -> list[ProgrammeResult]:
    """Evaluate every programme of the plan that covers the place."""
    return [evaluate_programme(p, system, place, extract) for p in plan.programmes_for(place.id)]


def compute(
    system: System, place: Place, extracts: Mapping[str, pd.DataFrame]
) -> list[ProgrammeResult]:
    """The chapter's compute entry point (:attr:`hi_analysis.chapters.Chapter.compute`).

    Loads the system's plan and evaluates every programme covering the place against
    the whole system's ``programme_series`` (comparators are other places), as the
    notebook does.
    """
    from hi_analysis.logic_model.plan import load_plan

    return evaluate_place(load_plan(system), system, place, extracts["programme_series"])


def verdict_table(results: list[ProgrammeResult]) -> pd.DataFrame:
    """One row per programme and arrow: the arrow, the verdict in words, the key number."""
    rows = []
    for r in results:
        for a in r.arrows:
            rows.append(
                {
                    "Programme": r.programme.name,
                    "Arrow": f"{a.source} → {a.target}",
                    "Verdict": V.WORDS[a.verdict],
                    "Key number (95% CI)": a.key_number,
                }
            )
    return pd.DataFrame(rows)


def key_results(results: list[ProgrammeResult], place: Place) -> list[KeyResult]:
    """Each arrow's key number with its interval, as KeyResult records."""
    out = []
    for r in results:
        for i, a in enumerate(r.arrows):
            if not np.isfinite(a.value):
                continue
            out.append(
                KeyResult(
                    chapter="logic_model",
                    id=f"{r.programme.id}.arrow{i + 1}",
                    label=f"{r.programme.name}: {a.source} → {a.target} ({V.WORDS[a.verdict]})",
                    value=float(a.value),
                    lower=float(min(a.lower, a.value)),
                    upper=float(max(a.upper, a.value)),
                    unit=a.unit,
                    synthetic=r.synthetic,
                    period=place.name,
                )
            )
    return out
