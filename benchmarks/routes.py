"""Route quality against PyVRP, and the speed of a full ``zoufang plan``.

(a) Quality: cadres sampled from sample towns; each cadre's problem (same travel matrix, same
rules, same objective) solved by the project's engine (its default stops after the budget's
worth of solutions, ``zoufang-clock`` at the deadline), by plain OR-Tools settings (PCA or
PCI + guided local search, distinct day costs, no warm start) and by PyVRP, each at the same
time limit, two solves at a time on the machine's two cores. Prints the travel ratio per
cadre and the medians; the processor seconds of the default engine beside its budget.

(b) Speed: the full ``zoufang plan`` (read, assign, route, write; maps off) on 15,000 targets /
~250 cadres and 30,000 / ~500, wall time with 2 worker processes.

Run: ``python benchmarks/routes.py [--cadres 60] [--limits 0.15,0.2,0.5] [--skip-speed]
[--speed-runs 3]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pyvrp_peer import solve_pyvrp
from optimizer.assign.solve import assign_areas
from optimizer.inputs import read_campaign
from optimizer.replan import first_problems
from optimizer.route.ortools_model import SearchSettings
from optimizer.route.search import solve_routes
from optimizer.sample import generate_sample, write_sample
from optimizer.travel import travel_model

ENGINES = {
    "zoufang": SearchSettings(),  # stops after the budget's worth of solutions (reproducible)
    "zoufang-clock": SearchSettings(deterministic=False),  # the same, stopped by the clock
    "ortools-PCA": SearchSettings(
        first_solution="PATH_CHEAPEST_ARC", symmetric_days=0, split_share=0.0, deterministic=False
    ),
    "ortools-PCI": SearchSettings(symmetric_days=0, split_share=0.0, deterministic=False),
}


def sample_problems(count: int, seed: int, folder: Path):
    problems = []
    for town in ("huangtun", "chaihudian"):
        path = write_sample(folder / town, generate_sample(town, 15_000, seed))
        campaign = read_campaign(path)
        assignment = assign_areas(campaign, seed=seed)
        model = travel_model(campaign.settings.travel)
        every = first_problems(campaign, assignment, [], 0, model)
        every = [p for p in every if p.size]
        rng = np.random.default_rng(seed)
        problems += [every[i] for i in rng.choice(len(every), count // 2, replace=False)]
    return problems


def _solve(job):
    engine, problem, limit = job
    started = time.process_time()
    if engine == "pyvrp":
        plan = solve_pyvrp(problem, limit)
    else:
        plan = solve_routes(problem, time_limit_s=limit, search=ENGINES[engine])
    planned = sum(len(r.stops) for r in plan.routes)
    return plan.travel_s, planned, time.process_time() - started


def quality(problems, limit: float, verbose: bool) -> None:
    names = [*ENGINES, "pyvrp"]
    with ProcessPoolExecutor(2) as pool:
        results = {
            name: list(pool.map(_solve, [(name, p, limit) for p in problems])) for name in names
        }
    peer = results["pyvrp"]
    print(f"\n(a) time limit {limit} s per cadre, {len(problems)} cadres")
    if verbose:
        print("cadre  role          targets  pyvrp_min  zoufang_min  ratio")
        for p, (ours, *_), (theirs, *_) in zip(problems, results["zoufang"], peer, strict=True):
            print(
                f"{p.cadre.id:6s} {p.cadre.role:12s} {p.size:7d} {theirs / 60:10.1f} "
                f"{ours / 60:12.1f}  {ours / theirs:.4f}"
            )
    for name in ENGINES:
        ratios = [a / b for (a, *_), (b, *_) in zip(results[name], peer, strict=True)]
        missing = sum(p.size - n for p, (_, n, _) in zip(problems, results[name], strict=True))
        wins = sum(r < 0.999 for r in ratios)
        losses = sum(r > 1.001 for r in ratios)
        print(
            f"  {name:12s} travel ratio to PyVRP: median {statistics.median(ratios):.4f}, "
            f"mean {np.mean(ratios):.4f}; better {wins}, worse {losses}, tied "
            f"{len(ratios) - wins - losses}; targets left out {missing}"
        )
    left_out = sum(p.size - n for p, (_, n, _) in zip(problems, peer, strict=True))
    print(f"  pyvrp        targets left out {left_out}")
    for name in ("zoufang", "zoufang-clock"):
        cpu = sum(c for *_, c in results[name])
        print(
            f"  {name:13s} processor seconds {cpu:.1f} for a budget of {limit * len(problems):.1f}"
        )


def speed(folder: Path, runs: int) -> None:
    print(
        f"\n(b) full `zoufang plan` (assignment + routes, maps off), 2 worker processes, "
        f"median of {runs}"
    )
    for town, targets in (("huangtun", 15_000), ("huangtun", 30_000)):
        path = write_sample(folder / f"speed{targets}", generate_sample(town, targets, 1))
        cadres = len(read_campaign(path).cadres)
        walls = []
        for _ in range(runs):
            shutil.rmtree(path / ".zoufang", ignore_errors=True)  # a first plan each time
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "workers", "plan", str(path), "--workers", "2", "--no-maps"],
                check=True,
                capture_output=True,
            )
            walls.append(time.perf_counter() - started)
        target = 30 if targets == 15_000 else 60
        print(
            f"  {targets} targets / {cadres} cadres: {statistics.median(walls):.1f} s wall "
            f"(runs {', '.join(f'{w:.1f}' for w in walls)}; target ≤ {target} s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--cadres", type=int, default=60)
    parser.add_argument("--limits", default="0.15,0.2,0.5")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--speed-runs", type=int, default=3)
    parser.add_argument("--verbose", action="store_true", help="print every cadre's ratio")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        problems = sample_problems(args.cadres, args.seed, Path(tmp))
        for limit in (float(x) for x in args.limits.split(",")):
            quality(problems, limit, args.verbose)
        if not args.skip_speed:
            speed(Path(tmp), args.speed_runs)


if __name__ == "__main__":
    main()
