"""The board assurance scorecard (seed 002): the board's own rating beside the data's.

Every cell of the 8 key lines of enquiry x 5 national priorities shows the board's
self-assessed rating (``assurance.yml``: rating, assessor, date, evidence) and,
where a rule was declared in advance, the rating the book's figures give by that
rule. The data rating never overwrites the board's. Flags: an **assurance gap**
where the two disagree, **out of date** where the self-assessment is older than
the configured number of months at the end of the reporting period, **green
without evidence**, and **illustrative (synthetic data)** where the data rating
rests on synthetic extracts (it is then never shown as assured).

Examples
--------
>>> worst(["green", "red", "amber"])
'red'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from hi_analysis.accountability.dashboard import Row, target_state, value_text
from hi_analysis.accountability.plan import (
    K1_PROMPTS,
    KLOES,
    PRIORITIES,
    Accountability,
    CellAssessment,
    DataRule,
)

RATING_WORDS = {
    "green": "Green: on track",
    "amber": "Amber: partly on track",
    "red": "Red: not on track",
}
RULE_TEXT = {
    "target_and_gap": "Green when the target is met and the gap is not widening; red when the "
    "gap is widening or the target is consistently failed; amber otherwise",
    "vs_england": "Green when better than England, red when worse, amber when similar or not "
    "judged",
    "threshold": "Green at or beyond {green}, red beyond {red}, amber between",
    "gap_change": "Red when the change in the gap is widening (95% CI excludes 0), green when "
    "narrowing, amber otherwise",
}
_ORDER = {"green": 0, "amber": 1, "red": 2}


def worst(ratings: Sequence[str]) -> str:
    """The worst of several ratings (red before amber before green)."""
    return max(ratings, key=_ORDER.__getitem__)


def rate_row(rule: DataRule, row: Row) -> str | None:
    """The rating one dashboard row earns under a declared rule (``None``: cannot rate).

    Examples
    --------
    >>> from hi_analysis.accountability.plan import DataRule
    >>> from hi_analysis.accountability.dashboard import GapReading
    >>> from hi_analysis.results import KeyResult
    >>> r = KeyResult("x", "y", "Y", 97.0, 96.0, 98.0, "%", False)
    >>> rule = DataRule(kloe="K6", priority="P3", metric="m", rule="threshold",
    ...                 green_at=95, red_at=90)
    >>> rate_row(rule, Row(None, r, None, None, GapReading(None, "not measured"), "", False))
    'green'
    """
    r = row.result
    if rule.rule == "vs_england":
        return {"better": "green", "worse": "red"}.get(r.comparison or "", "amber")
    if rule.rule == "threshold":
        up = rule.green_at >= rule.red_at
        if (r.value >= rule.green_at) if up else (r.value <= rule.green_at):
            return "green"
        if (r.value < rule.red_at) if up else (r.value > rule.red_at):
            return "red"
        return "amber"
    if rule.rule == "gap_change":
        if row.gap.result is None:
            return None
        return {"widening": "red", "narrowing": "green"}.get(row.gap.direction, "amber")
    # target_and_gap
    target = row.metric.target
    state, _ = target_state(r, target, row.chart)
    if row.gap.widening or state == "fail":
        return "red"
    if state == "pass":
        return "green"
    return "amber"


@dataclass(frozen=True)
class Cell:
    """One cell of the grid: the board's rating, the data's, and the flags."""

    kloe: str
    priority: str
    self_assessment: CellAssessment | None
    rule: DataRule | None
    data_rating: str | None
    measured: tuple[str, ...] = ()
    synthetic: bool = False
    flags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def assurance_gap(self) -> bool:
        """Whether the board's and the data's ratings disagree."""
        return "assurance gap" in self.flags

    @property
    def steps_apart(self) -> int:
        """How many steps apart the two ratings are (0 when either is missing)."""
        if self.self_assessment is None or self.data_rating is None:
            return 0
        return abs(_ORDER[self.self_assessment.rating] - _ORDER[self.data_rating])

    def self_text(self) -> str:
        """The board's rating with its assessor and date, or 'not assessed'."""
        a = self.self_assessment
        if a is None:
            return "Board: not assessed"
        if "out of date" in self.flags:
            return f"Board: out of date (was {a.rating}, {a.assessed_by}, {a.assessed_on:%d %B %Y})"
        return f"Board: {RATING_WORDS[a.rating]} ({a.assessed_by}, {a.assessed_on:%d %B %Y})"

    def data_text(self) -> str:
        """The data-evidenced rating in words (never a colour when synthetic)."""
        if self.rule is None:
            return "Data: no rule declared"
        if self.data_rating is None:
            return "Data: no figure to rate"
        if self.synthetic:
            return f"Data: would be {self.data_rating}; illustrative (synthetic data), not assured"
        return f"Data: {RATING_WORDS[self.data_rating]}"


def evaluate(
    acc: Accountability, rows_by_place: dict[str, list[Row]], names: dict[str, str], as_at: dt.date
) -> list[Cell]:
    """Every cell of the 8 x 5 grid, in row order.

    Parameters
    ----------
    acc
        The accountability plan.
    rows_by_place
        The dashboard rows of each place (:func:`hi_analysis.accountability.dashboard.rows_for`).
    names
        Place names by id, for the measured figures.
    as_at
        The date staleness is judged at (the end of the reporting period).
    """
    a = acc.assurance
    cells = {(c.kloe, c.priority): c for c in a.cells}
    rules = {(r.kloe, r.priority): r for r in a.rules}
    stale_before = _months_before(as_at, a.stale_after_months)
    out = []
    for kloe in KLOES:
        for priority in PRIORITIES:
            own, rule = cells.get((kloe, priority)), rules.get((kloe, priority))
            ratings, measured, synthetic = [], [], False
            if rule is not None:
                for place, rows in rows_by_place.items():
                    for row in rows:
                        if row.metric.id != rule.metric:
                            continue
                        rating = rate_row(rule, row)
                        if rating is None:
                            continue
                        ratings.append(rating)
                        uses_gap = rule.rule in ("gap_change", "target_and_gap")
                        synthetic |= row.result.synthetic or (
                            uses_gap and row.gap.result is not None and row.gap.result.synthetic
                        )
                        where = names.get(place, place) + (
                            f" ({row.result.area})" if row.result.area else ""
                        )
                        figure = value_text(row.result)
                        if rule.rule == "gap_change" and row.gap.result is not None:
                            figure = value_text(row.gap.result) + f", {row.gap.direction}"
                        measured.append(f"{where}: {figure} ({rating})")
            data = worst(ratings) if ratings else None
            flags = []
            if own is not None and own.assessed_on < stale_before:
                flags.append("out of date")
            if own is not None and own.rating == "green" and not own.evidence:
                flags.append("green without evidence")
            if own is not None and data is not None and own.rating != data:
                flags.append("assurance gap")
            if data is not None and synthetic:
                flags.append("illustrative (synthetic data)")
            out.append(
                Cell(kloe, priority, own, rule, data, tuple(measured), synthetic, tuple(flags))
            )
    return out


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (the last day of the month where it does not exist).

    Examples
    --------
    >>> _months_before(dt.date(2025, 12, 31), 12)
    datetime.date(2024, 12, 31)
    """
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(y, m + 1, d)
        except ValueError:
            continue
    raise ValueError(day)


def rule_text(rule: DataRule) -> str:
    """The declared rule in words."""
    text = RULE_TEXT[rule.rule].format(green=rule.green_at, red=rule.red_at)
    return f"Rule on the dashboard metric '{rule.metric}': {text}"


def page(acc: Accountability, cells: list[Cell], as_at: dt.date, system_name: str) -> str:
    """The scorecard page, as MyST Markdown."""
    from hi_analysis.accountability.evidence import illustrative_banner
    from hi_analysis.book import md_table
    from hi_analysis.text import escape_markdown as md

    gaps = sorted((c for c in cells if c.assurance_gap), key=lambda c: -c.steps_apart)
    rated = [c for c in cells if c.data_rating is not None]
    assessed = [c for c in cells if c.self_assessment is not None]
    stale = [c for c in cells if "out of date" in c.flags]
    no_ev = [c for c in cells if "green without evidence" in c.flags]
    synthetic = [c for c in cells if c.synthetic]
    lead = (
        f"Of {len(assessed)} cells the board has rated and {len(rated)} the data can rate, "
        f"{len(gaps)} show an assurance gap (the board's rating and the data's disagree); "
        f"{len(stale)} {'rating is' if len(stale) == 1 else 'ratings are'} out of date and "
        f"{len(no_ev)} green {'rating has' if len(no_ev) == 1 else 'ratings have'} no evidence."
    )
    out = [f"# Board assurance scorecard: {md(system_name)}", "", f"**{md(lead)}**", ""]
    if acc.illustrative:
        out += [illustrative_banner(), ""]
    if synthetic:
        from hi_analysis.accountability.evidence import data_banner

        out += [
            data_banner(
                [f"the data rating of {len(synthetic)} cells (shown as 'illustrative')"],
                ["the ratings resting on OHID Fingertips figures"],
            ),
            "",
        ]
    out += [
        "The grid is seed 002's board assurance tool: the eight key lines of enquiry (CQC "
        "well-led domain, modified for health inequalities) against the five national "
        "priorities. Each cell shows the board's own rating beside the rating the book's "
        "figures give by a rule declared in advance in the plan; the data rating never "
        f"replaces the board's. Ratings made more than {a_months(acc)} months before the end "
        f"of the reporting period ({md(f'{as_at:%d %B %Y}')}) are shown as out of date.",
        "",
        "## Assurance gaps first",
        "",
    ]
    if gaps:
        rows = []
        for c in gaps:
            rows.append(
                [
                    md(f"{c.kloe} x {c.priority}"),
                    md(c.self_text()),
                    md(c.data_text()),
                    md("; ".join(c.measured)),
                    md(rule_text(c.rule)),
                ]
            )
        out.append(
            md_table(
                "Cells where the board's rating and the data-evidenced rating disagree, with the "
                "measured figures (95% CI)",
                ["Cell", "Board's rating", "Data rating", "Measured figures", "Rule"],
                rows,
            )
        )
    else:
        out.append("No cell shows an assurance gap.")
    out += ["", "## The grid", ""]
    grid = []
    for kloe, text in KLOES.items():
        row = [md(f"{kloe}. {text}")]
        for priority in PRIORITIES:
            c = next(x for x in cells if x.kloe == kloe and x.priority == priority)
            parts = [c.self_text(), c.data_text()]
            if c.flags:
                parts.append("Flags: " + ", ".join(c.flags))
            prompts = K1_PROMPTS.get(priority, ()) if kloe == "K1" else ()
            if c.self_assessment is not None and c.self_assessment.prompt:
                prompts = (*prompts, c.self_assessment.prompt)
            if prompts:
                parts.append("Prompts: " + " ".join(prompts))
            row.append("<br>".join(md(p) for p in parts))
        grid.append(row)
    out.append(
        md_table(
            f"Board assurance tool, {md(system_name)}: the board's rating and the data rating of "
            "each key line of enquiry against each national priority",
            ["Key Lines of Enquiry", *(md(p) for p in PRIORITIES.values())],
            grid,
        )
    )
    out += [
        "",
        "The seed gives prompts for row K1 only; rows K2 to K8 show the system's own prompts "
        "where the plan sets them.",
        "",
        "## Evidence register",
        "",
    ]
    ev_rows = []
    for c in cells:
        a = c.self_assessment
        for e in a.evidence if a else ():
            ev_rows.append([md(f"{c.kloe} x {c.priority}"), md(e.text), md(f"{e.dated:%d %B %Y}")])
    out.append(
        md_table("Evidence behind the board's ratings", ["Cell", "Evidence", "Dated"], ev_rows)
        if ev_rows
        else "No evidence items recorded."
    )
    out += [
        "",
        "## Why two columns",
        "",
        "A board rating its own progress has an obvious conflict of interest, and a red, amber "
        "or green colour on its own hides how sure anyone can be (Making Data Count). So the "
        "book keeps the board's rating and the data's side by side, states every rule before "
        "the data are seen, flags where they disagree, and never colours a rating resting on "
        "synthetic data as assured.",
        "",
    ]
    return "\n".join(out)


def a_months(acc: Accountability) -> int:
    """The staleness threshold in months."""
    return acc.assurance.stale_after_months
