"""One cadre's visiting days as an OR-Tools routing model: one vehicle per working day.

Objective, in seconds of travel: travel, plus a cost per day used (front-loading: finish in as
few days as the rules allow; routes then go on the earliest days, keeping the last ones for
retries), plus a penalty for a priority target after ``priority_days``, plus (re-plans) a
penalty for changing tomorrow's announced route. A target the days cannot hold is dropped at a
large penalty and reported, never lost. One function per family of constraints; the OR-Tools
objects never leave this module and ``search``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.route import operators
from optimizer.route.problem import RouteProblem
from optimizer.route.stopping import StopRule
from optimizer.route.warm_start import SplitArrays, fits_in_order, insert_missing

FRONT_LOAD_S = 120  # using day k of the remaining days costs k × this


PRIORITY_LATE_S = 3_600  # a priority target visited after priority_days


KEEP_CHANGE_S = 300  # an arc of tomorrow's route that was not announced


DROP_S = 10_000_000  # a target left out


RETRY_DROP_S = DROP_S * 3 // 2  # a not-home retry left out (see _every_target_visited)


COST_SCALE = 10


ARC_UNIT = 1


@dataclass(frozen=True, slots=True)
class SearchSettings:
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    gls_lambda: float = 0.1
    solution_limit: int = 0  # >0 stops after that many solutions (deterministic tests)
    deterministic: bool = True  # stop after a budget's worth of solutions (route.stopping)
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
    of tomorrow's announced targets (so they stay tomorrow unless that really helps). Arcs to
    and from a target in no announced route (today's misses, an absent day's stops) cost
    nothing extra on tomorrow: a retry made tomorrow leaves one more day for the next, and
    finishing in time comes before an unchanged route (DESIGN §5)."""
    p = m.p
    cost = m.cost
    priority = np.array([False, *(t.priority for t in p.targets)])
    late = cost + np.where(priority[None, :], PRIORITY_LATE_S * COST_SCALE, 0)
    keep = dict(p.announced).get(p.keep_day, ())
    where = {t.id: i for i, t in enumerate(p.targets, start=1)}
    kept = [where[t] for t in keep if t in where]
    fresh = fresh_nodes(p)
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
        change[fresh, :] = 0
        change[:, fresh] = 0
    for v, day in enumerate(p.days):
        if kept and day == p.keep_day:
            index = callback("keep", cost + change)
        elif day <= p.priority_until or not priority.any():
            index = callback("plain", cost + stay)
        else:
            index = callback("late", late + stay)
        m.routing.SetArcCostEvaluatorOfVehicle(index, v)


def fresh_nodes(p: RouteProblem) -> list[int]:
    """Nodes of the targets in no announced route: new to place since the last plan."""
    if not p.announced:
        return []
    announced = {t for _, ids in p.announced for t in ids}
    return [i for i, t in enumerate(p.targets, start=1) if t.id not in announced]


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


def _every_target_visited(m: _Model) -> None:
    """户不漏人: leaving a target out costs far more than any route. When the days left cannot
    hold everything, a not-home retry is kept before a first visit: it has already cost an
    attempt, a trip to the door that pays off only if the retry is made (issue 12). Dropping a
    retry costs 1.5 × a first visit, not more: that decides only one for one, so the search
    never leaves out two first visits to keep one retry, and while everything fits it is no
    priority at all."""
    for i in range(1, m.p.size + 1):
        drop_s = RETRY_DROP_S if m.p.is_retry(i) else DROP_S
        m.routing.AddDisjunction([m.manager.NodeToIndex(i)], drop_s * COST_SCALE)


def _parameters(search: SearchSettings, time_limit_s: float, solutions: int = 0):
    params = pywrapcp.DefaultRoutingSearchParameters()
    strategies = routing_enums_pb2.FirstSolutionStrategy
    params.first_solution_strategy = getattr(strategies, search.first_solution)
    metaheuristics = routing_enums_pb2.LocalSearchMetaheuristic
    params.local_search_metaheuristic = getattr(metaheuristics, search.metaheuristic)
    params.guided_local_search_lambda_coefficient = search.gls_lambda
    operators.switch_off(params, operators.ROUTE_OFF)
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if solutions:  # the clock is only the backstop, for the neighbourhoods' own searches too
        params.solution_limit = solutions
        params.lns_time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
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
        routes = insert_missing(p, arrays, routes, missing, FRONT_LOAD_S * 5, FRONT_LOAD_S)
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


def build_model(p: RouteProblem, search: SearchSettings) -> _Model:
    """The model of ``p`` with every family of constraints and costs."""
    m = _Model(p)
    _travel_costs(m)
    _time_windows(m)
    _front_loading(m, search.symmetric_days)
    _every_target_visited(m)
    return m


def solve_model(
    m: _Model, search: SearchSettings, initial, remaining_s, stop: StopRule | None = None
) -> list[list[int]]:
    """Read the warm start (day → target ids), search until ``stop`` (a number of solutions,
    the clock as a backstop) or, without one, for ``remaining_s()`` seconds (asked after the
    warm start is read, so its cost counts), and return each day's target nodes."""
    solution = warm = None
    by_solutions = bool(stop is not None and stop.solutions)
    if stop is not None and by_solutions:
        params = _parameters(search, stop.seconds, stop.solutions)
    else:
        params = _parameters(search, remaining_s())
    # Closed with the search's parameters before the warm start is read: reading it closes
    # the model, and the neighbourhoods are fixed when it closes (at the defaults otherwise).
    m.routing.CloseModelWithParameters(params)
    if initial:
        warm = m.routing.ReadAssignmentFromRoutes(_initial_routes(m, initial), True)
    if not by_solutions:
        params.time_limit.FromMilliseconds(max(1, int(remaining_s() * 1000)))
    if warm is not None:
        solution = m.routing.SolveFromAssignmentWithParameters(warm, params)
    if solution is None:
        solution = m.routing.SolveWithParameters(params)
    # The solver's outcome is checked: no solution means no routes, never an exception.
    return _extract(m, solution) if solution else [[] for _ in m.p.days]
