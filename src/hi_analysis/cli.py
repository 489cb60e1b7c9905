"""The ``hi-analysis`` command.

Examples (shell)::

    hi-analysis list
    hi-analysis validate --system llr
    hi-analysis synth --system llr [--seed 20240601]
    hi-analysis build --system llr [--place rutland] [--chapter needs_analysis] [--jobs 2]
    hi-analysis build --system llr --profile all      # board and teaching versions
    hi-analysis init --icb E54000058 [--id derby] [--force]
    hi-analysis build --all [--workers 2 | --scheduler tcp://host:8786]
    hi-analysis build --system a --system b

On failure the command prints one readable reason (which notebook, which place,
which cell, the error) to standard error and exits non-zero; the last line of a
successful build is the absolute path of the published ``index.html``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from hi_analysis.config import available_systems, load_system
from hi_analysis.errors import HiAnalysisError
from hi_analysis.safeio import system_lock


def _validate(system_id: str) -> None:
    from hi_analysis.pipeline import validate_inputs

    validate_inputs(load_system(system_id))


def cmd_list(_: argparse.Namespace) -> int:
    """Print the systems, their places and chapters."""
    for sid in available_systems():
        system = load_system(sid)
        print(f"{sid}: {system.name} ({system.icb_code})")
        for p in system.places:
            print(f"  {p.id}: {p.name} ({p.code})")
        print(f"  chapters: {', '.join(system.chapters)}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate parameters, every shipped input file and the extracts present."""
    from hi_analysis.extracts import EXTRACTS, missing_extracts, validate_extracts

    _validate(args.system)
    system = load_system(args.system)
    present = [n for n in EXTRACTS if n not in missing_extracts(system.id, [n])]
    validate_extracts(system, present)
    print(
        f"{args.system}: parameters, all shipped input data and {len(present)} extract(s) are valid"
    )
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    """Generate the synthetic record-level extracts for a system."""
    from hi_analysis import synth

    system = load_system(args.system)
    start = time.perf_counter()
    seed = synth.DEFAULT_SEED if args.seed is None else args.seed
    with system_lock(system.id, wait=args.wait, on_wait=_tell):
        result = synth.generate(system, seed=seed)
    for name, path in sorted(result.files.items()):
        print(f"{name}: {path}")
    print(
        f"Generated {len(result.files)} SYNTHETIC extracts for {system.short_name} "
        f"(seed {seed}) in {time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )
    return 0


def cmd_manifest(_: argparse.Namespace) -> int:
    """Rewrite data/public/MANIFEST.json after a deliberate data update."""
    from hi_analysis.data.manifest import write_manifest

    print(write_manifest())
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Write a parameters folder for an ICB: calls :func:`hi_analysis.national.init.init_system`."""
    from hi_analysis.national.init import init_system

    folder = init_system(args.icb, system_id=args.id, force=args.force)
    print(folder)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Build the book: parse arguments, then call :func:`hi_analysis.pipeline.build`.

    Several systems (``--all`` or ``--system`` repeated) go to
    :func:`hi_analysis.national.run.build_systems` (Dask).
    """
    systems = available_systems() if args.all else (args.system or ["llr"])
    if args.all or len(systems) > 1 or args.scheduler:
        from hi_analysis.national.run import build_systems

        if args.place:
            raise HiAnalysisError("--place applies to one system; leave it out with --all")
        outcomes = build_systems(
            systems,
            workers=args.workers,
            scheduler=args.scheduler,
            jobs=args.jobs or 1,
            force=args.force,
            wait=args.wait,
            chapters=args.chapter,
            say=_tell,
        )
        failed = [o for o in outcomes if not o.ok]
        print(
            f"{len(outcomes) - len(failed)} of {len(outcomes)} systems built"
            + (f"; failed: {', '.join(o.system_id for o in failed)}" if failed else ""),
            file=sys.stderr,
        )
        return 1 if failed else 0
    from hi_analysis.pipeline import BuildRequest, build, default_jobs

    outcome = build(
        BuildRequest(
            system_id=systems[0],
            places=args.place,
            chapters=args.chapter,
            jobs=args.jobs or default_jobs(),
            force=args.force,
            quiet=args.quiet,
            wait=args.wait,
            profiles=_profiles(args.profile),
        ),
        say=_tell,
    )
    if outcome.index is not None:
        if not outcome.current:  # a no-op rebuild reports one line
            print(f"Built in {outcome.seconds:.1f} s", file=sys.stderr)
        for profile, index in outcome.indexes.items():  # board last: scripts read the last line
            if index != outcome.index:
                print(f"The {profile} version:", file=sys.stderr)
                print(index)
        print(outcome.index)
    return 0


def _profiles(chosen: Sequence[str] | None) -> tuple[str, ...]:
    if not chosen:
        return ("board",)
    if "all" in chosen:
        return ("teaching", "board")
    return tuple(dict.fromkeys(chosen))


def _tell(message: str) -> None:
    print(message, file=sys.stderr)


def _wait_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--wait",
        type=float,
        default=900.0,
        metavar="SECONDS",
        help="if another build of the system is running, wait this long for it "
        "(default 900; 0 refuses at once)",
    )


def make_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(prog="hi-analysis", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="list systems, places and chapters")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("validate", help="validate parameters and input data")
    p.add_argument("--system", default="llr")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("synth", help="generate synthetic record-level extracts")
    p.add_argument("--system", default="llr", help="system identifier (default: llr)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: fixed)")
    _wait_option(p)
    p.set_defaults(func=cmd_synth)
    p = sub.add_parser("manifest", help="rewrite the shipped-data manifest")
    p.set_defaults(func=cmd_manifest)
    p = sub.add_parser("init", help="write a parameters folder for an ICB")
    p.add_argument("--icb", required=True, help="ICB code, e.g. E54000058")
    p.add_argument("--id", default=None, help="system identifier (default: from the name)")
    p.add_argument("--force", action="store_true", help="replace an existing folder")
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("build", help="run the chapters and publish the book")
    p.add_argument(
        "--system",
        action="append",
        help="system identifier (default: llr); repeat for several (run on Dask)",
    )
    p.add_argument("--all", action="store_true", help="every system under parameters/ (Dask)")
    p.add_argument(
        "--workers",
        type=int,
        default=2,
        help="Dask workers of the local cluster for several systems (default 2)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="existing Dask scheduler, e.g. tcp://host:8786 (default: local cluster)",
    )
    p.add_argument("--place", action="append", help="only this place (repeatable)")
    p.add_argument("--chapter", action="append", help="only this chapter (repeatable)")
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="notebooks run at once per system (default: one per CPU core; 1 with several systems)",
    )
    p.add_argument("--force", action="store_true", help="re-run notebooks even if unchanged")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--profile",
        action="append",
        choices=("board", "teaching", "all"),
        help="version to publish: board (default), teaching, or all (repeatable)",
    )
    _wait_option(p)
    p.set_defaults(func=cmd_build)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: returns the process exit code."""
    args = make_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except HiAnalysisError as exc:
        return _fail(str(exc))
    except (KeyError, ValueError) as exc:
        return _fail(str(exc).strip("'\""))
    except KeyboardInterrupt:
        return _fail("interrupted; the previously published site is unchanged", 130)
    except OSError as exc:  # full disk, permissions, missing folders ...
        if os.environ.get("HI_ANALYSIS_DEBUG"):
            raise
        where = exc.filename or "(no file named by the system)"
        reason = exc.strerror or str(exc) or type(exc).__name__
        return _fail(f"{where}: {reason}; the previously published site is unchanged")
    except Exception as exc:  # noqa: BLE001 - never a traceback on the command line
        if os.environ.get("HI_ANALYSIS_DEBUG"):
            raise
        return _fail(
            f"unexpected {type(exc).__name__}: {_one_line(str(exc))} (rerun with "
            "HI_ANALYSIS_DEBUG=1 for the traceback); the previously published site is unchanged"
        )


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "no detail"


def _fail(message: str, code: int = 1) -> int:
    print(f"hi-analysis: error: {_one_line(message)}", file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
