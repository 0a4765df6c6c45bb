"""First-solution strategies on tight time windows: Solomon VRPTW instances, OR-Tools routing.

Why the engine starts from PARALLEL_CHEAPEST_INSERTION when it has no warm start: on tight
windows PATH_CHEAPEST_ARC may find no feasible solution at all. Each instance is solved as a
standard VRPTW (distance-only objective on distances truncated to one decimal, the original
fleet of 25 vehicles, capacity, service times, windows) with the engine's metaheuristic (guided
local search, the same λ) after each first-solution strategy, at the same time limit; the gap is
to the distance-only best known solution of ``../shared/benchmarks/solomon/bks.csv``.

Run: ``python benchmarks/solomon.py [--limit 2] [--instances C101,R101,…] [--data DIR]``
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.route.ortools_model import DEFAULT_SEARCH

DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "solomon"
INSTANCES = "C101,C201,R101,R201,RC101,RC201,R112,RC208"
STRATEGIES = ("PATH_CHEAPEST_ARC", "PARALLEL_CHEAPEST_INSERTION", "SAVINGS")
FLEET = 25


@dataclass(frozen=True, slots=True)
class Instance:
    name: str
    xy: list[tuple[int, int]]
    demand: list[int]
    windows: list[tuple[int, int]]
    service: int
    capacity: int


def read_instance(path: Path) -> Instance:
    """The LKH-3 ``.vrptw`` format: header, then coordinates, demands and windows by node."""
    header, sections, current = {}, {}, None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line == "EOF":
            continue
        if line.endswith("SECTION"):
            current = sections.setdefault(line, [])
        elif ":" in line and current is None:
            key, value = (part.strip() for part in line.split(":", 1))
            header[key] = value
        elif current is not None:
            current.append([int(float(x)) for x in line.split()])
    return Instance(
        name=header["NAME"],
        xy=[(r[1], r[2]) for r in sections["NODE_COORD_SECTION"]],
        demand=[r[1] for r in sections["DEMAND_SECTION"]],
        windows=[(r[1], r[2]) for r in sections["TIME_WINDOW_SECTION"]],
        service=int(header["SERVICE_TIME"]),
        capacity=int(header["CAPACITY"]),
    )


def solve(job: tuple[Path, str, float]) -> tuple[str, str, float | None]:
    """(instance, strategy, distance of the best solution or None if none was found)."""
    path, strategy, limit_s = job
    inst = read_instance(path)
    n = len(inst.xy)
    # Distances in tenths, truncated (FLOOR_2D, SCALE 10); times in tenths too.
    dist = [[int(10 * math.dist(a, b)) for b in inst.xy] for a in inst.xy]
    service = [0, *([inst.service * 10] * (n - 1))]
    manager = pywrapcp.RoutingIndexManager(n, FLEET, 0)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(dist))
    # Each vehicle carries at most its capacity.
    demand = routing.RegisterUnaryTransitVector(inst.demand)
    routing.AddDimensionWithVehicleCapacity(demand, 0, [inst.capacity] * FLEET, True, "load")
    # Service starts inside each customer's window; every route ends by the depot's close.
    transit = routing.RegisterTransitMatrix(
        [[dist[a][b] + service[a] for b in range(n)] for a in range(n)]
    )
    horizon = inst.windows[0][1] * 10
    routing.AddDimension(transit, horizon, horizon, False, "time")
    time = routing.GetDimensionOrDie("time")
    for node, (early, late) in enumerate(inst.windows):
        if node:
            time.CumulVar(manager.NodeToIndex(node)).SetRange(early * 10, late * 10)
    for v in range(FLEET):
        time.CumulVar(routing.Start(v)).SetRange(0, horizon)
        time.CumulVar(routing.End(v)).SetRange(0, horizon)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, DEFAULT_SEARCH.metaheuristic
    )
    params.guided_local_search_lambda_coefficient = DEFAULT_SEARCH.gls_lambda
    params.time_limit.FromMilliseconds(int(limit_s * 1000))
    solution = routing.SolveWithParameters(params)
    return inst.name, strategy, solution.ObjectiveValue() / 10 if solution else None


def best_known(data: Path) -> dict[str, float]:
    with (data / "bks.csv").open(encoding="utf-8") as f:
        return {r["instance"]: float(r["dist_only_bks_trunc1dec"]) for r in csv.DictReader(f)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--limit", type=float, default=2.0, help="seconds per solve")
    parser.add_argument("--instances", default=INSTANCES)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    names = args.instances.split(",")
    files = {p.name.split(".")[0]: p for p in (args.data / "instances").glob("*.vrptw")}
    bks = best_known(args.data)
    jobs = [(files[name], s, args.limit) for name in names for s in STRATEGIES]
    with ProcessPoolExecutor(2) as pool:
        found = {(name, s): d for name, s, d in pool.map(solve, jobs)}
    print(f"Solomon VRPTW, OR-Tools + guided local search, {args.limit:g} s each, fleet {FLEET}")
    print(f"{'instance':9s}" + "".join(f"{s:>30s}" for s in STRATEGIES))
    for name in names:
        cells = []
        for s in STRATEGIES:
            d = found[(name, s)]
            cells.append("no solution" if d is None else f"{d:.1f} ({d / bks[name] - 1:+.1%})")
        print(f"{name:9s}" + "".join(f"{c:>30s}" for c in cells))
    for s in STRATEGIES:
        gaps = [found[(n, s)] / bks[n] - 1 for n in names if found[(n, s)] is not None]
        missing = sum(found[(n, s)] is None for n in names)
        mean = f"{statistics.mean(gaps):.1%}" if gaps else "—"
        print(f"  {s}: feasible on {len(names) - missing}/{len(names)}, mean gap {mean}")


if __name__ == "__main__":
    main()
