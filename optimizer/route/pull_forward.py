"""Finish early in a re-plan: the last days' stops move onto earlier days that have room.

The model's days are alike (one cost per day used, ``ortools_model``) and its search minimises
travel, so once every remaining day is needed nothing asks it to fill an early day. The holes a
re-plan starts from — stops done ahead (提前走访) taken out of tomorrow, a day planned around
evening retries that starts at a quarter to six — stay holes, and the work stays on the last
days. Those are the days a cadre needs for the retries of the days before and to catch up after
an absent day, which nobody may make up for them (一访到底); DESIGN §5 puts front-loading before
little travel. Measured on the urban zoo town, seed 1 (``benchmarks/coverage.py urban --why``):
a cadre absent on day 9 of 10 had planned days 3–5 at 152, 211 and 155 of 285 minutes and
lost 10 targets on the last two days.

So each stop of the later days, last day first, moves to its cheapest feasible place on an
earlier day when that costs at most ``PULL_MAX_S`` more travel than leaving it; tomorrow may
take stops too (its announced stops keep their order). Only re-plans: a first plan's days come
out of the tour-and-split start and the search already full.
"""

from __future__ import annotations

import itertools

from optimizer.route.problem import RouteProblem
from optimizer.route.warm_start import SplitArrays, fits_in_order, travel_if_fits

PULL_MAX_S = 300  # extra travel (s) a stop may cost to move onto an earlier day


def _busy_min(a: SplitArrays, route: list[int]) -> int:
    """Minutes of travel and visits of a day route (waits aside): a lower bound of its span."""
    path = [0, *route, 0]
    return sum(a.minutes[x][y] for x, y in itertools.pairwise(path)) + sum(
        a.service[x] for x in route
    )


def _cheapest_place(a: SplitArrays, routes: list[list[int]], before: int, node: int, busy):
    """(added travel s, day index, position) of ``node``'s cheapest feasible place on a day
    before ``before``, or None. Places whose day would be busier than the cadre's minutes are
    skipped before the full timing check, as in ``warm_start._place``."""
    sec, mins = a.seconds, a.minutes
    room = min(a.limit, a.day.end_min - a.day.start_min) - a.service[node]
    candidates = []
    for v in range(before):
        if busy[v] > room or not routes[v]:  # full, or not used (a new day costs its commute)
            continue
        for k, (x, y) in enumerate(itertools.pairwise([0, *routes[v], 0])):
            if busy[v] + mins[x][node] + mins[node][y] - mins[x][y] <= room:
                candidates.append((sec[x][node] + sec[node][y] - sec[x][y], v, k))
    candidates.sort()
    for added, v, k in candidates:
        if fits_in_order(a, [*routes[v][:k], node, *routes[v][k:]]):
            return added, v, k
    return None


def pull_forward(p: RouteProblem, routes: list[list[int]]) -> list[list[int]]:
    """``routes`` (one node list per day of ``p.days``) with later days' stops moved onto
    earlier days where they fit for at most ``PULL_MAX_S`` more travel. Days left empty
    stay empty; a day's remaining stops keep their order."""
    a = SplitArrays(p)
    routes = [list(r) for r in routes]
    busy = [_busy_min(a, r) for r in routes]
    for src in range(len(routes) - 1, 0, -1):
        for node in list(routes[src]):
            place = _cheapest_place(a, routes, src, node, busy)
            if place is None:
                continue
            added, v, k = place
            rest = [x for x in routes[src] if x != node]
            before, after = travel_if_fits(a, routes[src]), travel_if_fits(a, rest)
            if before is None or after is None or added - (before - after) > PULL_MAX_S:
                continue
            routes[v] = [*routes[v][:k], node, *routes[v][k:]]
            routes[src] = rest
            busy[v], busy[src] = _busy_min(a, routes[v]), _busy_min(a, rest)
    return routes
