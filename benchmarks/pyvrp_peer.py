"""The same per-cadre problem solved by PyVRP (benchmark-only peer; not used by the product).

Every rule of ``optimizer.route`` is given to PyVRP: one vehicle type per working day with the
cadre's window and ``minutes_per_day`` as shift duration, targets' windows as latest service
starts, the same fixed cost per day (front-loading) and, for days after ``priority_days``, a
profile whose edges into priority targets cost the same penalty. Distances are the same travel
seconds; durations the same whole minutes.
"""

from __future__ import annotations

import time

import numpy as np
from pyvrp import Model

from optimizer.domain.model import CadrePlan
from optimizer.route.ortools_model import FRONT_LOAD_S, PRIORITY_LATE_S
from optimizer.route.problem import RouteProblem
from optimizer.route.search import timed_routes


class MaxProcessTime:
    """PyVRP's stopping criterion on this process's processor seconds, not the wall clock:
    on 2 shared cores a wall-clock second gave the peer a third of a second of search under
    load, and its routes — the yardstick — got worse with the load. The solve runs on this
    thread, so the process's time is the solve's (plus a little of the model's building)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.started = time.process_time()

    def __call__(self, best_cost: float) -> bool:
        return time.process_time() - self.started >= self.seconds


def solve_pyvrp(
    p: RouteProblem, time_limit_s: float, seed: int = 1, *, travel_only: bool = False
) -> CadrePlan:
    """``p`` solved by PyVRP for ``time_limit_s`` processor seconds; ``travel_only``: travel
    is the whole objective (no cost per day, no penalty for a late priority target)."""
    started = time.perf_counter()
    m = Model()
    locations = [m.add_location(0, 0) for _ in range(p.size + 1)]
    depot = m.add_depot(
        locations[0], tw_early=p.cadre.window.start_min, tw_late=p.cadre.window.end_min
    )
    for i, t in enumerate(p.targets, start=1):
        w = p.windows[i - 1]
        m.add_client(
            locations[i],
            service_duration=t.service_minutes,
            tw_early=w.start_min,
            tw_late=w.end_min - t.service_minutes,
        )
    plain = m.add_profile(name="early")
    late = m.add_profile(name="late")
    priority = np.array([False, *(t.priority for t in p.targets)])
    for a in range(p.size + 1):
        for b in range(p.size + 1):
            if a != b:
                dist, dur = int(p.travel_s[a, b]), int(p.travel_min[a, b])
                m.add_edge(locations[a], locations[b], dist, dur, profile=plain)
                extra = PRIORITY_LATE_S if priority[b] and not travel_only else 0
                m.add_edge(locations[a], locations[b], dist + extra, dur, profile=late)
    for k, day in enumerate(p.days):
        m.add_vehicle_type(
            num_available=1,
            start_depot=depot,
            end_depot=depot,
            fixed_cost=0 if travel_only else FRONT_LOAD_S * (k + 1),
            tw_early=p.cadre.window.start_min,
            tw_late=p.cadre.window.end_min,
            shift_duration=p.cadre.minutes_per_day,
            profile=plain if day <= p.priority_until else late,
            name=str(day),
        )
    result = m.solve(stop=MaxProcessTime(time_limit_s), seed=seed, display=False)
    node_routes = [[] for _ in p.days]
    for route in result.best.routes():
        node_routes[route.vehicle_type()] = [a.idx + 1 for a in route.schedule() if a.is_client()]
    routes, _ = timed_routes(p, node_routes)
    return CadrePlan(p.cadre.id, tuple(routes), (), (), time.perf_counter() - started)
