"""Assemble and publish the Jupyter Book for one system.

The book is assembled in a fresh staging folder (generated table of contents,
a system landing page, one part per place holding its chapters, the methods
and accessibility pages), built with Jupyter Book (execution off, warnings as
errors), and only then swapped into place. A failed build leaves the
previously published site untouched.
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from hi_analysis import disclosure
from hi_analysis.chapters import CHAPTERS
from hi_analysis.config import System
from hi_analysis.data.public import provenance as data_provenance
from hi_analysis.errors import HiAnalysisError
from hi_analysis.paths import book_sources_dir, build_dir, source_root
from hi_analysis.runner import Job
from hi_analysis.text import num, pct

#: Chapter titles shown in the table of contents.
CHAPTER_TITLES = {c.id: c.title for c in CHAPTERS.values()}


class BookBuildError(HiAnalysisError):
    """Jupyter Book failed; the previous site is unchanged."""


def site_dir(system: System) -> Path:
    """Where the published HTML for a system lives."""
    return build_dir() / system.id / "site"


def md_table(
    caption: str, header: list[str], rows: list[list[str]], *, numeric: bool = False
) -> str:
    """A captioned MyST table whose first column holds row headers.

    Cells are Markdown. With ``numeric``, every column after the first is right-aligned.

    Examples
    --------
    >>> print(md_table("Places", ["Place", "People"], [["A", "1"]]))
    ```{list-table} Places
    :header-rows: 1
    :stub-columns: 1
    :class: hi-md-table
    <BLANKLINE>
    * - Place
      - People
    * - A
      - 1
    ```
    """
    lines = [
        f"```{{list-table}} {caption}",
        ":header-rows: 1",
        ":stub-columns: 1",
        ":class: hi-md-table" + (" hi-numeric-table" if numeric else ""),
        "",
    ]
    for row in [header, *rows]:
        lines += [f"* - {row[0]}", *(f"  - {cell}" for cell in row[1:])]
    lines.append("```")
    return "\n".join(lines)


def _toc(system: System) -> dict:
    parts = []
    for place in system.places:
        chapters = [
            {
                "file": f"places/{place.id}/index",
                "sections": [
                    {"file": f"places/{place.id}/{chapter}"} for chapter in system.chapters
                ],
            }
        ]
        parts.append({"caption": place.name, "chapters": chapters})
    parts.append(
        {"caption": "About this book", "chapters": [{"file": "methods"}, {"file": "accessibility"}]}
    )
    return {"format": "jb-book", "root": "intro", "parts": parts}


def _config(system: System) -> dict:
    base = yaml.safe_load((source_root() / "_config.yml").read_text(encoding="utf-8"))
    base["title"] = f"Health inequalities in {system.name}"
    return base


def _read_results(job: Job) -> dict:
    return json.loads(job.results.read_text(encoding="utf-8"))


def _landing_page(system: System, jobs: list[Job]) -> str:
    needs = {j.place: _read_results(j) for j in jobs if j.chapter == "needs_analysis"}
    rows = []
    for place in system.places:
        r = needs.get(place.id)
        if r is None:
            continue
        pop = disclosure.format_count(
            disclosure.control([r["population_mid2020"]], system.disclosure)[0]
        )
        le = r["life_expectancy"]

        def _le(sex: str, le: dict = le) -> str:
            vals = [v for k, v in le.items() if k.startswith(sex + "|")]
            if not vals:
                return "[x]"
            return num(vals[0]) if len(vals) == 1 else f"{num(min(vals))} to {num(max(vals))}"

        rows.append(
            [
                f"[{place.name}](places/{place.id}/index.md)",
                pop,
                pct(r["core20_share_iod2025"]),
                pct(r["core20_share_imd2019"]),
                _le("Female"),
                _le("Male"),
            ]
        )
    most = max(needs.items(), key=lambda kv: kv[1]["core20_share_iod2025"]) if needs else None
    lead = ""
    if most:
        name = system.place(most[0]).name
        lead = (
            f"**{pct(most[1]['core20_share_iod2025'])} of {name}'s residents live in "
            "England's most deprived 20% of neighbourhoods**, the highest share of the "
            f"{len(system.places)} places in {system.short_name}."
        )
    table = md_table(
        f"Residents, deprivation and life expectancy by place, {system.name}",
        [
            "Place",
            "Residents (mid-2020)",
            "Residents in Core20 areas, IoD2025",
            "Core20, IMD 2019",
            "Female life expectancy (years)",
            "Male life expectancy (years)",
        ],
        rows,
        numeric=True,
    )
    places = ", ".join(p.name for p in system.places)
    return f"""# Health inequalities in {system.name}

{lead}

This book describes who is being left behind in the {system.name} integrated care system
({system.short_name}, ICB code {system.icb_code}) and is built to show, with credible numbers,
whether plans are closing the gap. It has one part for each of the system's places: {places}.
Reporting period: {system.reporting_period.label}. Comparator: {system.comparator.name}.

{table}

Life expectancy is for the latest three-year period in OHID Fingertips; for Leicestershire it
is the range across its districts. "Core20" means England's most deprived 20% of
neighbourhoods (national deprivation deciles 1 and 2). These figures are official statistics
covering everyone, so they carry no confidence interval; estimates inside the chapters show
their 95% confidence intervals.

## How to use this book

- **Board members:** each chapter opens with key messages and states the key number first.
  Every chart has a headline that says what it shows, a text description, and a link to
  download the data behind it.
- **Analysts:** the book is rebuilt from the repository with one command (`make book`);
  every page ends with a record of the code revision, data fingerprint and parameters that
  produced it.
- **Facilitators and learners:** each section explains its method in plain English, using the
  place's own data; the *Data and methods* page gives the formulas and sources.

Small numbers are protected: {html.escape(disclosure.describe(system.disclosure))}
"""


def _place_page(system: System, place_id: str) -> str:
    place = system.place(place_id)
    chapters = "\n".join(
        f"- [{CHAPTERS[c].title}]({c}.ipynb): {CHAPTERS[c].summary}" for c in system.chapters
    )
    districts = ", ".join(d.name for d in place.districts)
    kind = place.kind
    return f"""# {place.name}

{place.name} ({place.code}) is a {kind} in {system.name}. Its neighbourhoods are those of
{"its districts: " + districts if len(place.districts) > 1 else "the authority itself"}.

Chapters for {place.name}:

{chapters}
"""


def _methods_page(system: System) -> str:
    template = (book_sources_dir() / "methods.md").read_text(encoding="utf-8")
    rows = [
        [d["title"], d["publisher"], d["period"], f"`{d['file']}`"] for d in data_provenance()
    ]
    table = md_table(
        "Published data used in this book", ["Data", "Publisher", "Period", "File"], rows
    )
    return template.replace("{{datasets_table}}", table).replace(
        "{{disclosure_rule}}", disclosure.describe(system.disclosure)
    )


def assemble(system: System, jobs: list[Job], staging: Path) -> Path:
    """Write the book's sources for ``system`` into ``staging`` and return it."""
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    (staging / "_toc.yml").write_text(yaml.safe_dump(_toc(system), sort_keys=False))
    (staging / "_config.yml").write_text(yaml.safe_dump(_config(system), sort_keys=False))
    shutil.copytree(book_sources_dir() / "_static", staging / "_static")
    (staging / "intro.md").write_text(_landing_page(system, jobs), encoding="utf-8")
    (staging / "methods.md").write_text(_methods_page(system), encoding="utf-8")
    shutil.copy(book_sources_dir() / "accessibility.md", staging / "accessibility.md")
    for place in system.places:
        folder = staging / "places" / place.id
        folder.mkdir(parents=True)
        (folder / "index.md").write_text(_place_page(system, place.id), encoding="utf-8")
    for job in jobs:
        shutil.copy(job.output, staging / "places" / job.place / f"{job.chapter}.ipynb")
    return staging


def build_html(staging: Path) -> Path:
    """Run Jupyter Book on the staging folder (warnings are errors); return the HTML folder."""
    exe = Path(sys.executable).with_name("jupyter-book")
    cmd = [
        str(exe),
        "build",
        str(staging),
        "--builder",
        "html",
        "-W",
        "-n",
        "--keep-going",
        "--quiet",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    out = staging / "_build" / "html"
    if proc.returncode != 0 or not (out / "index.html").is_file():
        lines = [
            ln
            for ln in (proc.stdout + proc.stderr).splitlines()
            if "WARNING" in ln or "ERROR" in ln or "Error" in ln
        ]
        detail = "; ".join(lines[:5]) or (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise BookBuildError(f"Jupyter Book failed for {staging.name}: {detail}")
    return out


def publish(html_dir: Path, target: Path) -> Path:
    """Swap a freshly built site into ``target`` (the old site survives until the swap)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(target.name + ".incoming")
    old = target.with_name(target.name + ".old")
    for p in (incoming, old):
        if p.exists():
            shutil.rmtree(p)
    shutil.copytree(html_dir, incoming)
    if target.exists():
        target.rename(old)
    incoming.rename(target)
    if old.exists():
        shutil.rmtree(old)
    return target / "index.html"


def build_book(system: System, jobs: list[Job]) -> Path:
    """Assemble, build and publish the system's book; return the absolute index.html path."""
    staging = build_dir() / system.id / "book-staging"
    assemble(system, jobs, staging)
    html_dir = build_html(staging)
    return publish(html_dir, site_dir(system)).resolve()
