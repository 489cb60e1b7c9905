"""Benchmark the COVID-19 chapter's computation for one place (extracts already validated).

Usage::

    python benchmarks/bench_covid.py [--system llr] [--repeats 3]

Validates the chapter's extracts once (as the build does before any notebook runs;
generating the synthetic extracts first when any is missing), then times, for every
place of the system, ``--repeats`` times each, in one process, what the notebook does:
reading the place's validated extracts from the cache
(:func:`hi_analysis.extracts.read_extracts`) and
:func:`hi_analysis.covid.chapter.compute`. The first place of the first repeat also
reads the shipped public tables (once per process, as a warm kernel does). Prints a
Markdown table of wall-clock and CPU seconds and the load average, since the machine
is shared.
"""

from __future__ import annotations

import argparse
import os
import time

from hi_analysis.chapters import CHAPTERS
from hi_analysis.config import load_system
from hi_analysis.covid import chapter
from hi_analysis.errors import HiAnalysisError
from hi_analysis.extracts import read_extracts, validate_extracts
from hi_analysis.pipeline import ensure_extracts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system", default="llr")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    system = load_system(args.system)
    names = list(CHAPTERS["covid"].extracts)
    t = time.perf_counter()
    try:
        ensure_extracts(system, names, say=print)  # synthetic ones when any is missing
        checked = validate_extracts(system, names)
    except HiAnalysisError as exc:
        raise SystemExit(f"bench_covid: {exc}") from None
    print(f"validated {len(checked)} changed extract(s) in {time.perf_counter() - t:.1f} s")
    print("| repeat | place | wall (s) | CPU (s) | load average (1 min) |")
    print("|---:|---|---:|---:|---:|")
    for r in range(1, args.repeats + 1):
        for place in system.places:
            wall, cpu = time.perf_counter(), time.process_time()
            chapter.compute(system, place, read_extracts(system, names, place))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"| {r} | {place.name} | {wall:.2f} | {cpu:.2f} | {os.getloadavg()[0]:.1f} |")


if __name__ == "__main__":
    main()
