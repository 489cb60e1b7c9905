"""The build pipeline: validate inputs, run the chapters, assemble and publish the book.

The command line parses arguments and calls :func:`build`; everything a build does
happens here, in this order:

1. validate the parameters and every shipped input file (:func:`validate_inputs`);
2. make sure the extracts the chosen chapters need exist (generating synthetic ones
   when any is missing) and validate them (:func:`prepare_extracts`);
3. run the outdated notebooks (:mod:`hi_analysis.runner`);
4. assemble and publish the book (:mod:`hi_analysis.book`) as an edition when every
   chapter of every place is current.

A rebuild with nothing changed does nothing: before anything heavy is imported,
:func:`hi_analysis.stamp.current_index` compares a cheap stamp of every input (code,
book sources, parameters, data files and extracts) and of the published editions
with the one recorded at the last publish, and reports that the site is current. When
the cheap stamp differs but the notebooks' cache keys, the code and the book sources
are the same as at the last publish (:func:`content_fingerprint`, e.g. after a data
file was touched but not changed), the book is not rebuilt either.

Examples
--------
>>> from hi_analysis.pipeline import BuildRequest
>>> BuildRequest(system_id="llr").profiles
('board',)
>>> BuildRequest(system_id="llr").jobs == default_jobs()
True
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hi_analysis import stamp
from hi_analysis.config import CHAPTER_EXTRACTS, System, load_system
from hi_analysis.errors import NotebookRunError
from hi_analysis.safeio import system_lock


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def default_jobs() -> int:
    """Notebooks run at once by default: one per CPU core available to this process.

    Each runs on its own warm kernel, and the notebooks are CPU-bound, so more workers
    than cores only add kernels to warm up (measured in ``docs/benchmarks.md``).

    Examples
    --------
    >>> default_jobs() >= 1
    True
    """
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class BuildRequest:
    """What to build.

    Parameters
    ----------
    system_id
        The system's identifier (a folder under ``parameters/``).
    places, chapters
        Restrict the run to these places or chapters (a partial run refreshes
        notebooks but publishes only a complete book).
    jobs
        Notebooks run at once (default :func:`default_jobs`, one per CPU core).
    force
        Re-run notebooks even when their inputs and code are unchanged.
    quiet
        No progress bar.
    wait
        Seconds to wait for another build of the same system to finish.
    profiles
        The editions of the book to publish from the one run of the chapters:
        ``"board"`` (the default) and/or ``"teaching"``.
    keep_workers
        Keep the notebook workers and their warm kernels for the next build in this
        process (a national run's Dask worker; see :func:`hi_analysis.runner.run`).
    """

    system_id: str
    places: Sequence[str] | None = None
    chapters: Sequence[str] | None = None
    jobs: int = field(default_factory=default_jobs)
    force: bool = False
    quiet: bool = False
    wait: float = 900.0
    profiles: tuple[str, ...] = ("board",)
    keep_workers: bool = False


@dataclass
class BuildOutcome:
    """What a build did.

    Attributes
    ----------
    index
        The published ``index.html`` of the board version (or of the last version
        built when the board's was not asked for), or ``None`` when nothing was
        published (a partial run).
    indexes
        Every published ``index.html`` by profile, board last.
    current
        Whether the site was found current and nothing was built or published.
    ran, cached
        Notebooks run and notebooks found current.
    seconds
        Wall-clock time of the whole build.
    stages
        Wall-clock seconds by stage: ``inputs`` (public data and parameters),
        ``extracts`` (validating the record-level extracts), ``notebooks``, ``book``.
    messages
        Human-readable lines reported along the way.
    """

    index: Path | None = None
    indexes: dict[str, Path] = field(default_factory=dict)
    current: bool = False
    ran: int = 0
    cached: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


def validate_inputs(system: System) -> None:
    """Validate the system's parameters (and plan) and every shipped input file.

    Raises
    ------
    hi_analysis.errors.HiAnalysisError
        With one line naming the file, field and rows at fault.
    """
    from hi_analysis.data import DATASETS, load
    from hi_analysis.data.manifest import verify_manifest
    from hi_analysis.data.public import BOUNDARIES, load_boundaries

    if "logic_model" in system.chapters:  # the plan is checked before any notebook runs
        from hi_analysis.logic_model.plan import load_plan

        load_plan(system)
    from hi_analysis.accountability.plan import has_accountability, load_accountability

    if has_accountability(system):  # the accountability pages' plan files (issue 13)
        load_accountability(system)
    verify_manifest()
    for name in DATASETS:
        load(name)
    for layer in BOUNDARIES:
        load_boundaries(layer)


def needed_extracts(system: System, chapters: Sequence[str] | None = None) -> list[str]:
    """The extracts the chosen chapters (default: all the system's) read."""
    chosen = chapters or system.chapters
    return sorted({e for c in chosen for e in CHAPTER_EXTRACTS.get(c, ())})


def ensure_extracts(
    system: System,
    names: list[str],
    seed: int | None = None,
    say: Callable[[str], None] = _say,
) -> None:
    """Generate the synthetic extracts when any extract a chapter needs is missing."""
    from hi_analysis.extracts import missing_extracts

    missing = missing_extracts(system.id, names)
    if not missing:
        return
    from hi_analysis import synth

    say(
        f"No extract for {', '.join(missing)}: generating SYNTHETIC extracts "
        f"for {system.short_name} (about 30 s) ..."
    )
    result = synth.generate(system, seed=synth.DEFAULT_SEED if seed is None else seed)
    folder = next(iter(result.files.values())).parent
    say(f"Wrote {len(result.files)} synthetic extracts to {folder}")


def prepare_extracts(
    system: System, chapters: Sequence[str] | None = None, say: Callable[[str], None] = _say
) -> list[str]:
    """Ensure and validate the extracts the chosen chapters need; return their names."""
    from hi_analysis.extracts import validate_extracts

    needed = needed_extracts(system, chapters)
    ensure_extracts(system, needed, say=say)
    validate_extracts(system, needed)
    return needed


def build(request: BuildRequest, say: Callable[[str], None] = _say) -> BuildOutcome:
    """Run a whole build while holding the system's lock.

    Parameters
    ----------
    request
        What to build.
    say
        Where progress messages go (standard error by default).

    Returns
    -------
    BuildOutcome

    Raises
    ------
    hi_analysis.errors.HiAnalysisError
        Bad parameters or data, a failed notebook, a failed book build; the
        previously published site is then unchanged.
    """
    start = time.perf_counter()
    if _may_be_current(request):  # decided before reading any data or heavy import
        with system_lock(request.system_id, wait=request.wait, on_wait=say):
            record = stamp.read(request.system_id)
            found = stamp.current_indexes(request.system_id, _profiles(request))
        if found is not None:
            outcome = BuildOutcome(index=list(found.values())[-1], indexes=found, current=True)
            outcome.messages.append(_current_message(record))
            say(outcome.messages[-1])
            outcome.seconds = time.perf_counter() - start
            return outcome
    system = load_system(request.system_id)
    with system_lock(system.id, wait=request.wait, on_wait=say):
        outcome = _build_locked(request, system, say)
    outcome.seconds = time.perf_counter() - start
    return outcome


def _profiles(request: BuildRequest) -> tuple[str, ...]:
    """The versions asked for, checked, board last."""
    from hi_analysis.teaching.core import PROFILES

    unknown = [p for p in request.profiles if p not in PROFILES]
    if unknown:
        raise ValueError(f"unknown profile {unknown[0]!r}: choose from {', '.join(PROFILES)}")
    return tuple(sorted(set(request.profiles), key=lambda p: (p == "board", p)))


def _recorded_indexes(system_id: str, record: dict) -> dict[str, Path]:
    """Every version the last publish recorded (kept when a no-op asks for fewer)."""
    from hi_analysis.paths import build_dir

    rels = record.get("indexes") or {}
    return {k: build_dir() / system_id / v for k, v in rels.items() if isinstance(v, str)}


def _may_be_current(request: BuildRequest) -> bool:
    """Whether a no-op check applies: a whole, unforced build of a known system."""
    from hi_analysis.paths import parameters_dir

    if request.force or request.places or request.chapters:
        return False
    sid = request.system_id
    return (
        sid.replace("_", "").replace("-", "").isalnum()
        and sid.isascii()
        and (parameters_dir() / sid / "system.yml").is_file()
    )


def _current_message(record: dict) -> str:
    edition = record.get("edition")
    what = f"edition {edition}" if edition else "the site"
    return (
        f"The site is current: no input or code changed since {what} was published; "
        "nothing was built."
    )


def content_fingerprint(jobs: Sequence) -> str:
    """Exact digest of what a book is built from: the notebooks' cache keys, code, book sources.

    Two builds with the same fingerprint, and the same editions published beside
    them, publish the same site.
    """
    import hashlib

    from hi_analysis import runner
    from hi_analysis.paths import book_sources_dir, source_root
    from hi_analysis.provenance import code_fingerprint

    h = hashlib.sha256()
    for key in runner.current_keys(jobs):
        h.update(key.encode() + b"\0")
    h.update(code_fingerprint().encode())
    files = [p for p in book_sources_dir().rglob("*") if p.is_file()]
    files.append(source_root() / "_config.yml")
    for p in sorted(files):
        h.update(b"\0" + p.relative_to(source_root()).as_posix().encode() + b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()


def _build_locked(
    request: BuildRequest, system: System, say: Callable[[str], None]
) -> BuildOutcome:
    from tqdm import tqdm

    from hi_analysis import book, runner

    outcome = BuildOutcome()
    inputs = stamp.inputs_stamp(system.id)  # before reading anything

    def tell(message: str) -> None:
        outcome.messages.append(message)
        say(message)

    tell(f"Validating inputs for {system.name} ...")
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        outcome.stages[stage] = outcome.stages.get(stage, 0.0) + now - clock
        clock = now

    validate_inputs(system)
    lap("inputs")
    from hi_analysis.extracts import missing_extracts

    generating = bool(missing_extracts(system.id, needed_extracts(system, request.chapters)))
    prepare_extracts(system, request.chapters, say=tell)
    lap("extracts")
    if generating:  # the build made the synthetic extracts: they are part of its inputs
        inputs = stamp.inputs_stamp(system.id)
    jobs = runner.plan(system, places=request.places, chapters=request.chapters)
    bar = tqdm(total=len(jobs), desc="Notebooks", unit="nb", file=sys.stderr, disable=request.quiet)

    def done(res: runner.JobResult) -> None:
        bar.update(1)
        bar.set_postfix_str(f"{res.job.place}/{res.job.chapter}: {res.status}")

    # The book stage's imports load in this (otherwise idle) process while notebooks run.
    importing = threading.Thread(target=book.preload_book_stage, name="book-imports", daemon=True)
    importing.start()
    results = runner.run(
        jobs,
        workers=request.jobs,
        force=request.force,
        on_done=done,
        keep_pool=request.keep_workers,
    )
    bar.close()
    importing.join()  # never exit with an import half done
    lap("notebooks")
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise NotebookRunError(" | ".join(r.error for r in failed))
    outcome.ran = sum(r.status == "ran" for r in results)
    outcome.cached = len(results) - outcome.ran
    tell(f"{outcome.ran} notebook(s) run, {outcome.cached} unchanged (cached)")
    if request.places or request.chapters:
        # A partial run refreshes notebooks but publishes only a complete book.
        all_jobs = runner.plan(system)
        if runner.outdated(all_jobs):
            tell("Partial run: the book is published only when every chapter has run.")
            return outcome
        jobs = all_jobs
    content = content_fingerprint(jobs)
    record = stamp.read(system.id)
    profiles = _profiles(request)
    if not request.force and outcome.ran == 0 and record.get("content") == content:
        found = stamp.published_indexes(system.id, record, profiles)
        if found is not None:  # e.g. a data file touched but not changed
            stamp.record_published(
                system.id,
                inputs=inputs,
                content=content,
                index=found[profiles[-1]],
                edition=str(record.get("edition", "")),
                indexes=_recorded_indexes(system.id, record) | found,
            )
            outcome.indexes, outcome.index, outcome.current = found, found[profiles[-1]], True
            tell(_current_message(record))
            return outcome
    for profile in profiles:  # board last: its index is the line scripts read
        tell(f"Building the {profile} version of the book ...")
        outcome.indexes[profile] = book.build_book(system, jobs, profile)
        outcome.index = outcome.indexes[profile]
        lap("book")
    from hi_analysis.editions import edition_of

    stamp.record_published(
        system.id,
        inputs=inputs,
        content=content,
        index=outcome.index,
        edition=edition_of(system.reporting_period.end).label,
        indexes=outcome.indexes,
    )
    return outcome
