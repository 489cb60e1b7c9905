"""Assemble and publish the Jupyter Book for one system, one edition at a time.

The book is assembled in a fresh staging folder (generated table of contents,
a system landing page, one part per place holding its chapters, the page "What
changed since the last edition", the methods and accessibility pages), built with
Jupyter Book (execution off, warnings as errors), and only then swapped into place.
A failed build leaves every previously published edition untouched.

Published layout (``_build/<system>/``)::

    editions/<slug>.<digest>/     one edition's site, named by its content digest,
                                  with its record edition.json
    editions/<slug>               link to the edition's current version (swapped atomically)
    editions/index.html           every published edition, latest first
    site                          link to the latest edition (``editions/<slug>``)

Each edition is named by its reporting period (:mod:`hi_analysis.editions`);
rebuilding an edition replaces it, and earlier editions are kept.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from hi_analysis import disclosure, editions
from hi_analysis.chapters import CHAPTERS
from hi_analysis.config import System
from hi_analysis.data.public import provenance as data_provenance
from hi_analysis.errors import HiAnalysisError
from hi_analysis.paths import book_sources_dir, build_dir, source_root
from hi_analysis.runner import Job
from hi_analysis.safeio import atomic_write_text
from hi_analysis.teaching.core import PROFILES, filter_notebook
from hi_analysis.text import escape_markdown as md
from hi_analysis.text import num, pct

#: Chapter titles shown in the table of contents.
CHAPTER_TITLES = {c.id: c.title for c in CHAPTERS.values()}


class BookBuildError(HiAnalysisError):
    """Jupyter Book failed; the previous site is unchanged."""


def site_dir(system: System, profile: str = "board") -> Path:
    """Where the published HTML of a system's book lives.

    The board version is ``_build/<system>/site``, a link to the latest edition's site;
    the teaching version of the latest edition sits beside it in
    ``_build/<system>/teaching/site``.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}: choose one of {', '.join(PROFILES)}")
    root = build_dir() / system.id
    return root / "site" if profile == "board" else root / profile / "site"


def editions_dir(system: System) -> Path:
    """The folder holding every published edition of a system's book."""
    return build_dir() / system.id / "editions"


def md_table(
    caption: str, header: list[str], rows: list[list[str]], *, numeric: bool = False
) -> str:
    """A captioned MyST table whose first column holds row headers.

    Cells are Markdown. With ``numeric``, every column after the first is right-aligned.
    The directive is fenced with tildes: a backtick fence's caption may not contain a
    backtick, and an escaped name may.

    Examples
    --------
    >>> print(md_table("Places", ["Place", "People"], [["A", "1"]]))
    ~~~{list-table} Places
    :header-rows: 1
    :stub-columns: 1
    :class: hi-md-table
    <BLANKLINE>
    * - Place
      - People
    * - A
      - 1
    ~~~
    """
    lines = [
        f"~~~{{list-table}} {caption}",
        ":header-rows: 1",
        ":stub-columns: 1",
        ":class: hi-md-table" + (" hi-numeric-table" if numeric else ""),
        "",
    ]
    for row in [header, *rows]:
        lines += [f"* - {row[0]}", *(f"  - {cell}" for cell in row[1:])]
    lines.append("~~~")
    return "\n".join(lines)


def _toc(system: System, profile: str = "board") -> dict:
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
    if profile == "teaching":
        parts.append(
            {"caption": "Teaching", "chapters": [{"file": "facilitator"}, {"file": "analysts"}]}
        )
    parts.append({"caption": "This edition", "chapters": [{"file": "changes"}]})
    parts.append(
        {"caption": "About this book", "chapters": [{"file": "methods"}, {"file": "accessibility"}]}
    )
    return {"format": "jb-book", "root": "intro", "parts": parts}


#: Said at the top of every page of the teaching version (the theme's announcement bar).
TEACHING_NOTICE = (
    "Teaching version, for leadership training: the same figures as the board version, "
    "with the methods explained, discussion questions and quizzes."
)


def _config(system: System, record: dict | None = None, profile: str = "board") -> dict:
    base = yaml.safe_load((source_root() / "_config.yml").read_text(encoding="utf-8"))
    base["title"] = f"Health inequalities in {system.name}"
    sphinx_config = base.setdefault("sphinx", {}).setdefault("config", {})
    theme = sphinx_config.setdefault("html_theme_options", {})
    if record is not None:  # the edition, named at the top of every page (HTML-escaped)
        theme["announcement"] = editions.edition_line(record)
    if profile == "teaching":
        base["title"] += " (teaching version)"
        notice = html.escape(TEACHING_NOTICE)
        theme["announcement"] = f"{theme['announcement']} {notice}" if record else notice
    # html_theme_options replaces the theme options Jupyter Book derives from its html:
    # section, so the footer (the data attribution) is passed on here.
    footer = base.get("html", {}).get("extra_footer")
    if footer:
        theme.setdefault("extra_footer", html.escape(footer))
    return base


def _read_results(job: Job) -> dict:
    return json.loads(job.results.read_text(encoding="utf-8"))


#: What the landing page's table holds (shown with it).
_LANDING_TABLE_NOTE = """\
Life expectancy is for the latest three-year period in OHID Fingertips; for a county council
it is the range across its districts. "Core20" means England's most deprived 20% of
neighbourhoods (national deprivation deciles 1 and 2). These figures are official statistics
covering everyone, so they carry no confidence interval; estimates inside the chapters show
their 95% confidence intervals."""


def _edition_section(record: dict, others: list[editions.Edition]) -> str:
    """The landing page's section naming this edition and linking the others."""
    current = editions.parse_slug(record["edition"]["slug"])
    assert current is not None
    label = md(record["edition"]["label"])
    return f"""## Editions

This is edition {label} of the book, for the {md(record["edition"]["months"])} quarter of
the financial year (reporting period {md(record["reporting_period"]["label"])}). A new
edition is published each quarter and earlier editions are kept unchanged. Its code
revision is {md(record["code"]["revision"])}; the machine-readable record of its key results
and inputs is <a href="edition.json">edition.json</a>.

{editions.other_editions_html(current, others)}
"""


def _landing_page(
    system: System,
    jobs: list[Job],
    record: dict | None = None,
    others: list[editions.Edition] | None = None,
    previous: dict | None = None,
) -> str:
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
                f"[{md(place.name)}](places/{place.id}/index.md)",
                md(pop),
                md(pct(r["core20_share_iod2025"])),
                md(pct(r["core20_share_imd2019"])),
                md(_le("Female")),
                md(_le("Male")),
            ]
        )
    most = max(needs.items(), key=lambda kv: kv[1]["core20_share_iod2025"]) if needs else None
    lead = ""
    if most:
        name = md(system.place(most[0]).name)
        lead = (
            f"**{md(pct(most[1]['core20_share_iod2025']))} of {name}'s residents live in "
            "England's most deprived 20% of neighbourhoods**, the highest share of the "
            f"{len(system.places)} places in {md(system.short_name)}."
        )
    table = (
        ""
        if not rows
        else md_table(
            f"Residents, deprivation and life expectancy by place, {md(system.name)}",
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
        + "\n\n"
        + _LANDING_TABLE_NOTE
    )
    places = ", ".join(md(p.name) for p in system.places)
    name, short = md(system.name), md(system.short_name)
    edition = editions_section = ""
    if record is not None:
        edition = (
            f"This is **edition {md(record['edition']['label'])}** of the book. "
            f"{md(editions.summary(record, previous))} "
            + (
                "[What changed since the last edition](changes.md) compares every key result "
                "with the previous edition.\n\n"
                if previous is not None
                else "From the next edition on, [what changed since the last edition]"
                "(changes.md) will compare every key result with this one.\n\n"
            )
        )
        editions_section = "\n" + _edition_section(record, others or [])
    return f"""# Health inequalities in {name}

{lead}

This book describes who is being left behind in the {name} integrated care system
({short}, ICB code {md(system.icb_code)}) and is built to show, with credible numbers,
whether plans are closing the gap. It has one part for each of the system's places: {places}.
Reporting period: {md(system.reporting_period.label)}. Comparator: {md(system.comparator.name)}.

{edition}{table}

## How to use this book

- **Board members:** each chapter opens with key messages and states the key number first.
  Every chart has a headline that says what it shows, a text description, and a link to
  download the data behind it.
- **Analysts:** the book is rebuilt from the repository with one command (`make book`);
  every page ends with a record of the code revision, data fingerprint and parameters that
  produced it.
- **Facilitators and learners:** each section explains its method in plain English, using the
  place's own data; the *Data and methods* page gives the formulas and sources.

Small numbers are protected: {md(disclosure.describe(system.disclosure))}
{editions_section}"""


def _place_page(system: System, place_id: str) -> str:
    place = system.place(place_id)
    chapters = "\n".join(
        f"- [{md(CHAPTERS[c].title)}]({c}.ipynb): {md(CHAPTERS[c].summary)}"
        for c in system.chapters
    )
    districts = ", ".join(md(d.name) for d in place.districts)
    name = md(place.name)
    return f"""# {name}

{name} ({md(place.code)}) is a {md(place.kind)} in {md(system.name)}. Its neighbourhoods are
those of {"its districts: " + districts if len(place.districts) > 1 else "the authority itself"}.

Chapters for {name}:

{chapters}
"""


def _methods_page(system: System) -> str:
    template = (book_sources_dir() / "methods.md").read_text(encoding="utf-8")
    rows = [
        [md(d["title"]), md(d["publisher"]), md(d["period"]), md(d["file"])]
        for d in data_provenance()
    ]
    table = md_table(
        "Published data used in this book", ["Data", "Publisher", "Period", "File"], rows
    )
    return template.replace("{{datasets_table}}", table).replace(
        "{{disclosure_rule}}", md(disclosure.describe(system.disclosure))
    )


def _teaching_intro(system: System) -> str:
    return (
        f"```{{admonition}} Teaching version\n:class: hi-teaching-note\n"
        f"This is the teaching version of the book for {md(system.name)}, for leadership "
        "training. Its figures are those of the board version, from the same run of the "
        "chapters; each chapter also explains its methods with the place's own figures and "
        "ends with discussion questions and a quiz. Start with the "
        "[facilitator's guide](facilitator.md); analysts will find the executed notebooks "
        "on the [analysts' page](analysts.md).\n```\n\n"
    )


def _copy_notebook(source: Path, target: Path, profile: str, *, scrub: bool = False) -> None:
    """Copy an executed notebook keeping only ``profile``'s cells (see hi_analysis.teaching)."""
    nb = filter_notebook(json.loads(source.read_text(encoding="utf-8")), profile)
    if scrub:  # a download must not carry the build machine's paths
        meta = nb.get("metadata", {}).get("papermill", {})
        for key in ("input_path", "output_path"):
            if key in meta:
                meta[key] = Path(str(meta[key])).name
        if "results_path" in meta.get("parameters", {}):
            meta["parameters"]["results_path"] = ""
        for cell in nb["cells"]:
            if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
                src = "".join(cell.get("source", []))
                cell["source"] = re.sub(r"(?m)^results_path = .*$", 'results_path = ""', src)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def assemble(
    system: System,
    jobs: list[Job],
    staging: Path,
    *,
    record: dict | None = None,
    previous: dict | None = None,
    others: list[editions.Edition] | None = None,
    profile: str = "board",
) -> Path:
    """Write the book's sources for ``system`` in ``profile`` into ``staging`` and return it.

    Parameters
    ----------
    record, previous
        This edition's record and the previous edition's (``None`` for the first);
        ``record`` defaults to one built from ``jobs``.
    others
        The other editions published beside this one (linked from the landing page).
    profile
        ``"board"`` or ``"teaching"``. Both read the same executed notebooks; the board
        version drops cells tagged ``teaching-only`` and the teaching version drops
        cells tagged ``board-only``, and adds the facilitator's and analysts' pages and
        the executed notebooks for download.
    """
    if record is None:
        record = editions.build_record(
            system, jobs, editions.edition_of(system.reporting_period.end)
        )
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    (staging / "_toc.yml").write_text(yaml.safe_dump(_toc(system, profile), sort_keys=False))
    (staging / "_config.yml").write_text(
        yaml.safe_dump(_config(system, record, profile), sort_keys=False)
    )
    shutil.copytree(book_sources_dir() / "_static", staging / "_static")
    intro = _landing_page(system, jobs, record, others or [], previous)
    if profile == "teaching":
        title, _, rest = intro.partition("\n\n")
        rest = rest.split("\n## Editions\n")[0]  # its links lead to the board's editions
        intro = f"{title}\n\n{_teaching_intro(system)}{rest}"
        _teaching_pages(system, jobs, staging)
    (staging / "intro.md").write_text(intro, encoding="utf-8")
    (staging / "changes.md").write_text(
        editions.changes_page(
            record, previous, chapter_titles=CHAPTER_TITLES, rule=system.disclosure
        ),
        encoding="utf-8",
    )
    (staging / "methods.md").write_text(_methods_page(system), encoding="utf-8")
    shutil.copy(book_sources_dir() / "accessibility.md", staging / "accessibility.md")
    for place in system.places:
        folder = staging / "places" / place.id
        folder.mkdir(parents=True)
        (folder / "index.md").write_text(_place_page(system, place.id), encoding="utf-8")
    for job in jobs:
        _copy_notebook(job.output, staging / "places" / job.place / f"{job.chapter}.ipynb", profile)
    _accountability_pages(system, jobs, staging)  # hook: accountability pages (issue 13)
    return staging


def _teaching_pages(system: System, jobs: list[Job], staging: Path) -> None:
    """The teaching profile's own pages and downloadable notebooks."""
    from hi_analysis.teaching import pages

    downloads = []
    for job in jobs:
        rel = Path("downloads") / job.place / f"{job.chapter}.ipynb"
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        _copy_notebook(job.output, staging / rel, "teaching", scrub=True)
        downloads.append((job.place, job.chapter, rel))
    (staging / "facilitator.md").write_text(
        pages.facilitator_page(system, pages.read_sidecars(jobs), md_table), encoding="utf-8"
    )
    (staging / "analysts.md").write_text(
        pages.analysts_page(system, downloads, md_table), encoding="utf-8"
    )


# ----------------------------------------------------------------------------- book stage imports
#: What the book stage imports that the build process has not imported before it: the
#: accountability pages (charts, statistics) and the PDF printer.
BOOK_STAGE_MODULES = (
    "hi_analysis.report",
    "hi_analysis.accountability.audits",
    "hi_analysis.accountability.board_report",
    "hi_analysis.accountability.dashboard",
    "hi_analysis.accountability.scorecard",
    "hi_analysis.accountability.standards",
    "hi_analysis.accountability.evidence",
    "hi_analysis.accountability.plan",
    "hi_analysis.logic_model.plan",
    "hi_analysis.accountability.pdf",
    "pypdf",
    "weasyprint",
)


def preload_book_stage() -> None:
    """Import the book stage's modules now (the build calls it in a thread while notebooks run).

    Importing them takes a few seconds that would otherwise stand between the last
    notebook and the published site. Any import error is left for the book stage to
    report in its own words (e.g. WeasyPrint without Pango).
    """
    import importlib

    for name in BOOK_STAGE_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - reported when the module is really needed
            pass


# ----------------------------------------------------------------------------- accountability
# Hook of issue 13 (hi_analysis.accountability): the dashboards and system pages are written
# from the chapters' sidecars while the book is assembled; the board report's PDF is printed
# after the HTML builds and before it is published, so a failed PDF never half-publishes.
_ACCOUNTABILITY: dict[str, object] = {}


def _accountability_pages(system: System, jobs: list[Job], staging: Path) -> None:
    from hi_analysis import accountability

    _ACCOUNTABILITY[str(staging)] = accountability.write_pages(system, jobs, staging)


def _accountability_pdf(staging: Path, html_dir: Path) -> Path | None:
    from hi_analysis import accountability

    return accountability.write_report_pdf(_ACCOUNTABILITY.pop(str(staging), None), html_dir)


def build_html_and_pdf(staging: Path) -> tuple[Path, Path | None]:
    """Build the HTML (Jupyter Book) and print the board report's PDF side by side.

    The PDF is printed from the report's own HTML, not from the book, so WeasyPrint
    runs in a thread while Sphinx runs in its own process. It is written beside the
    staging folder and moved into the HTML folder only when both have succeeded, so
    a failure of either publishes nothing.

    Returns
    -------
    tuple
        The HTML folder and the PDF's path inside it (``None`` when there is no PDF).
    """
    from concurrent.futures import ThreadPoolExecutor

    pdf_root = staging.with_name(staging.name + "-pdf")
    shutil.rmtree(pdf_root, ignore_errors=True)
    with ThreadPoolExecutor(max_workers=1) as pool:
        printing = pool.submit(_accountability_pdf, staging, pdf_root)
        html_dir = build_html(staging)  # an error here waits for the thread, then raises
        printed = printing.result()
    if printed is None:
        return html_dir, None
    pdf = html_dir / printed.relative_to(pdf_root)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(printed, pdf)
    shutil.rmtree(pdf_root, ignore_errors=True)
    return html_dir, pdf


#: ANSI terminal colour codes, which Sphinx adds to some messages.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
#: A Sphinx message with a location: ``<file>[:<line>]: WARNING: <message>``.
_SPHINX_MESSAGE = re.compile(
    r"^(?P<path>[^\s:][^:]*?\.(?:ipynb|md|rst))(?::(?P<line>\d+))?:\s*"
    r"(?P<kind>WARNING|ERROR|CRITICAL|SEVERE):\s*(?P<msg>.*)$"
)


def explain_sphinx_output(output: str, staging: Path) -> list[str]:
    """Turn Sphinx's output into readable problems naming the source notebook and cell.

    myst-nb numbers the lines of cell ``i`` from ``(i + 1) * 10000``, so a line
    number locates the cell; a page under ``places/<place>/<chapter>.ipynb`` is the
    chapter's notebook run for that place. ANSI colour codes are removed.

    Examples
    --------
    >>> explain_sphinx_output("/s/places/rutland/sii.ipynb:40003: WARNING: bad ref", Path("/s"))
    ["notebooks/sii.ipynb for place 'rutland', cell 3: WARNING: bad ref"]
    """
    problems = []
    for raw in output.splitlines():
        line = _ANSI.sub("", raw).strip()
        m = _SPHINX_MESSAGE.match(line)
        if m is None:
            if re.search(r"\b(WARNING|ERROR|Error|Exception)\b", line):
                problems.append(line)
            continue
        path = Path(m["path"])
        try:
            rel = path.resolve().relative_to(staging.resolve())
        except ValueError:
            rel = path
        msg = f"{m['kind']}: {m['msg']}"
        parts = rel.parts
        if rel.suffix == ".ipynb" and len(parts) == 3 and parts[0] == "places":
            where = f"notebooks/{rel.stem}.ipynb for place {parts[1]!r}"
            if m["line"] and int(m["line"]) >= 10000:
                where += f", cell {int(m['line']) // 10000 - 1}"
            problems.append(f"{where}: {msg}")
        else:
            where = f"book page {rel.as_posix()}" + (f", line {m['line']}" if m["line"] else "")
            problems.append(f"{where}: {msg}")
    return list(dict.fromkeys(problems))


def build_html(staging: Path) -> Path:
    """Run Jupyter Book on the staging folder (warnings are errors); return the HTML folder.

    Raises
    ------
    BookBuildError
        One line naming the source notebook, place and cell of each problem.
    """
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
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "PY_COLORS": "0"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    out = staging / "_build" / "html"
    if proc.returncode != 0 or not (out / "index.html").is_file():
        problems = explain_sphinx_output(proc.stdout + "\n" + proc.stderr, staging)
        if not problems:
            tail = [_ANSI.sub("", ln).strip() for ln in proc.stderr.splitlines() if ln.strip()]
            problems = [tail[-1] if tail else "no output"]
        shown = "; ".join(problems[:5])
        more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        raise BookBuildError(f"Jupyter Book failed: {shown}{more}")
    return out


def _tree_digest(folder: Path) -> str:
    """sha256 of a folder's files (relative paths and bytes): names a published site."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:16]


def recover(target: Path) -> None:
    """Tidy what an interrupted publish left next to ``target``; never touch the live site.

    Removes temporary links and half-copied folders, restores a site that an older
    (rename-based) publish moved aside, and deletes superseded site versions.
    """
    parent = target.parent
    if not parent.is_dir():
        return
    name = target.name
    for p in parent.glob(f".{name}.*.tmp"):  # temporary links and files
        if p.is_symlink() or p.is_file():
            p.unlink(missing_ok=True)
    for p in parent.glob(f"{name}.partial-*"):  # half-copied site versions
        shutil.rmtree(p, ignore_errors=True)
    legacy_old = parent / f"{name}.old"
    if not target.exists() and not target.is_symlink() and legacy_old.is_dir():
        legacy_old.rename(target)  # an interrupted old-style swap: put the old site back
    for p in (parent / f"{name}.old", parent / f"{name}.incoming"):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
    if target.is_dir() and not target.is_symlink():  # an old-style real folder: link it
        version = parent / f"{name}.{_tree_digest(target)}"
        if not version.exists():
            target.rename(version)
            _point(target, version)
    versions = [p for p in parent.glob(f"{name}.*") if _is_version(p, name)]
    if not target.exists() and versions:  # crashed between moving a folder and linking it
        _point(target, max(versions, key=lambda p: p.stat().st_mtime))
    live = os.readlink(target) if target.is_symlink() else None
    for p in versions:
        if p.name != live:
            shutil.rmtree(p, ignore_errors=True)


def _is_version(p: Path, name: str) -> bool:
    suffix = p.name[len(name) + 1 :]
    return (
        p.is_dir()
        and not p.is_symlink()
        and len(suffix) == 16
        and all(c in "0123456789abcdef" for c in suffix)
    )


def _point(link: Path, version: Path) -> None:
    """Atomically make ``link`` a symlink to ``version`` (a sibling folder)."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.{version.name[-16:]}.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(version.name, tmp)  # relative: the build folder can move
    os.replace(tmp, link)


def publish(html_dir: Path, target: Path) -> Path:
    """Publish a freshly built site at ``target``, always leaving the old or the new site.

    The site is copied into a new folder ``<target>.<digest>`` (named by the
    digest of its content, written under a temporary name and renamed whole),
    then ``target`` -- a symbolic link -- is swapped to it with one atomic
    ``os.replace``. A crash at any point leaves ``target`` pointing at a complete
    site; leftovers are removed by :func:`recover` on the next publish.

    Returns
    -------
    pathlib.Path
        The real path of the published ``index.html`` (inside the version folder).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target)
    version = target.with_name(f"{target.name}.{_tree_digest(html_dir)}")
    if not version.is_dir():
        partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(html_dir, partial)
        partial.rename(version)
    _point(target, version)
    recover(target)  # delete the superseded version
    return version / "index.html"


def _point_at(link: Path, relative: str) -> None:
    """Atomically make ``link`` a symlink to ``relative`` (a path relative to its folder)."""
    if link.is_symlink() and os.readlink(link) == relative:
        return
    tmp = link.with_name(f".{link.name}.{os.getpid()}.edition.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(relative, tmp)
    os.replace(tmp, link)


def publish_edition(html_dir: Path, system: System, edition: editions.Edition) -> Path:
    """Publish a built site as ``edition`` and point ``site`` at the latest edition.

    Steps, each leaving every published edition whole if the build dies after it:
    the site is published as ``editions/<slug>`` (:func:`publish`: a new
    content-addressed folder, then an atomic link swap); ``site`` is swapped to the
    latest published edition; ``editions/index.html`` is rewritten atomically;
    finally sites of the pre-edition layout (``site.<digest>``) are deleted.

    Returns
    -------
    pathlib.Path
        The real path of the edition's ``index.html``.
    """
    folder = editions_dir(system)
    folder.mkdir(parents=True, exist_ok=True)
    index = publish(html_dir, folder / edition.slug)
    latest = editions.published(folder)[-1]
    site = site_dir(system)
    recover(site)  # a site of the pre-edition layout stays live until the swap below
    _point_at(site, f"{folder.name}/{latest.slug}")
    recover(site)  # now deletes the superseded pre-edition site versions
    found = editions.published(folder)
    records = {e.slug: editions.read_record(folder, e) or {} for e in found}
    atomic_write_text(
        folder / "index.html",
        editions.editions_index(f"Health inequalities in {system.name}", found, records),
    )
    return index


def build_book(system: System, jobs: list[Job], profile: str = "board") -> Path:
    """Assemble, build and publish the system's book as an edition, in ``profile``.

    The edition is named by the reporting period (:func:`hi_analysis.editions.edition_of`);
    its page "What changed" compares it with the latest earlier edition published. The
    board version is published as the edition (earlier editions are kept); the teaching
    version of the latest build is published beside it (:func:`site_dir`). Returns the
    absolute path of the published ``index.html``.
    """
    edition = editions.edition_of(system.reporting_period.end)
    folder = editions_dir(system)
    record = editions.build_record(system, jobs, edition)
    previous = editions.previous_record(folder, edition)
    if profile == "teaching":  # one version, beside the board's: no links to other editions
        staging = build_dir() / system.id / "book-staging-teaching"
        assemble(system, jobs, staging, record=record, previous=previous, profile=profile)
        _ACCOUNTABILITY.pop(str(staging), None)  # the board report's PDF is the board's
        return publish(build_html(staging), site_dir(system, profile)).resolve()
    others = [e for e in editions.published(folder) if e != edition]
    staging = build_dir() / system.id / "book-staging"
    assemble(system, jobs, staging, record=record, previous=previous, others=others)
    html_dir, pdf = build_html_and_pdf(staging)  # hook: board report PDF (issue 13)
    atomic_write_text(html_dir / editions.RECORD_NAME, editions.dump_record(record))
    index = publish_edition(html_dir, system, edition).resolve()
    if pdf is not None:  # the published PDF's path, printed before the CLI prints the index
        print(index.parent / pdf.relative_to(html_dir), flush=True)
    return index
