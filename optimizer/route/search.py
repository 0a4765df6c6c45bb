"""``solve_routes``: build one cadre's model, warm-start it, search, read out timed routes.

Search (chosen with ``benchmarks/routes.py``; see benchmarks/README.md): a warm start from
one tour through all targets (OR-Tools; a second tour by another strategy when time allows)
cut into days by dynamic programming (``warm_start``), then guided local search until the
cadre's deadline. Days are alike in the model (one fixed cost each, two cost classes: before
and after the priority days) and put in order afterwards. Without a warm start the first
solution is PARALLEL_CHEAPEST_INSERTION, which — unlike PATH_CHEAPEST_ARC — finds feasible
starts on tight time windows (Solomon R101, RC101: ``benchmarks/solomon.py``). Targets at one
point (a building) are merged into nodes (``collapse``).
"""

from __future__ import annotations

import time
from dataclasses import replace

from optimizer.domain.model import CadrePlan, DayRoute, Unscheduled
from optimizer.route.collapse import collapse, expand
from optimizer.route.ortools_model import (
    DEFAULT_SEARCH,
    FRONT_LOAD_S,
    SearchSettings,
    build_model,
    solve_model,
)
from optimizer.route.problem import REASON_CAPACITY, REASON_NO_DAYS, RouteProblem
from optimizer.route.pull_forward import pull_forward
from optimizer.route.stopping import search_stop
from optimizer.route.timing import Leg, schedule
from optimizer.route.warm_start import SplitArrays, insert_missing, split_start

MIN_SEARCH_S = 0.005  # the search always gets this much, even past the time limit


FINISH_S = 0.002  # kept from the time limit for reading out and timing the routes


def _work_min(p: RouteProblem, nodes: list[int]) -> int:
    """Minutes of a day's route, travel and service (waiting aside)."""
    legs = zip([0, *nodes], [*nodes, 0], strict=True)
    travel = sum(int(p.travel_min[a, b]) for a, b in legs)
    return travel + sum(p.targets[i - 1].service_minutes for i in nodes)


def _front_load_order(p: RouteProblem, node_routes: list[list[int]]) -> list[list[int]]:
    """Days are alike but for priority and tomorrow: put the fullest routes on the earliest
    days, tomorrow's route left where it is. Fullest first because a visit on a later day has
    fewer days left for its retries (a miss on the last day is never retried): the order that
    puts the most work earliest leaves the fewest visits without a retry, at no cost in travel.
    Routes holding a priority target keep a day within ``priority_days`` (where the search
    put them, at no penalty), taking the places of the lightest routes there."""
    announced = dict(p.announced).get(p.keep_day)
    fixed = {v for v, d in enumerate(p.days) if d == p.keep_day and announced}
    free = [v for v in range(len(p.days)) if v not in fixed]
    moving = [r for v, r in enumerate(node_routes) if r and v not in fixed]
    moving.sort(key=lambda r: -_work_min(p, r))
    early = sum(1 for v in free if p.days[v] <= p.priority_until)
    urgent = [r for r in moving if any(p.targets[i - 1].priority for i in r)]
    if urgent and any(moving.index(r) >= early for r in urgent):
        rest = [r for r in moving if r not in urgent]
        room = max(0, early - len(urgent))
        head = sorted([*urgent, *rest[:room]], key=lambda r: -_work_min(p, r))
        moving = head + rest[room:]
    result = [node_routes[v] if v in fixed else [] for v in range(len(p.days))]
    for v, route in zip(free, moving, strict=False):
        result[v] = route
    return result


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
    main_s = time_limit_s - FINISH_S
    if not initial and search.split_share:
        budget = time_limit_s * search.split_share
        day_cost = search.symmetric_days or FRONT_LOAD_S * 3
        initial = split_start(p, budget / 2, day_cost, deterministic=search.deterministic)
        main_s -= budget / 2
    # The search stops after its budget's worth of solutions (the same work on any machine,
    # so the same routes); without that, at the deadline.
    stop = search_stop(max(MIN_SEARCH_S, main_s), search.deterministic)
    node_routes = _search(p, search, started + time_limit_s, initial, stop)
    return _plan(problem, expand(node_routes, chunks), started)


def _search(p: RouteProblem, search: SearchSettings, deadline: float, initial, stop=None):
    """Build the model, read the warm start, and search until ``stop`` or, without one,
    until ``deadline`` (perf_counter), less what the solution's read-out takes."""
    m = build_model(p, search)
    node_routes = solve_model(
        m,
        search,
        initial,
        lambda: max(MIN_SEARCH_S, deadline - time.perf_counter() - FINISH_S),
        stop,
    )
    # A short search may stop before placing every target: put the rest where they still fit
    # before calling anyone unschedulable.
    placed = {n for nodes in node_routes for n in nodes}
    missing = [n for n in range(1, p.size + 1) if n not in placed]
    if missing:
        node_routes = insert_missing(p, SplitArrays(p), node_routes, missing, FRONT_LOAD_S * 5)
    if search.symmetric_days:
        node_routes = _front_load_order(p, node_routes)
        if p.announced:  # a re-plan: fill the holes of the early days (``pull_forward``)
            node_routes = _front_load_order(p, pull_forward(p, node_routes))
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
