"""The board report: seed 002's reporting template with seed 001's trust board cover sheet.

The report is built once as a list of plain-text blocks and rendered twice: as a
MyST page of the book and as a standalone HTML document that WeasyPrint prints to
a tagged A4 PDF (:mod:`.pdf`). What only the system can state (meeting, purpose,
deliverables, recommendations, risks) comes from ``report.yml``; the key
intelligence (by deprivation and ethnicity, with 95% intervals), the scorecard
pointers, the logic-model verdicts and the national priority ticks come from the
data. A gap the data show widening with no recommendation responding to it is a
build warning.

Examples
--------
>>> blocks = [Block("h2", "Purpose"), Block("p", "A & B")]
>>> "<h2>Purpose</h2>" in to_html(blocks, title="T")
True
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from hi_analysis.accountability.audits import UseNeedTables
from hi_analysis.accountability.dashboard import Row, value_text
from hi_analysis.accountability.evidence import Evidence
from hi_analysis.accountability.plan import REPORT_PRIORITIES, Accountability
from hi_analysis.accountability.scorecard import Cell

#: The 001 cover sheet's purposes, with its definitions.
PURPOSES = {
    "decision": (
        "Decision",
        "To formally receive a report and approve its recommendations OR a particular course "
        "of action",
    ),
    "discussion": (
        "Discussion",
        "To discuss, in depth, a report noting its implications without formally approving a "
        "recommendation or action",
    ),
    "assurance": (
        "Assurance",
        "To assure the Board that systems and processes are in place, or to advise a gap along "
        "with treatment plan",
    ),
    "noting": ("Noting", "For noting without the need for discussion"),
}
PURPOSE_LINE = (
    "The purpose of this report is to brief the Board on progress in relation to plans for "
    "tackling health inequalities."
)


@dataclass(frozen=True)
class Block:
    """A piece of the report: ``h1``-``h3``, ``p``, ``lead``, ``ul``, ``table``, ``note``, ``html``.

    ``html`` holds a chart already rendered (and escaped) by
    :func:`hi_analysis.report.chart_html`; every other kind holds plain text.
    """

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass
class Report:
    """The report's blocks and the build warnings it raised."""

    blocks: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    headline_figures: list[str] = field(default_factory=list)


def _ci(r) -> str:
    return value_text(r)


def build(
    acc: Accountability,
    *,
    system_name: str,
    places: list[tuple[str, str]],
    rows_by_place: dict[str, list[Row]],
    headlines: dict[str, str],
    cells: list[Cell],
    ev: Evidence,
    use_need: dict[str, UseNeedTables | None],
    programmes: dict[str, str],
    synthetic_note: str,
    rule: str = "nhs_england",
) -> Report:
    """Assemble the board report's blocks from the plan and the data."""
    rep = acc.report
    audits = {a.id: a for a in acc.audits}
    out = Report()
    b = out.blocks.append
    b(Block("h1", rep.title))
    if acc.illustrative:
        b(
            Block(
                "note",
                "Illustrative plan. The plan, ratings and recommendations in this report were "
                "written by the hi-analysis project to demonstrate it; they are not the "
                "system's. " + synthetic_note,
            )
        )
    b(
        Block(
            "table",
            "Cover sheet",
            header=("Item", "Detail"),
            rows=(
                ("Meeting", f"{rep.meeting}, {rep.meeting_date:%d %B %Y}"),
                ("Paper", rep.paper),
                ("Author", rep.author),
                ("Sponsor", rep.sponsor),
            ),
        )
    )
    b(
        Block(
            "table",
            "Purpose of report: this paper is for",
            header=("Purpose", "Description", "Selected"),
            rows=tuple(
                (word, desc, "X (selected)" if key == rep.purpose else "")
                for key, (word, desc) in PURPOSES.items()
            ),
        )
    )
    if rep.previous_consideration:
        b(
            Block(
                "table",
                "Previous consideration",
                header=("Meeting", "Date", "Purpose of the paper to that meeting"),
                rows=tuple(
                    (p.meeting, f"{p.date:%d %B %Y}", PURPOSES[p.purpose][0])
                    for p in rep.previous_consideration
                ),
            )
        )
    b(Block("lead", PURPOSE_LINE))
    b(Block("h2", "Executive Summary"))
    b(Block("h3", "Key deliverables"))
    b(Block("ul", items=tuple(rep.deliverables)))

    # ------------------------------------------------------------ key intelligence from data
    b(Block("h3", "Key intelligence from the data, by deprivation and ethnicity"))
    items = []
    for pid, _name in places:
        if pid in headlines:
            items.append(headlines[pid])
            out.headline_figures.append(headlines[pid])
    for pid, name in places:
        for sex in ("female", "male"):
            found = ev.lookup(pid, f"sii.sii_le_{sex}")
            if found:
                r = found[0]
                word = "women" if sex == "female" else "men"
                text = (
                    f"{name}: life expectancy of {word} differs by {_ci(r)} between the most "
                    f"and least deprived ends of the social gradient (slope index of "
                    f"inequality{', synthetic' if r.synthetic else ''})."
                )
                items.append(text)
    for pid, name in places:
        found = ev.lookup(pid, "covid.long_wait_ratio_latest")
        if found:
            r = found[0]
            items.append(
                f"{name}: the most deprived fifth's share of patients waiting over 52 weeks is "
                f"{_ci(r)} times the least deprived fifth's ({r.period}"
                f"{', synthetic' if r.synthetic else ''})."
            )
    for aid, tables in use_need.items():
        if tables is None:
            continue
        dep = tables.deprivation.sort_values("ratio").iloc[0]
        eth = tables.ethnicity.sort_values("ratio").iloc[0]
        items.append(
            f"Health equity audit '{aid}': use relative to need is lowest in deprivation fifth "
            f"{int(dep['quintile'])} ({dep['ratio']:.2f}, 95% CI {dep['lowercl']:.2f} to "
            f"{dep['uppercl']:.2f}) and in the {eth['group']} group ({eth['ratio']:.2f}, 95% CI "
            f"{eth['lowercl']:.2f} to {eth['uppercl']:.2f})"
            f"{', synthetic' if tables.synthetic else ''}."
        )
    low = []
    for pid, name in places:
        recs = [
            r
            for k, r in ev.results.get(pid, {}).items()
            if k.startswith("covid.ethnicity_recorded_")
        ]
        if recs:
            r = min(recs, key=lambda x: x.value)
            low.append(f"{name} {r.label.split(': ')[-1]} {_ci(r)}")
    if low:
        items.append(
            "Ethnicity recording is least complete in: " + "; ".join(low) + " (synthetic extracts)."
        )
    b(Block("ul", items=tuple(items)))
    for aid, tables in use_need.items():
        if tables is not None and aid in audits:
            from hi_analysis.accountability.audits import chart_for
            from hi_analysis.report import chart_html

            chart = chart_for(audits[aid], tables, ", ".join(name for _, name in places))
            b(Block("html", chart_html(chart, rule)))

    # ------------------------------------------------------------ scorecard pointers
    b(Block("h3", "Pointers from the Board Assurance Tool and Scorecard"))
    gaps = sorted((c for c in cells if c.assurance_gap), key=lambda c: -c.steps_apart)
    pointers = []
    for c in gaps:
        figures = "; ".join(c.measured[:3]) + ("; …" if len(c.measured) > 3 else "")
        pointers.append(
            f"Assurance gap at {c.kloe} x {c.priority}: the board rated it "
            f"{c.self_assessment.rating}, the data {c.data_rating}"
            f"{' (illustrative, synthetic data)' if c.synthetic else ''}. Measured: {figures}."
        )
    stale = [f"{c.kloe} x {c.priority}" for c in cells if "out of date" in c.flags]
    no_ev = [f"{c.kloe} x {c.priority}" for c in cells if "green without evidence" in c.flags]
    if stale:
        pointers.append("Ratings out of date: " + ", ".join(stale) + ".")
    if no_ev:
        pointers.append("Green ratings without evidence: " + ", ".join(no_ev) + ".")
    unrated = sum(c.self_assessment is None for c in cells)
    pointers.append(
        f"{unrated} of {len(cells)} cells of the grid have not been rated by the board."
    )
    b(Block("ul", items=tuple(pointers)))

    # ------------------------------------------------------------ logic-model verdicts
    b(Block("h3", "Insights drawn from evidence: logic-model verdicts and assumptions to review"))
    from hi_analysis.logic_model.text import REVIEW
    from hi_analysis.logic_model.verdicts import WORDS

    review_words = {WORDS[v] for v in REVIEW}
    insights, widening_programmes = [], []
    for pid, name in places:
        side = ev.sidecars.get(pid, {}).get("logic_model")
        if not side:
            continue
        verdicts = side.get("verdicts", [])
        counts: dict[str, int] = {}
        for v in verdicts:
            counts[v["Verdict"]] = counts.get(v["Verdict"], 0) + 1
        summary = ", ".join(
            f"{n} {w.lower()}" for w, n in sorted(counts.items(), key=lambda x: -x[1])
        )
        insights.append(f"{name}: {len(verdicts)} arrows tested ({summary}).")
        for v in verdicts:
            if v["Verdict"] in review_words:
                insights.append(
                    f"Review the assumption, {name}: {v['Programme']}, {v['Arrow']} "
                    f"({v['Verdict']}; {v['Key number (95% CI)']})."
                )
            if v["Verdict"] == WORDS["gap_widening"]:
                widening_programmes.append((name, v["Programme"]))
    b(Block("ul", items=tuple(insights) or ("No logic-model results in this build.",)))

    # ------------------------------------------------------------ priorities tick table
    national = {m.priority for m in acc.dashboard.metrics if m.priority}
    national |= {r.priority for r in acc.assurance.rules}
    letters = "abcde"
    b(
        Block(
            "table",
            "Which Health Inequality priority does this report address?",
            header=("National Priorities", "Addressed", "Local Priorities", "Addressed"),
            rows=tuple(
                (
                    f"{i + 1}. {text}",
                    "Yes (X)" if key in national else "No",
                    f"{letters[i]}. {rep.local_priorities.get(letters[i], 'not set')}",
                    "Yes (X)" if letters[i] in rep.local_priorities_addressed else "No",
                )
                for i, (key, text) in enumerate(REPORT_PRIORITIES.items())
            ),
        )
    )

    # ------------------------------------------------------------ recommendations
    b(Block("h2", "Recommendations for the Board"))
    b(Block("ul", items=tuple(r.text for r in rep.recommendations)))
    answered = {ref for r in rep.recommendations for ref in r.responds_to}
    widening = sorted(
        {
            (row.metric.id, name)
            for pid, name in places
            for row in rows_by_place.get(pid, [])
            if row.gap.widening
        }
    )
    for metric_id, name in widening:
        if metric_id not in answered:
            out.warnings.append(
                f"board report: the gap on dashboard metric '{metric_id}' is widening in {name} "
                "but no recommendation in report.yml responds to it (add it to responds_to)"
            )
    for name, programme in sorted(set(widening_programmes)):
        pid = programmes.get(programme, programme)
        if pid not in answered:
            out.warnings.append(
                f"board report: the logic model of '{programme}' finds the gap widening in {name} "
                "but no recommendation in report.yml responds to it"
            )
    if out.warnings:
        b(
            Block(
                "note",
                "Findings without a recommendation. "
                + " ".join(
                    (w := x.removeprefix("board report: "))[0].upper() + w[1:] + "."
                    for x in out.warnings
                ),
            )
        )

    # ------------------------------------------------------------ cover sheet, continued
    b(Block("h2", "Equality Impact Assessment and Patient and Public Involvement considerations"))
    b(Block("p", rep.equality_impact))
    b(Block("p", rep.public_involvement))
    risks = rep.risks
    b(
        Block(
            "table",
            "Risk and Assurance: risk reference",
            header=("Does this paper reference a risk event?", "Risk description"),
            rows=(
                ("Strategic: a Principal Risk on the BAF", risks.strategic or "No"),
                (
                    "Organisational: an Operational/Corporate Risk on the Datix Register",
                    risks.organisational or "No",
                ),
                ("New Risk identified in paper", risks.new or "No"),
                (
                    "None",
                    "X" if not (risks.strategic or risks.organisational or risks.new) else "",
                ),
            ),
        )
    )
    b(
        Block(
            "p",
            "Scheduled date for the next paper on this topic: "
            + (f"{rep.next_paper:%d %B %Y}" if rep.next_paper else "TBC")
            + ". Executive Summaries should not exceed 5 sides: the build checks that the PDF of "
            "this paper does not.",
        )
    )
    return out


# ----------------------------------------------------------------------------- renderers
def _split_lead(text: str) -> tuple[str, str]:
    """The first sentence (shown bold) and the rest.

    Examples
    --------
    >>> _split_lead("Illustrative plan. The rest.")
    ('Illustrative plan.', 'The rest.')
    """
    head, sep, rest = text.partition(". ")
    return (head + ".", rest) if sep else (text, "")


def to_markdown(blocks: list[Block]) -> str:
    """The report as a MyST page of the book (every value escaped)."""
    from hi_analysis.accountability.evidence import data_banner  # noqa: F401
    from hi_analysis.book import md_table
    from hi_analysis.text import escape_markdown as md

    out = []
    for blk in blocks:
        if blk.kind in ("h1", "h2", "h3"):
            out.append("#" * int(blk.kind[1]) + " " + md(blk.text))
        elif blk.kind == "p":
            out.append(md(blk.text))
        elif blk.kind == "lead":
            out.append(f"**{md(blk.text)}**")
        elif blk.kind == "ul":
            out.append("\n".join(f"- {md(i)}" for i in blk.items))
        elif blk.kind == "table":
            out.append(
                md_table(
                    md(blk.text),
                    [md(h) for h in blk.header],
                    [[md(c) for c in r] for r in blk.rows],
                )
            )
        elif blk.kind == "html":  # a chart rendered by hi_analysis.report.chart_html
            out.append(blk.text)
        elif blk.kind == "note":
            lead, rest = _split_lead(blk.text)
            out.append(
                '<div class="hi-banner hi-banner-synthetic" role="note"><p>'
                f"<strong>{html.escape(lead)}</strong> {html.escape(rest)}</p></div>"
            )
        out.append("")
    return "\n".join(out)


PRINT_CSS = """
@page { size: A4; margin: 16mm 15mm 16mm 15mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; } }
html { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 9pt; line-height: 1.35;
  color: #0b0c0c; }
h1 { font-size: 15pt; margin: 0 0 6pt; }
h2 { font-size: 12pt; margin: 10pt 0 4pt; border-bottom: 1pt solid #0b0c0c; }
h3 { font-size: 10pt; margin: 8pt 0 3pt; }
p, li { margin: 0 0 3pt; }
ul { margin: 0 0 4pt; padding-left: 14pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 6pt; page-break-inside: auto; }
caption { text-align: left; font-weight: bold; margin-bottom: 2pt; }
th, td { border: 0.5pt solid #505a5f; padding: 2pt 4pt; vertical-align: top; text-align: left;
  overflow-wrap: break-word; hyphens: manual; }
thead th { background: #f3f2f1; }
tr { page-break-inside: avoid; }
.note { border: 1.5pt solid #801650; background: #fbeef4; padding: 4pt 6pt; margin: 4pt 0; }
.lead { font-weight: bold; }
figure.hi-chart { margin: 4pt 0 6pt; page-break-inside: avoid; }
.hi-chart-title { font-weight: bold; margin: 0; }
.hi-chart-subtitle { margin: 0 0 2pt; }
.hi-chart img { width: 15cm; }
.hi-chart-source { font-size: 8pt; margin: 2pt 0; }
.hi-chart-source a { display: none; }
.hi-chart details { font-size: 8pt; }
.hi-chart summary { font-weight: bold; }
"""


def to_html(blocks: list[Block], *, title: str) -> str:
    """The report as a standalone, print-ready HTML document (every value escaped)."""
    e = html.escape
    body = []
    for blk in blocks:
        if blk.kind in ("h1", "h2", "h3"):
            body.append(f"<{blk.kind}>{e(blk.text)}</{blk.kind}>")
        elif blk.kind == "p":
            body.append(f"<p>{e(blk.text)}</p>")
        elif blk.kind == "lead":
            body.append(f'<p class="lead">{e(blk.text)}</p>')
        elif blk.kind == "ul":
            body.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in blk.items) + "</ul>")
        elif blk.kind == "html":  # a chart rendered by hi_analysis.report.chart_html
            body.append(blk.text)
        elif blk.kind == "note":
            lead, rest = _split_lead(blk.text)
            body.append(
                f'<div class="note" role="note"><p><strong>{e(lead)}</strong> {e(rest)}</p></div>'
            )
        elif blk.kind == "table":
            head = "".join(f'<th scope="col">{e(h)}</th>' for h in blk.header)
            rows = "".join(
                "<tr>"
                + f'<th scope="row">{e(r[0])}</th>'
                + "".join(f"<td>{e(c)}</td>" for c in r[1:])
                + "</tr>"
                for r in blk.rows
            )
            body.append(
                f"<table><caption>{e(blk.text)}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{rows}</tbody></table>"
            )
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>{PRINT_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
