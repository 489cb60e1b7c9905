"""Benchmark national runs on Dask: the Midlands systems with 1 and 2 workers, and an estimate
for all 42 ICBs from the measured cost per place.

Usage::

    python benchmarks/bench_national.py [--systems a b ...] [--workers 1 2] [--cold]

Default systems: the 11 Midlands systems under ``parameters/``. The synthetic extracts of
every system are generated once first, into a temporary folder, and timed on their own
(real extracts arrive from the analysts' systems; the synthetic ones stand in for them).
Then, for each worker count, every system is built from a fresh, empty ``HI_ANALYSIS_BUILD``
(validating the inputs and extracts, every notebook, every book), through
:func:`hi_analysis.national.run.build_systems` on a local Dask cluster, one notebook at a time
inside each system (``jobs=1``). With ``--cold`` each run also generates its own
extracts (the first version of this benchmark). Prints a Markdown table: wall-clock seconds
per worker count, the speed-up (1-worker time / 2-worker time), the summed per-system build
time divided by the number of places (seconds per place), and the estimate for all 42 ICBs
on 2 cores:
``places(42 ICBs) x seconds per place / workers / parallel efficiency``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIDLANDS = (
    "llr",
    "birmingham-and-solihull",
    "black-country",
    "coventry-and-warwickshire",
    "derby-and-derbyshire",
    "herefordshire-and-worcestershire",
    "lincolnshire",
    "northamptonshire",
    "nottingham-and-nottinghamshire",
    "shropshire-telford-and-wrekin",
    "staffordshire-and-stoke-on-trent",
)


def make_extracts(systems: list[str], folder: Path) -> float:
    """Generate every system's synthetic extracts into ``folder``; seconds taken."""
    from hi_analysis import synth
    from hi_analysis.config import load_system

    os.environ["HI_ANALYSIS_EXTRACTS"] = str(folder)
    start = time.perf_counter()
    for s in systems:
        print(f"synthetic extracts for {s} ...", file=sys.stderr, flush=True)
        synth.generate(load_system(s), seed=synth.DEFAULT_SEED)
    return time.perf_counter() - start


def run(systems: list[str], workers: int, extracts: Path | None) -> tuple[float, list]:
    from hi_analysis.national.run import build_systems

    tmp = Path(tempfile.mkdtemp(prefix="bench-national-"))
    os.environ["HI_ANALYSIS_BUILD"] = str(tmp / "_build")
    os.environ["HI_ANALYSIS_EXTRACTS"] = str(extracts or tmp / "extracts")
    try:
        start = time.perf_counter()
        outcomes = build_systems(
            systems,
            workers=workers,
            jobs=1,
            force=True,
            say=lambda m: print(m, file=sys.stderr, flush=True),
        )
        return time.perf_counter() - start, outcomes
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def all_places() -> int:
    """Places of all 42 ICBs as ``hi-analysis init`` would write them."""
    from hi_analysis.national.init import icb_codes, plan_system

    return sum(len(plan_system(icb).places) for icb in icb_codes())


def population(systems: list[str]) -> float:
    """ONS mid-2020 population of the systems' places (all of England when empty)."""
    from hi_analysis.config import load_system
    from hi_analysis.data import load
    from hi_analysis.geography import lsoa11_codes

    ons = load("population_2020_lsoa11").set_index("lsoa11cd")["all_ages"]
    if not systems:
        return float(ons.sum())
    codes = {c for s in systems for p in load_system(s).places for c in lsoa11_codes(p)}
    return float(ons.reindex(sorted(codes)).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", nargs="+", default=list(MIDLANDS))
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--cold", action="store_true", help="generate extracts in every run")
    args = parser.parse_args()
    from hi_analysis.config import load_system

    places = sum(len(load_system(s).places) for s in args.systems)
    shared = None if args.cold else Path(tempfile.mkdtemp(prefix="bench-national-extracts-"))
    synth_seconds = make_extracts(args.systems, shared) if shared else None
    rows = []
    for w in args.workers:
        seconds, outcomes = run(args.systems, w, shared)
        ok = sum(o.ok for o in outcomes)
        per_place = sum(o.seconds for o in outcomes if o.ok) / max(
            1, sum(o.places for o in outcomes if o.ok)
        )
        rows.append((w, seconds, ok, per_place))
        stages: dict[str, float] = {}
        for o in outcomes:
            for k, v in o.stages.items():
                stages[k] = stages.get(k, 0.0) + v
        print(
            f"{w} worker(s): summed per-system stage seconds: "
            + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()),
            file=sys.stderr,
            flush=True,
        )
        for o in outcomes:
            print(f"  {o.line()}", file=sys.stderr, flush=True)
    if shared:
        shutil.rmtree(shared, ignore_errors=True)
    n42 = all_places()
    print(f"\n{len(args.systems)} systems, {places} places; all 42 ICBs: {n42} places")
    if synth_seconds is not None:
        print(f"synthetic extracts, all systems, once, untimed in the runs: {synth_seconds:.1f} s")
    print()
    print("| workers | wall-clock (s) | systems built | build seconds per place |")
    print("|---:|---:|---:|---:|")
    for w, seconds, ok, per_place in rows:
        print(f"| {w} | {seconds:.1f} | {ok}/{len(args.systems)} | {per_place:.1f} |")
    if len(rows) >= 2 and rows[0][0] == 1:
        one, two = rows[0][1], rows[1][1]
        speedup = one / two
        efficiency = speedup / rows[1][0]
        per_place_1 = one / places  # wall-clock per place with one worker
        estimate = n42 * per_place_1 / rows[1][0] / efficiency
        print(
            f"\nspeed-up with {rows[1][0]} workers: {speedup:.2f} "
            f"(parallel efficiency {efficiency:.0%})"
        )
        print(
            f"estimate for all 42 ICBs ({n42} places) with {rows[1][0]} workers: "
            f"{estimate / 60:.1f} min ({per_place_1:.1f} s per place with one worker)"
        )
        ours, england = population(args.systems), population([])
        by_people = one * england / ours / speedup
        print(
            f"estimate by population instead (these systems {ours / 1e6:.2f} million people, "
            f"England {england / 1e6:.2f} million): {by_people / 60:.1f} min"
        )


if __name__ == "__main__":
    main()
