"""The system's accountability pages: dashboards, scorecard, board report, audits, standards.

Seed 001 Action 7c asks for a health equity dashboard per place, Action 8 for a health
equity audit of every project; seed 002 gives the board assurance tool and the board
reporting template; seed 000 Section 2 the standards a plan must meet. These pages are
generated while the book is assembled, from the key results the chapters wrote in their
JSON sidecars (one source of each number) and from what the system states in
``parameters/<system>/plan/`` (:mod:`.plan`).

The book calls two hooks: :func:`write_pages` while assembling the sources (it writes
the pages and adds them to the table of contents) and :func:`write_report_pdf` after
the HTML is built and before it is published (so a failed PDF never half-publishes).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from hi_analysis.config import System
from hi_analysis.errors import ConfigError

#: Folder (in the book) of the system-level pages.
FOLDER = "accountability"
#: File name of the board report's PDF, inside :data:`FOLDER` of the published site.
PDF_NAME = "board-report.pdf"


@dataclass
class Pages:
    """What :func:`write_pages` made: the print HTML of the board report, and warnings."""

    report_html: str = ""
    report_title: str = ""
    warnings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _add_to_toc(staging: Path, system: System, pages: list[str], audits: list[str]) -> None:
    toc_path = staging / "_toc.yml"
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))

    def visit(entries: Iterable[dict]) -> None:
        for entry in entries:
            f = entry.get("file", "")
            for place in system.places:
                if f == f"places/{place.id}/index":
                    entry.setdefault("sections", []).append(
                        {"file": f"places/{place.id}/dashboard"}
                    )
            visit(entry.get("sections", []))

    for part in toc.get("parts", []):
        visit(part.get("chapters", []))
    chapters = []
    for page in pages:
        entry: dict = {"file": f"{FOLDER}/{page}"}
        if page == "audits" and audits:
            entry["sections"] = [{"file": f"{FOLDER}/audit-{a}"} for a in audits]
        chapters.append(entry)
    part = {"caption": "Accountability: is the plan reducing inequalities?", "chapters": chapters}
    parts = toc.setdefault("parts", [])
    about = next((i for i, p in enumerate(parts) if p.get("caption") == "About this book"), None)
    parts.insert(len(parts) if about is None else about, part)
    toc_path.write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")


def write_pages(system: System, jobs: list, staging: Path, say=_say) -> Pages | None:
    """Write every accountability page into the book's staging folder.

    Parameters
    ----------
    system
        The system.
    jobs
        The runner's jobs of the build (their ``results`` are the chapters' sidecars).
    staging
        The book's staging folder (``_toc.yml`` already written).
    say
        Where build warnings go (standard error by default).

    Returns
    -------
    Pages or None
        ``None`` when the system's plan has no ``dashboard.yml``.

    Raises
    ------
    ConfigError
        A malformed plan file, or an agreed metric no chapter computes.
    """
    from hi_analysis.accountability import audits as audit_pages
    from hi_analysis.accountability import board_report, dashboard, scorecard, standards
    from hi_analysis.accountability.evidence import Evidence
    from hi_analysis.accountability.plan import has_accountability, load_accountability

    if not has_accountability(system):
        return None
    acc = load_accountability(system)
    ev = Evidence.from_files(
        (j.place, j.chapter, j.results) for j in jobs if Path(j.results).is_file()
    )
    for i, m in enumerate(acc.dashboard.metrics):
        for name in ("result", "gap"):
            ref = getattr(m, name)
            if ref and not ev.known(ref):
                raise ConfigError(
                    f"{acc.files['dashboard']}: metrics.{i}.{name}: no chapter computed a key "
                    f"result {ref!r} for any place"
                )
    plan = None
    if "logic_model" in system.chapters:
        from hi_analysis.logic_model.plan import load_plan

        plan = load_plan(system)
    as_at = system.reporting_period.end
    names = {p.id: p.name for p in system.places}
    rows_by_place = {p.id: dashboard.rows_for(p.id, acc, ev) for p in system.places}
    out = Pages()
    headlines = {}
    for place in system.places:
        folder = staging / "places" / place.id
        folder.mkdir(parents=True, exist_ok=True)
        csv_name = f"dashboard-{place.id}.csv"
        (folder / csv_name).write_text(
            dashboard.csv_rows(rows_by_place[place.id]), encoding="utf-8"
        )
        (folder / "dashboard.md").write_text(
            dashboard.page(place.id, place.name, acc, ev, csv_name=csv_name), encoding="utf-8"
        )
        headlines[place.id] = dashboard.headline(
            place.name, rows_by_place[place.id], len(acc.dashboard.metrics)
        )
        index = folder / "index.md"
        if index.is_file():
            with index.open("a", encoding="utf-8") as fh:
                fh.write(
                    "\nAccountability: the [health equity dashboard](dashboard.md) of the "
                    "measures the system agreed, against England and over time.\n"
                )
    sys_dir = staging / FOLDER
    sys_dir.mkdir(parents=True, exist_ok=True)
    cells = scorecard.evaluate(acc, rows_by_place, names, as_at)
    (sys_dir / "scorecard.md").write_text(
        scorecard.page(acc, cells, as_at, system.name), encoding="utf-8"
    )
    found = standards.checks(acc, plan, rows_by_place, [p.id for p in system.places], as_at)
    (sys_dir / "standards.md").write_text(
        standards.page(acc, found, list(names.items()), system.name, list(system.chapters)),
        encoding="utf-8",
    )
    use_need = {}
    extracts: dict = {}

    def load(name: str):
        from hi_analysis.extracts import read_extract

        if name not in extracts:  # validated once per build: read typed from the cache
            extracts[name] = read_extract(system, name)
        return extracts[name]

    for audit in acc.audits:
        use_need[audit.id] = audit_pages.use_need_tables(audit, system, load)
        (sys_dir / f"audit-{audit.id}.md").write_text(
            audit_pages.page(
                audit, system, as_at, use_need[audit.id], illustrative=acc.illustrative
            ),
            encoding="utf-8",
        )
    (sys_dir / "audits.md").write_text(
        audit_pages.index_page(list(acc.audits), system, as_at, illustrative=acc.illustrative),
        encoding="utf-8",
    )
    synthetic_note = (
        "Figures marked synthetic come from synthetic record-level extracts generated for "
        "demonstration, not real patient data; the others are real published statistics."
    )
    report = board_report.build(
        acc,
        system_name=system.name,
        places=list(names.items()),
        rows_by_place=rows_by_place,
        headlines=headlines,
        cells=cells,
        ev=ev,
        use_need=use_need,
        programmes={p.name: p.id for p in plan.programmes} if plan else {},
        synthetic_note=synthetic_note,
        rule=system.disclosure,
    )
    body = board_report.to_markdown(report.blocks)
    link = (
        f'<p><a href="{PDF_NAME}">Download this report as an A4 PDF for circulation '
        "(at most five sides)</a></p>\n\n"
    )
    first, rest = body.split("\n", 1)
    (sys_dir / "board-report.md").write_text(first + "\n\n" + link + rest, encoding="utf-8")
    out.report_html = board_report.to_html(report.blocks, title=acc.report.title)
    out.report_title = acc.report.title
    out.warnings = report.warnings
    for w in out.warnings:
        say(f"Warning: {w}")
    _add_to_toc(
        staging,
        system,
        ["board-report", "scorecard", "standards", "audits"],
        [a.id for a in acc.audits],
    )
    out.files = ["board-report", "scorecard", "standards", "audits"]
    return out


def write_report_pdf(pages: Pages | None, html_dir: Path, say=_say) -> Path | None:
    """Print the board report to ``<html_dir>/accountability/board-report.pdf``.

    Returns ``None`` (after one line on standard error) when WeasyPrint cannot run
    here; raises :class:`.pdf.ReportTooLong` when the report exceeds five sides.
    """
    from hi_analysis.accountability.pdf import PdfUnavailable, write_pdf

    if pages is None or not pages.report_html:
        return None
    try:
        return write_pdf(pages.report_html, html_dir / FOLDER / PDF_NAME, title=pages.report_title)
    except PdfUnavailable as exc:
        say(f"Warning: {exc}; the board report is published as HTML only")
        return None
