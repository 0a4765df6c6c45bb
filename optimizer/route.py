"""One cadre's visiting days as an OR-Tools routing model: one vehicle per working day.

Objective, in seconds of travel: travel, plus a cost per day used (front-loading: finish in as
few days as the rules allow; routes then go on the earliest days, keeping the last ones for
retries), plus a penalty for a priority target after ``priority_days``, plus (re-plans) a
penalty for changing tomorrow's announced route. A target the days cannot hold is dropped at a
large penalty and reported, never lost. Targets at one point (a building) are merged into nodes.

Search (chosen with ``benchmarks/routes.py``; see benchmarks/README.md): a warm start from
one tour through all targets (OR-Tools; a second tour by another strategy when time allows)
cut into days by dynamic programming (``optimizer.split``), then guided local search until
the cadre's deadline. Days are alike in the model (one fixed cost each, two cost classes:
before and after the priority days) and put in order afterwards. Without a warm start the
first solution is PARALLEL_CHEAPEST_INSERTION, which — unlike PATH_CHEAPEST_ARC — finds
feasible starts on tight time windows (Solomon R101, RC101: ``benchmarks/solomon.py``).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.collapse import collapse, expand
from optimizer.model import CadrePlan, DayRoute, Unscheduled
from optimizer.problem import REASON_CAPACITY, REASON_NO_DAYS, RouteProblem
from optimizer.split import (
    SplitArrays,
    bring_priority_forward,
    fits_in_order,
    insert_missing,
    split_tour,
)
from optimizer.timing import Leg, schedule

FRONT_LOAD_S = 120  # using day k of the remaining days costs k × this
PRIORITY_LATE_S = 3_600  # a priority target visited after priority_days
KEEP_CHANGE_S = 300  # an arc of tomorrow's route that was not announced
DROP_S = 10_000_000  # a target left out
COST_SCALE = 10
MIN_SEARCH_S = 0.005  # the search always gets this much, even past the time limit
FINISH_S = 0.002  # kept from the time limit for reading out and timing the routes
ARC_UNIT = 1


@dataclass(frozen=True, slots=True)
class SearchSettings:
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    gls_lambda: float = 0.1
    solution_limit: int = 0  # >0 stops after that many solutions (deterministic tests)
    symmetric_days: int = 600  # >0: every day costs this; routes are put in order afterwards
    split_share: float = 0.25  # share of the time for the tour-and-split warm start (measured)


DEFAULT_SEARCH = SearchSettings()


class _Model:
    """The OR-Tools objects of one solve; nothing of them leaves this module."""

    def __init__(self, problem: RouteProblem):
        self.p = problem
        n, days = problem.size + 1, len(problem.days)
        self.manager = pywrapcp.RoutingIndexManager(n, days, 0)
        self.routing = pywrapcp.RoutingModel(self.manager)
        self.service = [0, *(t.service_minutes for t in problem.targets)]
        # Costs in tenths of a second plus one per arc: zero-length arcs (one building) still
        # carry a cost, so guided local search can penalise them and move on.
        self.cost = problem.travel_s * COST_SCALE + ARC_UNIT
        np.fill_diagonal(self.cost, 0)

    def node(self, index: int) -> int:
        return self.manager.IndexToNode(index)

    def matrix_callback(self, matrix: np.ndarray) -> int:
        return self.routing.RegisterTransitMatrix(matrix.astype(np.int64).tolist())


def _travel_costs(m: _Model) -> None:
    """Travel costs seconds. 重点户 first: a priority target on a day after ``priority_days``
    costs an hour of travel. Re-plans keep tomorrow close to what was announced: on tomorrow,
    an arc that was not announced costs five minutes; on any other day, so does reaching one
    of tomorrow's announced targets (so they stay tomorrow unless that really helps)."""
    p = m.p
    cost = m.cost
    priority = np.array([False, *(t.priority for t in p.targets)])
    late = cost + np.where(priority[None, :], PRIORITY_LATE_S * COST_SCALE, 0)
    keep = dict(p.announced).get(p.keep_day, ())
    where = {t.id: i for i, t in enumerate(p.targets, start=1)}
    kept = [where[t] for t in keep if t in where]
    callbacks: dict[str, int] = {}

    def callback(name: str, matrix: np.ndarray) -> int:
        if name not in callbacks:
            callbacks[name] = m.matrix_callback(matrix)
        return callbacks[name]

    stay = np.zeros(cost.shape, dtype=np.int64)
    change = np.full(cost.shape, KEEP_CHANGE_S * COST_SCALE)
    if kept:
        stay[:, kept] = KEEP_CHANGE_S * COST_SCALE
        for a, b in itertools.pairwise([0, *kept, 0]):
            change[a, b] = 0
    for v, day in enumerate(p.days):
        if kept and day == p.keep_day:
            index = callback("keep", cost + change)
        elif day <= p.priority_until or not priority.any():
            index = callback("plain", cost + stay)
        else:
            index = callback("late", late + stay)
        m.routing.SetArcCostEvaluatorOfVehicle(index, v)


def _time_windows(m: _Model) -> None:
    """Service starts inside the target's window and ends by its close; each day stays inside
    the cadre's window and lasts at most ``minutes_per_day``, waiting included."""
    p = m.p
    service = np.array(m.service)
    transit = m.matrix_callback(p.travel_min + service[:, None])
    day = p.cadre.window
    m.routing.AddDimension(transit, 24 * 60, 24 * 60, False, "time")
    time = m.routing.GetDimensionOrDie("time")
    for i, window in enumerate(p.windows, start=1):
        index = m.manager.NodeToIndex(i)
        time.CumulVar(index).SetRange(window.start_min, window.end_min - m.service[i])
    for v in range(len(p.days)):
        time.CumulVar(m.routing.Start(v)).SetRange(day.start_min, day.end_min)
        time.CumulVar(m.routing.End(v)).SetRange(day.start_min, day.end_min)
        time.SetSpanUpperBoundForVehicle(p.cadre.minutes_per_day, v)


def _front_loading(m: _Model, symmetric: int) -> None:
    """Finish early: a day costs more the later it is, so the last days stay free for retries."""
    for v in range(len(m.p.days)):
        m.routing.SetFixedCostOfVehicle((symmetric or FRONT_LOAD_S * (v + 1)) * COST_SCALE, v)


def _front_load_order(p: RouteProblem, node_routes: list[list[int]]) -> list[list[int]]:
    """Days are alike but for priority and tomorrow: put the routes on the earliest days,
    routes with priority targets first, tomorrow's route left where it is."""
    fixed = {v for v, d in enumerate(p.days) if d == p.keep_day and p.keep_day}
    moving = [r for v, r in enumerate(node_routes) if r and v not in fixed]
    moving.sort(key=lambda r: not any(p.targets[i - 1].priority for i in r))
    result = [node_routes[v] if v in fixed else [] for v in range(len(p.days))]
    free = [v for v in range(len(p.days)) if v not in fixed]
    for v, route in zip(free, moving, strict=False):
        result[v] = route
    return result


def _every_target_visited(m: _Model) -> None:
    """户不漏人: leaving a target out costs far more than any route."""
    for i in range(1, m.p.size + 1):
        m.routing.AddDisjunction([m.manager.NodeToIndex(i)], DROP_S * COST_SCALE)


def _parameters(search: SearchSettings, time_limit_s: float):
    params = pywrapcp.DefaultRoutingSearchParameters()
    strategies = routing_enums_pb2.FirstSolutionStrategy
    params.first_solution_strategy = getattr(strategies, search.first_solution)
    metaheuristics = routing_enums_pb2.LocalSearchMetaheuristic
    params.local_search_metaheuristic = getattr(metaheuristics, search.metaheuristic)
    params.guided_local_search_lambda_coefficient = search.gls_lambda
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if search.solution_limit:
        params.solution_limit = search.solution_limit
    return params


def _initial_routes(m: _Model, start: dict[int, tuple[str, ...]]) -> list[list[int]]:
    """Warm-start routes as routing indices: each target once, each day cut to the part that
    still fits (windows may have changed since it was announced), then the targets left over
    (retries, an absent day's stops) inserted where they fit cheapest."""
    p = m.p
    where = {t.id: i for i, t in enumerate(p.targets, start=1)}
    arrays = SplitArrays(p)
    seen: set[int] = set()
    routes = []
    for day in p.days:
        nodes: list[int] = []
        for t in start.get(day, ()):
            node = where.get(t)
            if node is None or node in seen:
                continue
            if fits_in_order(arrays, [*nodes, node]):
                nodes.append(node)
                seen.add(node)
        routes.append(nodes)
    missing = [n for n in range(1, p.size + 1) if n not in seen]
    if missing:
        routes = insert_missing(p, arrays, routes, missing, FRONT_LOAD_S * 5)
    return [[m.manager.NodeToIndex(n) for n in nodes] for nodes in routes]


def _extract(m: _Model, solution) -> list[list[int]]:
    routes = []
    for v in range(len(m.p.days)):
        index, nodes = m.routing.Start(v), []
        index = solution.Value(m.routing.NextVar(index))
        while not m.routing.IsEnd(index):
            nodes.append(m.node(index))
            index = solution.Value(m.routing.NextVar(index))
        routes.append(nodes)
    return routes


def timed_routes(p: RouteProblem, node_routes: list[list[int]]):
    """DayRoutes from node orders, timed by ``schedule``; orders that do not fit come back."""
    routes, misfits = [], []
    for day, nodes in zip(p.days, node_routes, strict=True):
        legs, prev = [], 0
        for node in nodes:
            t = p.targets[node - 1]
            legs.append(
                Leg(t.id, int(p.travel_min[prev, node]), t.service_minutes, p.windows[node - 1])
            )
            prev = node
        timed = schedule(legs, int(p.travel_min[prev, 0]), p.cadre.window, p.cadre.minutes_per_day)
        if timed is None:
            misfits += nodes
            continue
        leave, back, stops = timed
        travel = sum(int(p.travel_s[a, b]) for a, b in zip([0, *nodes], [*nodes, 0], strict=True))
        routes.append(DayRoute(p.cadre.id, day, leave, back, stops, travel if nodes else 0))
    return routes, misfits


TWO_TOURS_FROM_S = 0.08  # with at least this much time for tours, build two and keep the best
# With less, cut the tour one way only: the reverse cut rarely wins and its time is better
# spent searching (measured: at 0.1 s a cadre, 1 % less travel; from 0.15 s on, a tie).
BOTH_WAYS_FROM_S = 0.018
TOUR_STRATEGIES = ("PATH_CHEAPEST_ARC", "SAVINGS", "CHRISTOFIDES")


def _giant_tour(p: RouteProblem, time_limit_s: float, variant: int = 0) -> list[int]:
    """One tour from the base through every target, ignoring days and windows."""
    manager = pywrapcp.RoutingIndexManager(p.size + 1, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(p.travel_s.tolist()))
    params = pywrapcp.DefaultRoutingSearchParameters()
    strategy = TOUR_STRATEGIES[variant % len(TOUR_STRATEGIES)]
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    solution = routing.SolveWithParameters(params)
    if solution is None:  # no time for even a first tour: the nodes in order will do
        return list(range(1, p.size + 1))
    tour, index = [], routing.Start(0)
    index = solution.Value(routing.NextVar(index))
    while not routing.IsEnd(index):
        tour.append(manager.IndexToNode(index))
        index = solution.Value(routing.NextVar(index))
    return tour


def _pieces_cost(p: RouteProblem, pieces: list[list[int]], day_cost: int) -> int:
    total = 0
    for piece in pieces:
        path = [0, *piece, 0]
        total += int(sum(p.travel_s[a, b] for a, b in itertools.pairwise(path)))
    return total + day_cost * len(pieces)


def _split_start(p: RouteProblem, time_limit_s: float, day_cost: int) -> dict[int, tuple[str, ...]]:
    """A warm start: the giant tour cut into days, pieces with priority targets first."""
    count = 1 if time_limit_s < TWO_TOURS_FROM_S else 2
    tours = [_giant_tour(p, time_limit_s / count, k) for k in range(count)]
    ways = (lambda t: (t, t[::-1])) if time_limit_s >= BOTH_WAYS_FROM_S else (lambda t: (t,))
    candidates = [split_tour(p, o, day_cost) for tour in tours for o in ways(tour)]
    candidates = [c for c in candidates if c]
    if not candidates:
        return {}
    pieces = bring_priority_forward(p, min(candidates, key=lambda c: _pieces_cost(p, c, day_cost)))
    return {
        day: tuple(p.targets[i - 1].id for i in piece)
        for day, piece in zip(p.days, pieces, strict=False)
    }


def solve_routes(
    problem: RouteProblem,
    *,
    time_limit_s: float = 0.2,
    seed: int = 0,
    search: SearchSettings = DEFAULT_SEARCH,
    start: dict[int, tuple[str, ...]] | None = None,
) -> CadrePlan:
    """Plan the cadre's remaining days.

    ``start`` (day → target ids) is a warm start; without it, ``problem.announced`` is used.
    ``seed`` is accepted for a uniform API; the routing search itself is deterministic.
    """
    del seed
    started = time.perf_counter()
    if not problem.days or not problem.targets:
        return _empty_plan(problem, started)
    p, chunks = collapse(problem)
    initial = dict(p.announced)
    if start is not None:
        initial = dict(collapse(replace(problem, announced=tuple(start.items())))[0].announced)
    if not initial and search.split_share:
        budget = time_limit_s * search.split_share
        initial = _split_start(p, budget / 2, search.symmetric_days or FRONT_LOAD_S * 3)
    node_routes = _search(p, search, started + time_limit_s, initial)
    return _plan(problem, expand(node_routes, chunks), started)


def _search(p: RouteProblem, search: SearchSettings, deadline: float, initial):
    """Build the model, read the warm start, and search until ``deadline`` (perf_counter),
    less what the solution's read-out takes."""
    m = _Model(p)
    _travel_costs(m)
    _time_windows(m)
    _front_loading(m, search.symmetric_days)
    _every_target_visited(m)
    solution = warm = None
    if initial:
        warm = m.routing.ReadAssignmentFromRoutes(_initial_routes(m, initial), True)
    params = _parameters(search, max(MIN_SEARCH_S, deadline - time.perf_counter() - FINISH_S))
    if warm is not None:
        solution = m.routing.SolveFromAssignmentWithParameters(warm, params)
    if solution is None:
        solution = m.routing.SolveWithParameters(params)
    node_routes = _extract(m, solution) if solution else [[] for _ in p.days]
    # A short search may stop before placing every target: put the rest where they still fit
    # before calling anyone unschedulable.
    placed = {n for nodes in node_routes for n in nodes}
    missing = [n for n in range(1, p.size + 1) if n not in placed]
    if missing:
        node_routes = insert_missing(p, SplitArrays(p), node_routes, missing, FRONT_LOAD_S * 5)
    if search.symmetric_days:
        node_routes = _front_load_order(p, node_routes)
    return node_routes


def _plan(p: RouteProblem, node_routes, started: float) -> CadrePlan:
    routes, misfits = timed_routes(p, node_routes)
    visited = {s.target_id for r in routes for s in r.stops}
    unscheduled = list(p.set_aside)
    unscheduled += [
        Unscheduled(t.id, p.cadre.id, REASON_CAPACITY) for t in p.targets if t.id not in visited
    ]
    day_of = {s.target_id: r.day for r in routes for s in r.stops}
    late = tuple(t.id for t in p.targets if t.priority and day_of.get(t.id, 0) > p.priority_until)
    del misfits  # their targets are among the unscheduled
    return CadrePlan(
        p.cadre.id, tuple(routes), tuple(unscheduled), late, time.perf_counter() - started
    )


def _empty_plan(p: RouteProblem, started: float) -> CadrePlan:
    unscheduled = list(p.set_aside)
    if not p.days:
        unscheduled += [Unscheduled(t.id, p.cadre.id, REASON_NO_DAYS) for t in p.targets]
    return CadrePlan(p.cadre.id, (), tuple(unscheduled), (), time.perf_counter() - started)
