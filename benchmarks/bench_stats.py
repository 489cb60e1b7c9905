"""Benchmark of hi_analysis.stats.sii: wall time and peak memory per value_type.

Usage::

    PYTHONPATH=src python benchmarks/bench_stats.py --areas 300 --quantiles 10 \
        --repetitions 100000 --repeats 3

Each case runs in a fresh child process (so its peak resident memory,
``ru_maxrss``, is honest: interpreter + numpy/pandas/scipy + the computation);
the parent prints a Markdown table. Times are wall-clock (time.perf_counter)
for the ``sii()`` call alone, the best and median of ``--repeats`` calls.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

CASES = {
    0: "0 (other, e.g. life expectancy)",
    1: "1 (rate, log scale)",
    2: "2 (proportion, logit scale)",
}


def build_input(areas: int, quantiles: int, value_type: int, seed: int = 0):
    """Synthetic SII input: one row per area and quantile, with 95% limits."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    rank = (np.arange(quantiles) + 0.5) / quantiles
    pop = rng.integers(5_000, 30_000, size=(areas, quantiles))
    noise = rng.normal(size=(areas, quantiles))
    if value_type == 0:  # life expectancy, 75 -> 85 years
        value = 75 + 10 * rank + 0.8 * noise
        half = 1.96 * rng.uniform(1.2, 2.0, size=value.shape)
        lower, upper = value - half, value + half
    elif value_type == 1:  # rate per 1,000, 6 -> 3
        value = np.exp(np.log(6) - np.log(2) * rank + 0.05 * noise)
        factor = np.exp(1.96 * rng.uniform(0.02, 0.06, size=value.shape))
        lower, upper = value / factor, value * factor
    else:  # proportion, 0.22 -> 0.12
        value = 0.22 - 0.10 * rank + 0.005 * noise
        logit = np.log(value / (1 - value))
        half = 1.96 * rng.uniform(0.012, 0.02, size=value.shape)
        lower = 1 / (1 + np.exp(-(logit - half)))
        upper = 1 / (1 + np.exp(-(logit + half)))
    return pd.DataFrame(
        {
            "area": np.repeat(np.arange(areas), quantiles),
            "quantile": np.tile(np.arange(1, quantiles + 1), areas),
            "population": pop.ravel(),
            "value": value.ravel(),
            "lower": lower.ravel(),
            "upper": upper.ravel(),
        }
    )


def child(args: argparse.Namespace) -> None:
    """Run one case in this (fresh) process and print a JSON line of results."""
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    from hi_analysis.stats import sii

    df = build_input(args.areas, args.quantiles, args.value_type)
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        out = sii(
            df, "quantile", "population", by="area", value="value", lower_cl="lower",
            upper_cl="upper", value_type=args.value_type, repetitions=args.repetitions,
            rii=args.rii, seed=1,
        )  # fmt: skip
        times.append(time.perf_counter() - start)
    assert len(out) == args.areas and out["sii_lowercl"].notna().all()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"times": times, "baseline_kb": baseline_kb, "peak_kb": peak_kb}))


def main() -> None:
    """Parse arguments; run each value_type in a child process; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=300)
    parser.add_argument("--quantiles", type=int, default=10)
    parser.add_argument("--repetitions", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rii", action="store_true", help="also compute the RII and its limits")
    parser.add_argument("--value-type", type=int, choices=sorted(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    rows = []
    for value_type, label in CASES.items():
        cmd = [
            sys.executable,
            __file__,
            "--child",
            "--value-type",
            str(value_type),
            "--areas",
            str(args.areas),
            "--quantiles",
            str(args.quantiles),
            "--repetitions",
            str(args.repetitions),
            "--repeats",
            str(args.repeats),
        ]
        if args.rii:
            cmd.append("--rii")
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        times = result["times"]
        rows.append(
            (
                label,
                min(times),
                statistics.median(times),
                result["peak_kb"] / 1024,
                (result["peak_kb"] - result["baseline_kb"]) / 1024,
            )
        )

    ncpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"sii(): {args.areas} areas x {args.quantiles} quantiles x {args.repetitions:,} "
        f"repetitions{', with RII' if args.rii else ''}; {args.repeats} repeats; "
        f"{ncpu} CPUs; Python {sys.version.split()[0]}"
    )
    print()
    print("| value_type | best (s) | median (s) | peak RSS (MB) | peak above baseline (MB) |")
    print("|---|---:|---:|---:|---:|")
    for label, best, median, peak, extra in rows:
        print(f"| {label} | {best:.3f} | {median:.3f} | {peak:.0f} | {extra:.0f} |")


if __name__ == "__main__":
    main()
