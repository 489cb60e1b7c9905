"""Benchmark of the logic-model chapter's computations per place (target: a few seconds).

Usage::

    .venv/bin/python benchmarks/bench_logic_model.py --repeats 3

Reads the system's ``programme_series`` extract (generate it first with
``hi-analysis synth --system llr`` or ``make book``), then times, for each place,
loading and validating the extract once and :func:`hi_analysis.logic_model.evaluate.
evaluate_place` (every ITS, controlled ITS, event study, MDE and change in SII of every
programme covering the place). Prints a Markdown table of wall-clock seconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system", default="llr")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    from hi_analysis.config import load_system
    from hi_analysis.extracts import load_extract
    from hi_analysis.logic_model.evaluate import evaluate_place
    from hi_analysis.logic_model.plan import load_plan

    system = load_system(args.system)
    start = time.perf_counter()
    plan = load_plan(system)
    extract = load_extract(system, "programme_series")
    load_s = time.perf_counter() - start
    print(f"Plan and extract ({len(extract):,} rows) loaded and validated in {load_s:.2f} s\n")
    print("| place | programmes | best (s) | median (s) |")
    print("|---|---:|---:|---:|")
    for place in system.places:
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            results = evaluate_place(plan, system, place, extract)
            times.append(time.perf_counter() - t0)
        print(
            f"| {place.name} | {len(results)} | {min(times):.2f} | {statistics.median(times):.2f} |"
        )


if __name__ == "__main__":
    main()
