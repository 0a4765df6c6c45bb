"""The town zoo: towns not tuned to the planner, through the real ``zoufang plan``.

For each kind of ``optimizer.sample.zoo.ZOO_KINDS``: the town is written as a campaign folder,
``zoufang plan`` runs on it in a subprocess (2 worker processes, maps off), and the table
gives its exit code, the targets left unscheduled, the share routed, travel ÷ PyVRP (the
median over cadres; PyVRP is given each cadre's same stops, full days and rules, 1 processor
second a cadre) and the closed-loop coverage at the deadline
(``workers.commands.simulation``: 20 % of daytime households not home per attempt, a quarter
of that in the evening, 5 % absent cadre-days; a miss takes 3 minutes at the door and a
cadre with time left goes on with their own next planned stops, ``Field.work_ahead``) with
its pairing changes — again with no absent cadre-day, which separates what the plans lose
from what the days a cadre is away cost (一访到底: no one makes those up), and again in the
stricter model where a cadre does the day's list only and a miss takes its whole planned
visit (``list only``).
``load max`` is summary.json's ``workload_ratio_max``, the busiest cadre's estimated workload ÷
minutes. The worst figures across the matrix close the table, with the travel ratio pooled
over every cadre compared.

Run: ``python benchmarks/zoo.py [--quick] [--seed 1] [--kinds tiny,mixed]``
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pyvrp_peer import solve_pyvrp
from optimizer.domain.model import Area, Assignment
from optimizer.inputs import read_campaign
from optimizer.replan import first_problems
from optimizer.sample import write_sample
from optimizer.sample.field import Field
from optimizer.sample.zoo import QUICK_KINDS, ZOO_KINDS, generate_zoo_town, utilization
from optimizer.travel import travel_model
from workers.commands.simulation import simulate_campaign

PYVRP_S = 1.0
FIELD = Field(not_home=0.2, evening_factor=0.25, absent=0.05, work_ahead=True)


def plan(folder: Path) -> tuple[int, str, float]:
    """``zoufang plan`` as a user runs it: (exit code, first line of its message, seconds)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "workers", "plan", str(folder), "--no-maps", "--workers", "2"],
        capture_output=True,
        text=True,
    )
    lines = (result.stderr or result.stdout).strip().splitlines()
    message = next((line for line in lines if line.strip()), "")
    return result.returncode, message[:90], time.perf_counter() - started


def published(folder: Path) -> tuple[Assignment, dict[str, list[list[str]]]]:
    """The assignment and the routes (cadre → day → target ids in order) the plan wrote."""
    out = folder / "out"
    areas: dict[tuple[str, str], list[str]] = defaultdict(list)
    with (out / "assignment.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            areas[(row["area_id"], row["cadre_id"])].append(row["target_id"])
    days: dict[tuple[str, int], list[tuple[int, str]]] = defaultdict(list)
    with (out / "routes.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            days[(row["cadre_id"], int(row["day"]))].append((int(row["seq"]), row["target_id"]))
    routes: dict[str, list[list[str]]] = defaultdict(list)
    for (cadre, _), stops in sorted(days.items()):
        routes[cadre].append([t for _, t in sorted(stops)])
    assignment = Assignment(tuple(Area(a, c, tuple(t)) for (a, c), t in areas.items()))
    return assignment, routes


def _travel_s(problem, days: list[list[str]]) -> int:
    index = {t.id: i for i, t in enumerate(problem.targets, start=1)}
    total = 0
    for stops in days:
        nodes = [0, *(index[t] for t in stops if t in index), 0]
        total += sum(int(problem.travel_s[a, b]) for a, b in itertools.pairwise(nodes))
    return total


def _peer(problem) -> tuple[int, int]:
    result = solve_pyvrp(problem, PYVRP_S)
    return result.travel_s, sum(len(r.stops) for r in result.routes)


def travel_ratio(folder: Path) -> list[float]:
    """Our travel ÷ PyVRP's on the same stops, per cadre compared."""
    campaign = read_campaign(folder)
    assignment, routes = published(folder)
    model = travel_model(campaign.settings.travel, str(folder))
    problems = [p for p in first_problems(campaign, assignment, [], 0, model) if p.size]
    with ProcessPoolExecutor(2) as pool:
        peers = list(pool.map(_peer, problems))
    ratios = []
    for p, (theirs, planned) in zip(problems, peers, strict=True):
        ours = _travel_s(p, routes.get(p.cadre.id, []))
        if theirs > 0 and planned == p.size:  # PyVRP found every stop a place
            ratios.append(ours / theirs)
    return ratios


def closed_loop(folder: Path, seed: int, field: Field = FIELD) -> tuple[float, int]:
    result = simulate_campaign(folder, field, seed, workers=2)
    return result.days[-1].coverage, result.pairing_changes


def measure(kind: str, seed: int, tmp: Path, loops: bool = True) -> dict:
    town = generate_zoo_town(ZOO_KINDS[kind], seed)
    folder = write_sample(tmp / kind, town)
    row = {
        "kind": kind,
        "targets": len(town.targets),
        "cadres": len(town.cadres),
        "util": utilization(town),
    }
    row["exit"], row["message"], row["plan_s"] = plan(folder)
    if row["exit"] != 0:
        return row
    summary = json.loads((folder / "out" / "summary.json").read_text(encoding="utf-8"))
    row["unscheduled"] = len(summary["unscheduled"])
    row["load_max"] = summary["workload_ratio_max"]
    routed = {t for days in published(folder)[1].values() for stops in days for t in stops}
    row["routed"] = len(routed) / len(town.targets)
    row["ratios"] = travel_ratio(folder)
    row["ratio"] = statistics.median(row["ratios"]) if row["ratios"] else None
    row["compared"] = len(row["ratios"])
    if not loops:
        return row
    row["coverage"], row["pairing"] = closed_loop(folder, seed)
    # The same loop with every cadre at work every day: what the plans lose by themselves,
    # apart from the days a cadre is away (which 一访到底 lets no one else make up).
    present, changes = closed_loop(folder, seed, replace(FIELD, absent=0.0))
    row["coverage_present"], row["pairing"] = present, row["pairing"] + changes
    strict, changes = closed_loop(folder, seed, replace(FIELD, work_ahead=False))
    row["coverage_list"], row["pairing"] = strict, row["pairing"] + changes
    return row


def _cell(row: dict, key: str, fmt: str) -> str:
    return format(row[key], fmt) if row.get(key) is not None else "—"


def print_table(rows: list[dict]) -> None:
    print(
        "\nkind        targets cadres  util  load max  exit  plan_s  unsched  routed  "
        "travel÷PyVRP (cadres)  coverage  no absences  list only  pairing"
    )
    for r in rows:
        print(
            f"{r['kind']:11s} {r['targets']:7d} {r['cadres']:6d} {r['util']:5.2f} "
            f"{_cell(r, 'load_max', '9.2f')} "
            f"{r['exit']:5d} {r['plan_s']:7.1f} {_cell(r, 'unscheduled', '8d')} "
            f"{_cell(r, 'routed', '7.1%')} {_cell(r, 'ratio', '13.3f')} "
            f"({r.get('compared', 0):3d})      {_cell(r, 'coverage', '7.2%')} "
            f"{_cell(r, 'coverage_present', '11.2%')} {_cell(r, 'coverage_list', '10.2%')} "
            f"{_cell(r, 'pairing', '8d')}"
        )
        if r["exit"] != 0:
            print(f"{'':11s} └ {r['message']}")
    worst(rows)


def worst(rows: list[dict]) -> None:
    planned = [r for r in rows if r["exit"] == 0]
    failed = [f"{r['kind']} (exit {r['exit']})" for r in rows if r["exit"] != 0]
    print("\nworst across the matrix:")
    print(f"  not planned: {', '.join(failed) or 'none'}")
    if not planned:
        return
    ratios = [r for r in planned if r.get("ratio") is not None]
    looped = [r for r in planned if "coverage" in r]
    print(
        f"  unscheduled max {max(r['unscheduled'] for r in planned)}; routed min "
        f"{min(r['routed'] for r in planned):.1%}"
        + (
            f"; coverage min {min(r['coverage'] for r in looped):.2%}; pairing changes "
            f"{sum(r['pairing'] for r in looped)}"
            if looped
            else ""
        )
        + (f"; travel÷PyVRP max {max(r['ratio'] for r in ratios):.3f}" if ratios else "")
    )
    pooled = [x for r in planned for x in r.get("ratios", [])]
    if pooled:
        print(
            f"  travel÷PyVRP over all {len(pooled)} cadres compared: median "
            f"{statistics.median(pooled):.3f}, 90th percentile "
            f"{statistics.quantiles(pooled, n=10)[-1]:.3f}"
        )
    present = [r["coverage_present"] for r in planned if "coverage_present" in r]
    if present:
        print(f"  coverage min without absent cadre-days {min(present):.2%}")
    strict = [r["coverage_list"] for r in planned if "coverage_list" in r]
    if strict:
        print(f"  coverage min when cadres do the day's list only {min(strict):.2%}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK_KINDS)}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kinds", default="", help="comma-separated kinds (default: all)")
    parser.add_argument(
        "--skip-loops", action="store_true", help="plans and travel only, no closed loops"
    )
    args = parser.parse_args()
    kinds = args.kinds.split(",") if args.kinds else list(QUICK_KINDS if args.quick else ZOO_KINDS)
    unknown = [k for k in kinds if k not in ZOO_KINDS]
    if unknown:
        parser.error(f"unknown kinds {unknown}; known: {', '.join(ZOO_KINDS)}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            started = time.perf_counter()
            rows.append(measure(kind, args.seed, Path(tmp), not args.skip_loops))
            print(f"  {kind}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    print_table(rows)


if __name__ == "__main__":
    main()
