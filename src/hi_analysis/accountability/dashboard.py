"""The health equity dashboard of a place (seed 001 Action 7c).

For every agreed metric (``dashboard.yml``) the dashboard reads the chapter's key
result and shows: the latest value and its 95% interval; the comparison with
England in words and a symbol; the change since the agreed baseline with a
Making Data Count reading of the series (XmR chart); the target and whether the
data assure it; the gap between the most and least deprived with its interval
and its direction; recording completeness; and whether the figure is real or
synthetic. Nothing is recomputed: each number is the chapter's own.

Examples
--------
>>> comparison_text("worse")
'✗ Worse than England'
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from dataclasses import dataclass

from hi_analysis.accountability.evidence import Evidence, data_banner, illustrative_banner
from hi_analysis.accountability.plan import Accountability, DashboardMetric, Target
from hi_analysis.results import KeyResult
from hi_analysis.stats.spc import XmR, xmr
from hi_analysis.text import escape_markdown as md
from hi_analysis.text import join_names, num, period

#: Words and a symbol for each comparison with England (colour is never used alone).
COMPARISON_WORDS = {
    "better": ("✓", "Better than England"),
    "similar": ("≈", "Similar to England"),
    "worse": ("✗", "Worse than England"),
    "higher": ("↑", "Higher than England"),
    "lower": ("↓", "Lower than England"),
    "not compared": ("–", "Not compared with England"),
}
DOMAINS = {
    "outcomes": "Outcomes",
    "prevention": "Prevention",
    "elective_recovery": "Elective recovery",
    "digital": "Digital inclusion",
    "data_quality": "Data quality",
}


def comparison_text(comparison: str | None) -> str:
    """A comparison with England as symbol and words."""
    symbol, words = COMPARISON_WORDS.get(
        comparison or "not compared", COMPARISON_WORDS["not compared"]
    )
    return f"{symbol} {words}"


def fmt(value: float | None, unit: str = "") -> str:
    """A number to a sensible precision (two decimals for ratios and small values)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not available"
    digits = 2 if unit in ("ratio",) or abs(value) < 10 else 1
    text = num(abs(value), digits)
    return "−" + text if value < 0 and text.strip("0.,") else text


def value_text(r: KeyResult) -> str:
    """The value with its unit and 95% interval, or a note that none is published."""
    unit = "" if r.unit in ("ratio",) else (" " + r.unit if r.unit not in ("%",) else "%")
    if r.has_interval:
        lo, hi = fmt(r.lower, r.unit), fmt(r.upper, r.unit)
        return f"{fmt(r.value, r.unit)}{unit} (95% CI {lo} to {hi})"
    return f"{fmt(r.value, r.unit)}{unit} (no CI published)"


@dataclass(frozen=True)
class GapReading:
    """The gap between most and least deprived: its figure and whether it is widening."""

    result: KeyResult | None
    direction: str  # "widening", "narrowing", "no clear change", "not measured"

    @property
    def widening(self) -> bool:
        """Whether the data show the gap widening."""
        return self.direction == "widening"

    def text(self) -> str:
        """The gap in words with its interval and direction."""
        if self.result is None:
            return "No gap measure agreed"
        r = self.result
        name = "SII" if r.label.startswith("Slope index of inequality") else r.label
        return f"{name}: {value_text(r)}; {self.direction}"


def gap_reading(gap: KeyResult | None, *, change: bool = False) -> GapReading:
    """Read the direction of a gap measure.

    A measure of change in the gap (``change``, e.g. a difference in differences) is
    widening when its interval excludes zero in the direction its polarity calls
    worse. A gap with a series is read with the MDC rules on its XmR chart. Otherwise
    its direction is not measured.

    Examples
    --------
    >>> from hi_analysis.results import KeyResult
    >>> g = KeyResult("c", "d", "Change in gap", 2.0, 0.5, 3.5, "percentage points", True,
    ...               polarity="lower_is_better")
    >>> gap_reading(g, change=True).direction
    'widening'
    """
    if gap is None:
        return GapReading(None, "not measured")
    if change and gap.has_interval:
        worse_up = gap.polarity != "higher_is_better"
        if gap.lower > 0:
            return GapReading(gap, "widening" if worse_up else "narrowing")
        if gap.upper < 0:
            return GapReading(gap, "narrowing" if worse_up else "widening")
        return GapReading(gap, "no clear change")
    if gap.series and len(gap.series) >= 3:
        reading = xmr([v for _, v in gap.series]).variation(gap.polarity)
        if reading == "special cause concern":
            return GapReading(gap, "widening")
        if reading == "special cause improvement":
            return GapReading(gap, "narrowing")
        return GapReading(gap, "no clear change")
    return GapReading(gap, "not measured over time")


def target_state(r: KeyResult, target: Target, chart: XmR | None) -> tuple[str, str]:
    """Whether the data pass a target: ``(state, reading)``, state ``pass``, ``fail`` or ``spans``.

    With a series, the MDC assurance reading of the target against the process
    limits; without, whether the latest 95% interval (or the value, for an official
    statistic) lies wholly on the passing side.
    """
    if chart is not None:
        reading = chart.assurance(target.value, target.direction)
        state = {"consistently passing": "pass", "consistently failing": "fail"}.get(
            reading, "spans"
        )
        return state, reading
    lo, hi = (r.lower, r.upper) if r.has_interval else (r.value, r.value)
    if (lo >= target.value) if target.direction == "at_least" else (hi <= target.value):
        return "pass", "met (interval wholly on the passing side)"
    if (hi < target.value) if target.direction == "at_least" else (lo > target.value):
        return "fail", "not met (interval wholly on the failing side)"
    return "spans", "not assured (interval spans the target)"


def target_reading(r: KeyResult, target: Target | None, chart: XmR | None) -> tuple[str, bool]:
    """The target in words and whether the data assure it: ``(text, assured)``.

    A figure from synthetic data is never called assured.
    """
    if target is None:
        return "No target agreed", False
    word = "at least" if target.direction == "at_least" else "at most"
    head = f"{word} {fmt(target.value, r.unit)} by {target.by:%B %Y}"
    state, reading = target_state(r, target, chart)
    if r.synthetic:
        return f"{head}: {reading}; illustrative (synthetic data), not assured", False
    assured = state == "pass"
    return f"{head}: {reading}" + ("; assured" if assured else "; not assured"), assured


@dataclass(frozen=True)
class Row:
    """One agreed metric for one area of a place."""

    metric: DashboardMetric
    result: KeyResult
    chart: XmR | None
    baseline_value: float | None
    gap: GapReading
    target: str
    assured: bool

    @property
    def variation(self) -> str:
        """The MDC variation reading in words."""
        if self.chart is None:
            return "No series: not assessed"
        words = self.chart.variation(self.result.polarity)
        if self.chart.provisional:
            words += f" ({len(self.chart.values)} points: limits provisional)"
        return words[0].upper() + words[1:]

    def change_text(self) -> str:
        """The change since the agreed baseline, with the SPC reading."""
        if self.metric.baseline is None or self.baseline_value is None:
            base = "No baseline in the series"
            if self.metric.baseline is None:
                base = "No baseline agreed"
        else:
            diff = self.result.value - self.baseline_value
            sign = "+" if diff > 0 else "−" if diff < 0 else "±"
            base = f"{sign}{fmt(abs(diff), self.result.unit)} since {period(self.metric.baseline)}"
        return f"{base}. {self.variation}"


def rows_for(place: str, acc: Accountability, ev: Evidence) -> list[Row]:
    """Every agreed metric's rows for a place (one per district for a county's published ones)."""
    out = []
    for m in acc.dashboard.metrics:
        gaps = ev.lookup(place, m.gap) if m.gap else []
        for r in ev.lookup(place, m.result):
            gap = next((g for g in gaps if g.area == r.area), gaps[0] if gaps else None)
            chart = xmr([v for _, v in r.series]) if r.series and len(r.series) >= 3 else None
            base = None
            if m.baseline and r.series:
                base = next((v for p, v in r.series if p == m.baseline), None)
            text, assured = target_reading(r, m.target, chart)
            out.append(
                Row(
                    metric=m,
                    result=r,
                    chart=chart,
                    baseline_value=base,
                    gap=gap_reading(gap, change=m.gap_is_change),
                    target=text,
                    assured=assured,
                )
            )
    return out


def headline(place_name: str, rows: list[Row], n_metrics: int) -> str:
    """The dashboard's first sentence: how the place compares with England, and its gaps.

    Examples
    --------
    >>> headline("Nowhere", [], 3)
    'None of the 3 agreed measures has a value for Nowhere yet.'
    """
    if not rows:
        return f"None of the {n_metrics} agreed measures has a value for {place_name} yet."
    counts = Counter(r.result.comparison or "not compared" for r in rows)
    parts = []
    for key, first in (
        ("worse", "worse than England"),
        ("similar", "similar to England"),
        ("better", "better than England"),
    ):
        if counts[key]:
            parts.append(f"{first if not parts else key} on {counts[key]}")
    other = sum(v for k, v in counts.items() if k not in ("worse", "similar", "better"))
    measured = {r.metric.id for r in rows}
    areas = {r.result.area for r in rows if r.result.area}
    if areas:
        lead = (
            f"Of {len(measured)} agreed measures, shown for {place_name}'s {len(areas)} districts "
            f"({len(rows)} values), the values are "
        )
    else:
        lead = f"Of {len(measured)} agreed measures, {place_name} is "
    sentence = lead + (join_names(parts) if parts else "not compared with England on any")
    if other:
        sentence += f" ({other} not judged better or worse)"
    widening = sorted({r.metric.id for r in rows if r.gap.widening})
    gaps = {r.metric.id for r in rows if r.gap.result is not None}
    sentence += (
        f"; the gap between the most and least deprived is widening on {len(widening)} of the "
        f"{len(gaps)} measures with a gap measure."
    )
    return sentence


def _data_kind(r: KeyResult) -> str:
    return "Synthetic (illustrative)" if r.synthetic else "Real (published)"


def _completeness(r: KeyResult) -> str:
    if r.completeness is not None:
        return f"{r.completeness * 100:.1f}% recorded"
    return "complete (official statistic)" if not r.synthetic else "completeness not reported"


def csv_rows(rows: list[Row]) -> str:
    """The dashboard as CSV (values only, no counts), spreadsheet-safe."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "metric",
            "measure",
            "area",
            "period",
            "value",
            "lower_95",
            "upper_95",
            "unit",
            "england",
            "compared_with_england",
            "baseline_period",
            "baseline_value",
            "spc_reading",
            "target",
            "gap_measure",
            "gap_value",
            "gap_lower_95",
            "gap_upper_95",
            "gap_direction",
            "data",
        ]
    )
    for row in rows:
        r, g = row.result, row.gap.result
        cells = [
            row.metric.id,
            r.label,
            r.area or "",
            r.period,
            r.value,
            r.lower if r.lower is not None else "",
            r.upper if r.upper is not None else "",
            r.unit,
            r.comparator_value if r.comparator_value is not None else "",
            r.comparison or "",
            row.metric.baseline or "",
            row.baseline_value if row.baseline_value is not None else "",
            row.variation,
            row.target,
            g.label if g else "",
            g.value if g else "",
            g.lower if g and g.lower is not None else "",
            g.upper if g and g.upper is not None else "",
            row.gap.direction,
            _data_kind(r),
        ]
        w.writerow(
            ["'" + c if isinstance(c, str) and c[:1] in ("=", "+", "-", "@") else c for c in cells]
        )
    return buf.getvalue()


def page(
    place_id: str, place_name: str, acc: Accountability, ev: Evidence, *, csv_name: str
) -> str:
    """The dashboard page of a place, as MyST Markdown."""
    from hi_analysis.book import md_table

    rows = rows_for(place_id, acc, ev)
    d = acc.dashboard
    synthetic = sorted(
        {r.result.label for r in rows if r.result.synthetic}
        | {r.gap.result.label for r in rows if r.gap.result is not None and r.gap.result.synthetic}
    )
    real = ["OHID Fingertips indicators and the real published COVID-19 figures"]
    out = [f"# Health equity dashboard: {md(place_name)}", ""]
    out.append(f"**{md(headline(place_name, rows, len(d.metrics)))}**")
    out.append("")
    if acc.illustrative:
        out += [illustrative_banner(), ""]
    out += [data_banner(synthetic, real), ""]
    out.append(
        f"The metrics were agreed by {md(d.agreed_by)} on {md(f'{d.agreed_on:%d %B %Y}')} "
        f"(seed 001 Action 7c: a dashboard for each place with agreed metrics and benchmarked "
        f"baseline performance). Baseline: {md(d.baseline_label)}. Each value is the one its "
        "chapter computed; the change since the baseline is read with the Making Data Count "
        "rules on an XmR chart of the published series (special-cause improvement or concern, "
        "or common-cause variation), and a target counts as assured only when the process "
        "limits, or the latest 95% confidence interval, lie wholly on its passing side."
    )
    out.append("")
    for domain, title in DOMAINS.items():
        drows = [r for r in rows if r.metric.domain == domain]
        if not drows:
            continue
        out += [f"## {md(title)}", ""]
        table = []
        for row in drows:
            r = row.result
            name = r.label + (f" ({r.area})" if r.area else "")
            eng = (
                f"{comparison_text(r.comparison)} ({fmt(r.comparator_value, r.unit)})"
                if r.comparator_value is not None
                else comparison_text(r.comparison)
            )
            gap = row.gap.text()
            if r.area and row.gap.result is not None and row.gap.result.area is None:
                gap = f"{place_name} as a whole: {gap}"
            table.append(
                [
                    md(name),
                    md(f"{value_text(r)}, {r.period}") + "<br>" + md(eng),
                    md(row.change_text()),
                    md(gap),
                    md(row.target) + "<br>" + md(f"{_data_kind(r)}; {_completeness(r)}"),
                ]
            )
        out.append(
            md_table(
                f"{md(title)}: agreed measures for {md(place_name)} with 95% confidence intervals",
                [
                    "Measure",
                    "Latest (95% CI) and England",
                    "Change since baseline (SPC)",
                    "Gap, most vs least deprived",
                    "Target; data and completeness",
                ],
                table,
            )
        )
        out.append("")
    missing = [m.id for m in d.metrics if not ev.lookup(place_id, m.result)]
    if missing:
        out.append(
            "Not available for "
            + md(place_name)
            + ": "
            + md(", ".join(missing))
            + " (the data have no value for this place)."
        )
        out.append("")
    out += [
        "## How to read this dashboard",
        "",
        "- **Compared with England** uses OHID's own judgement (better, similar or worse by "
        "the 95% confidence interval; higher or lower where no judgement of better or worse "
        "applies), shown as a word and a symbol.",
        "- **Change since baseline** gives the difference from the agreed baseline period and "
        "the Making Data Count reading of the whole series: a point outside the process limits "
        "(mean ± 2.66 × the mean moving range), a run of 7 on one side of the mean, a trend of "
        "6, or two of three points near a limit is special cause; anything else is common "
        "cause. With fewer than 15 points the limits are provisional.",
        "- **Gap** is the slope index of inequality (or the stated ratio) between the most and "
        "least deprived, with its 95% confidence interval; it is read as widening or "
        "narrowing only when the data show it.",
        "",
        f"{{download}}`Download the dashboard data (CSV) <{csv_name}>`",
        "",
    ]
    return "\n".join(out)
