"""Benchmark synthetic-extract generation for a system: wall time and peak memory.

Usage::

    python benchmarks/bench_synth.py [--system llr] [--repeats 3]

Each repeat runs ``hi-analysis synth`` in a fresh process writing into a temporary
extracts folder, and reads the child's peak resident memory from ``getrusage``.
Prints a Markdown table (seconds, peak MB, rows written) and checks that every
repeat produced byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(system: str, folder: Path) -> tuple[float, float]:
    exe = Path(sys.executable).with_name("hi-analysis")
    env = {**os.environ, "HI_ANALYSIS_EXTRACTS": str(folder)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([str(exe), "synth", "--system", system], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak < before:  # pragma: no cover - ru_maxrss is a running maximum
        peak = before
    return seconds, peak / 1024


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*.parquet"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system", default="llr")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import pyarrow.parquet as pq

    rows, hashes = [], []
    for i in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            seconds, peak_mb = run_once(args.system, Path(tmp))
            hashes.append(digests(Path(tmp)))
            n = sum(pq.ParquetFile(p).metadata.num_rows for p in Path(tmp).rglob("*.parquet"))
            size = sum(p.stat().st_size for p in Path(tmp).rglob("*.parquet")) / 2**20
        rows.append((i + 1, seconds, peak_mb, n, size))
    print("| repeat | seconds | peak memory (MB, max so far) | rows written | Parquet MB |")
    print("|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]:.1f} | {r[2]:.0f} | {r[3]:,} | {r[4]:.1f} |")
    print(f"\nbest {min(r[1] for r in rows):.1f} s; identical files across repeats: "
          f"{all(h == hashes[0] for h in hashes)}")


if __name__ == "__main__":
    main()
