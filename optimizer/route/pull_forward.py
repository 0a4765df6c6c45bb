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

from optimizer.route.problem import RouteProblem
from optimizer.route.warm_start import SplitArrays, busy_min, cheapest_fit, room_min, travel_if_fits

PULL_MAX_S = 300  # extra travel (s) a stop may cost to move onto an earlier day


def pull_forward(p: RouteProblem, routes: list[list[int]]) -> list[list[int]]:
    """``routes`` (one node list per day of ``p.days``) with later days' stops moved onto
    earlier days where they fit for at most ``PULL_MAX_S`` more travel. Days left empty
    stay empty; a day's remaining stops keep their order."""
    a = SplitArrays(p)
    routes = [list(r) for r in routes]
    busy = [busy_min(a, r) for r in routes]
    for src in range(len(routes) - 1, 0, -1):
        before = travel_if_fits(a, routes[src])  # changes only when a stop leaves the day
        for node in list(routes[src]):
            # Earlier days in use with room left (a new day would cost its commute).
            days = [v for v in range(src) if routes[v] and busy[v] <= room_min(a, node)]
            place = cheapest_fit(a, routes, node, days, busy, lambda v: 0)
            if place is None:
                continue
            added, v, k = place
            rest = [x for x in routes[src] if x != node]
            after = travel_if_fits(a, rest)
            if before is None or after is None or added - (before - after) > PULL_MAX_S:
                continue
            routes[v] = [*routes[v][:k], node, *routes[v][k:]]
            routes[src], before = rest, after
            busy[v], busy[src] = busy_min(a, routes[v]), busy_min(a, rest)
    return routes
