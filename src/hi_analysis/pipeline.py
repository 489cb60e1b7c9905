"""The build pipeline: validate inputs, run the chapters, assemble and publish the book.

The command line parses arguments and calls :func:`build`; everything a build does
happens here, in this order:

1. validate the parameters and every shipped input file (:func:`validate_inputs`);
2. make sure the extracts the chosen chapters need exist (generating synthetic ones
   when any is missing) and validate them (:func:`prepare_extracts`);
3. run the outdated notebooks (:mod:`hi_analysis.runner`);
4. assemble and publish the book (:mod:`hi_analysis.book`) when every chapter of
   every place is current.

Examples
--------
>>> from hi_analysis.pipeline import BuildRequest
>>> BuildRequest(system_id="llr").jobs
3
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hi_analysis.config import CHAPTER_EXTRACTS, System, load_system
from hi_analysis.errors import NotebookRunError
from hi_analysis.safeio import system_lock


def _say(message: str) -> None:
    print(message, file=sys.stderr)


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
        Notebooks run at once.
    force
        Re-run notebooks even when their inputs and code are unchanged.
    quiet
        No progress bar.
    wait
        Seconds to wait for another build of the same system to finish.
    """

    system_id: str
    places: Sequence[str] | None = None
    chapters: Sequence[str] | None = None
    jobs: int = 3
    force: bool = False
    quiet: bool = False
    wait: float = 900.0


@dataclass
class BuildOutcome:
    """What a build did.

    Attributes
    ----------
    index
        The published ``index.html``, or ``None`` when nothing was published
        (a partial run).
    ran, cached
        Notebooks run and notebooks found current.
    seconds
        Wall-clock time of the whole build.
    messages
        Human-readable lines reported along the way.
    """

    index: Path | None = None
    ran: int = 0
    cached: int = 0
    seconds: float = 0.0
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
    system = load_system(request.system_id)
    with system_lock(system.id, wait=request.wait, on_wait=say):
        outcome = _build_locked(request, system, say)
    outcome.seconds = time.perf_counter() - start
    return outcome


def _build_locked(
    request: BuildRequest, system: System, say: Callable[[str], None]
) -> BuildOutcome:
    from tqdm import tqdm

    from hi_analysis import book, runner

    outcome = BuildOutcome()

    def tell(message: str) -> None:
        outcome.messages.append(message)
        say(message)

    tell(f"Validating inputs for {system.name} ...")
    validate_inputs(system)
    prepare_extracts(system, request.chapters, say=tell)
    jobs = runner.plan(system, places=request.places, chapters=request.chapters)
    bar = tqdm(total=len(jobs), desc="Notebooks", unit="nb", file=sys.stderr, disable=request.quiet)

    def done(res: runner.JobResult) -> None:
        bar.update(1)
        bar.set_postfix_str(f"{res.job.place}/{res.job.chapter}: {res.status}")

    results = runner.run(jobs, workers=request.jobs, force=request.force, on_done=done)
    bar.close()
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
    tell("Building the book ...")
    outcome.index = book.build_book(system, jobs)
    return outcome
