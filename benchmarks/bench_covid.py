"""Benchmark the COVID-19 chapter's computation for one place (extracts already validated).

Usage::

    python benchmarks/bench_covid.py [--system llr] [--repeats 3]

Loads the chapter's extracts once (the validation the build does before any notebook
runs), then times :func:`hi_analysis.covid.chapter.compute` for every place of the
system, ``--repeats`` times each, in one process. The first place of the first repeat
also reads and validates the shipped public tables (once per process, as a notebook
does). Prints a Markdown table of wall-clock and CPU seconds and the load average, since
the machine is shared.

Needs the extracts (``hi-analysis synth --system llr`` if there are none).
"""

from __future__ import annotations

import argparse
import os
import time

from hi_analysis.config import CHAPTER_EXTRACTS, load_system
from hi_analysis.covid import chapter
from hi_analysis.extracts import load_extract


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system", default="llr")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    system = load_system(args.system)
    t = time.perf_counter()
    extracts = {n: load_extract(system, n) for n in CHAPTER_EXTRACTS["covid"]}
    print(f"loaded and validated {len(extracts)} extracts in {time.perf_counter() - t:.1f} s")
    print("| repeat | place | wall (s) | CPU (s) | load average (1 min) |")
    print("|---:|---|---:|---:|---:|")
    for r in range(1, args.repeats + 1):
        for place in system.places:
            wall, cpu = time.perf_counter(), time.process_time()
            chapter.compute(system, place, extracts)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"| {r} | {place.name} | {wall:.2f} | {cpu:.2f} | {os.getloadavg()[0]:.1f} |")


if __name__ == "__main__":
    main()
