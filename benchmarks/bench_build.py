"""Benchmark a quarterly rebuild against the plain-Python floor, in one run on one machine.

Usage::

    python benchmarks/bench_build.py [--system llr] [--jobs N]

Measures, one after the other:

(a) the **floor**: every chapter's computations for every place, in one fresh Python
    process, with no notebooks and no book (each chapter's registered ``compute`` entry
    point, reading the validated extracts of the place, as the notebooks do); the wall
    clock of the whole process, interpreter start and imports included (imports are
    timed separately, so the first chapter's time includes reading the public tables);
(b) a **full build** with the environment ready and the extracts validated, every
    chapter re-run: ``hi-analysis build --system <id> --force``;
(c) a **no-op rebuild**: ``hi-analysis build --system <id>`` straight after (b).

Before timing anything it makes sure the extracts exist (generating the synthetic ones
with ``hi-analysis synth`` when any is missing, never a traceback) and are validated
(``hi-analysis validate``). Prints a Markdown table with the load average, since the
machine may be shared; the ratio (b)/(a) is measured side by side in the same run.
Targets (issue 12): (b) at most 2 x (a); (c) at most 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).with_name("hi-analysis")


def floor(system_id: str) -> dict[str, float]:
    """Run every chapter's computations for every place in this process; seconds by chapter.

    Each chapter's registered compute entry point (:attr:`hi_analysis.chapters.Chapter.compute`,
    through :meth:`~hi_analysis.chapters.Chapter.run`), so a new chapter is timed with no
    change here.
    """
    start = time.perf_counter()
    from hi_analysis.chapters import CHAPTERS
    from hi_analysis.config import load_system

    system = load_system(system_id)
    missing = [c for c in system.chapters if not CHAPTERS[c].compute]
    if missing:
        raise SystemExit(f"bench_build: no compute entry point for chapter(s) {', '.join(missing)}")
    seconds = {"imports": time.perf_counter() - start}
    for chapter in system.chapters:
        t = time.perf_counter()
        for place in system.places:
            CHAPTERS[chapter].run(system, place)
        seconds[chapter] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - start
    return seconds


def run(cmd: list[str], what: str) -> float:
    """Run a command quietly; on failure print its last error line and stop (no traceback)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines() or ["(no output)"]
        raise SystemExit(f"bench_build: {what} failed: {lines[-1]}")
    return took


def ensure_extracts(system_id: str) -> None:
    """Generate the synthetic extracts if any chapter's extract is missing, then validate."""
    from hi_analysis.config import load_system
    from hi_analysis.extracts import missing_extracts
    from hi_analysis.pipeline import needed_extracts

    system = load_system(system_id)
    if missing_extracts(system.id, needed_extracts(system)):
        print("extracts missing: generating synthetic ones (hi-analysis synth) ...", flush=True)
        run([str(EXE), "synth", "--system", system_id], "hi-analysis synth")
    run([str(EXE), "validate", "--system", system_id], "hi-analysis validate")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system", default="llr")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--floor-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_only:
        print(json.dumps(floor(args.system)))
        return
    ensure_extracts(args.system)
    load = [os.getloadavg()[0]]
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--system", args.system, "--floor-only"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    a = time.perf_counter() - start
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or ["(no output)"]
        raise SystemExit(f"bench_build: the floor run failed: {lines[-1]}")
    parts = json.loads(proc.stdout.strip().splitlines()[-1])
    load.append(os.getloadavg()[0])
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []  # default: one per CPU core
    build = [str(EXE), "build", "--system", args.system, *jobs, "--quiet"]
    b = run([*build, "--force"], "the full build")
    load.append(os.getloadavg()[0])
    c = run(build, "the no-op rebuild")
    load.append(os.getloadavg()[0])
    cpus = os.cpu_count()
    print(
        f"system {args.system}, {cpus} CPUs, 1-minute load average {min(load):.1f} to "
        f"{max(load):.1f}"
    )
    print("floor by chapter (s): " + ", ".join(f"{k} {v:.1f}" for k, v in parts.items()))
    print()
    print("| measure | command | wall (s) | target |")
    print("|---|---|---:|---|")
    print(
        f"| (a) floor: every chapter, every place, one process | `python "
        f"benchmarks/bench_build.py --floor-only` | {a:.1f} | |"
    )
    print(
        f"| (b) full build, every chapter re-run | `{' '.join(build[1:])} --force` | {b:.1f} | "
        f"<= 2 x (a): {b / a:.2f} x, {'met' if b <= 2 * a else 'not met'} |"
    )
    print(
        f"| (c) no-op rebuild | `{' '.join(build[1:])}` | {c:.1f} | <= 2 s: "
        f"{'met' if c <= 2 else 'not met'} |"
    )


if __name__ == "__main__":
    main()
