"""Wall time of ``zoufang sample`` at 50,000 targets and of ``zoufang validate`` on the result.

Run: ``python benchmarks/inputs.py [--targets 50000] [--runs 3]``. Each run is a fresh process
of the real console entry point, so start-up and imports are included.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "workers", *args], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sample_s, validate_s = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            folder = Path(tmp) / f"town{run}"
            for town in ("chaihudian", "huangtun"):
                sample_s.append(
                    timed(
                        [
                            "sample",
                            str(folder / town),
                            "--town",
                            town,
                            "--targets",
                            str(args.targets),
                            "--seed",
                            str(run + 1),
                        ]
                    )
                )
                validate_s.append(timed(["validate", str(folder / town)]))
    print(f"targets per town: {args.targets}, runs: {args.runs} × 2 towns")
    for name, times, target in (("sample", sample_s, 10), ("validate", validate_s, 5)):
        median, worst = statistics.median(times), max(times)
        print(f"zoufang {name:9s}: median {median:.2f} s, max {worst:.2f} s (target < {target} s)")


if __name__ == "__main__":
    main()
