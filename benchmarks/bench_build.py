"""Benchmark `make book`: cold (fresh clone), notebooks-cold (environment ready) and warm.

Usage::

    python benchmarks/bench_build.py [--repeats 1]

Clones the committed HEAD into a temporary folder (so nothing local is reused), then times:

1. ``make book`` on the fresh clone: creates .venv, installs, validates, runs every notebook,
   builds the book;
2. ``make book`` after deleting ``_build`` (environment ready, every notebook re-run);
3. ``make book`` again with nothing changed (the cache: no notebook re-run).

Prints a Markdown table of wall-clock seconds.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    rows = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            clone = Path(tmp) / "hi-analysis"
            subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
            cold = timed(["make", "book"], clone)
            shutil.rmtree(clone / "_build")
            notebooks = timed(["make", "book"], clone)
            warm = timed(["make", "book"], clone)
            rows.append((cold, notebooks, warm))
    print("| run | cold: fresh clone (s) | environment ready, empty _build (s) | warm (s) |")
    print("|---|---:|---:|---:|")
    for i, (c, n, w) in enumerate(rows, 1):
        print(f"| {i} | {c:.1f} | {n:.1f} | {w:.1f} |")


if __name__ == "__main__":
    main()
