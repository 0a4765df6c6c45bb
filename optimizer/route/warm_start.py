"""Route-first, cluster-second: cut one tour through all targets into days (a warm start).

A contiguous piece of the tour becomes one day if ``schedule`` can time it; inside a piece,
targets whose window opens later (evening) go last. The groups run along the piece's stretch of
the tour in turn one way and back: out along it for the day's visits, home along it for the
evening's (in tour order both ways, the cadre would cross the stretch a second time to start
the evening at its far end; measured on towns with 10–20 % evening households, that cost 4–10 %
of travel at the default search time). A dynamic programme picks the cuts that minimise travel
plus a fixed cost per day.
"""

from __future__ import annotations

import bisect
import itertools

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.route import operators
from optimizer.route.problem import RouteProblem
from optimizer.route.stopping import tour_stop

MAX_STOPS = 40  # longest piece tried as one day
SWAP_CANDIDATES = 3  # targets nearest to a priority target tried for an exchange


class SplitArrays:
    """The problem as plain lists, for fast repeated timing of candidate pieces."""

    def __init__(self, p: RouteProblem):
        self.minutes = p.travel_min.tolist()
        self.seconds = p.travel_s.tolist()
        self.service = [0, *(t.service_minutes for t in p.targets)]
        self.opens = [0, *(w.start_min for w in p.windows)]
        self.closes = [0, *(w.end_min for w in p.windows)]
        self.day, self.limit = p.cadre.window, p.cadre.minutes_per_day
        # Every second opening time (the evening, after the day) is visited backwards.
        rank = {o: k for k, o in enumerate(sorted(set(self.opens[1:])))}
        self.backwards = [False, *(rank[o] % 2 == 1 for o in self.opens[1:])]


def _piece_order(a: SplitArrays, piece: list[int]) -> list[int]:
    """A piece of the tour in visiting order: by window opening, a group in tour order, the
    next against it, and so on."""
    return [
        piece[k]
        for k in sorted(
            range(len(piece)),
            key=lambda k: (a.opens[piece[k]], -k if a.backwards[piece[k]] else k),
        )
    ]


def _by_opening(a: SplitArrays, order: list[int]) -> list[int]:
    """``order`` by window opening, keeping its order inside each group."""
    return sorted(order, key=a.opens.__getitem__)


def fits_in_order(a: SplitArrays, order: list[int]) -> bool:
    """Whether one day can visit ``order`` as given."""
    return travel_if_fits(a, order) is not None


def travel_if_fits(a: SplitArrays, order: list[int]) -> int | None:
    """Travel seconds of one day visiting ``order`` as given, or None if it cannot fit.

    The same rule as ``timing.service_starts`` (the reference; a test checks they agree),
    written as plain loops: the split times thousands of candidate days per cadre.
    """
    if not order:
        return 0
    minutes, seconds, service = a.minutes, a.seconds, a.service
    travel, prev, travel_s = [], 0, 0
    for x in order:
        travel.append(minutes[prev][x])
        travel_s += seconds[prev][x]
        prev = x
    back, start, end = minutes[prev][0], a.day.start_min, a.day.end_min
    travel_s += seconds[prev][0]
    latest, bound = [0] * len(order), end - back
    for k in range(len(order) - 1, -1, -1):
        x = order[k]
        latest[k] = min(a.closes[x], bound) - service[x]
        bound = latest[k] - travel[k]
    no_wait, offset = start, 0
    for k, x in enumerate(order):
        offset += travel[k]
        no_wait = max(no_wait, a.opens[x] - offset)
        offset += service[x]
    latest_leave = min(bound, end)
    leave = no_wait if no_wait <= latest_leave else max(latest_leave, start)
    clock = leave
    for k, x in enumerate(order):
        arrive = max(clock + travel[k], a.opens[x])
        if arrive > latest[k]:
            return None
        clock = arrive + service[x]
    clock += back
    return travel_s if clock <= end and clock - leave <= a.limit else None


def _piece_cost(a: SplitArrays, piece: list[int]) -> int | None:
    """Travel (s) of one day visiting the tour's ``piece`` in piece order, or None."""
    return travel_if_fits(a, _piece_order(a, piece))


def _day_cost(a: SplitArrays, order: list[int]) -> int | None:
    """Travel (s) of one day visiting ``order`` with later-opening targets last, or None."""
    return travel_if_fits(a, _by_opening(a, order))


def split_tour(p: RouteProblem, tour: list[int], day_cost: int) -> list[list[int]] | None:
    """Best cut of ``tour`` (target nodes) into at most ``len(p.days)`` feasible days.

    From each start, the longest piece that fits is found by bisection (a longer piece fits
    when a shorter one does not only in odd cases of rounding, which a warm start may miss);
    the travel of every shorter piece follows by cheap insertions into the piece's order.
    """
    n, days = len(tour), len(p.days)
    inf = np.iinfo(np.int64).max // 4
    best = np.full((n + 1, days + 1), inf, dtype=np.int64)
    back = np.zeros((n + 1, days + 1), dtype=np.int64)
    best[0, 0] = 0
    arrays = SplitArrays(p)
    for i in range(n):
        if not (best[i] < inf).any():
            continue
        reach = _longest_fit(arrays, tour, i, min(n, i + MAX_STOPS))
        if reach == i:
            continue
        ends = np.arange(i + 1, reach + 1)
        costs = np.array(_piece_travels(arrays, tour[i:reach]), dtype=np.int64)
        candidate = best[i, :-1][None, :] + costs[:, None] + day_cost
        current = best[ends, 1:]
        better = candidate < current
        best[ends, 1:] = np.where(better, candidate, current)
        back[ends, 1:] = np.where(better, i, back[ends, 1:])
    k = int(np.argmin(best[n]))
    if best[n, k] >= inf:
        return None
    pieces, j = [], n
    while j > 0:
        i = int(back[j, k])
        pieces.append(_piece_order(arrays, tour[i:j]))
        j, k = i, k - 1
    return pieces[::-1]


def _longest_fit(a: SplitArrays, tour: list[int], i: int, last: int) -> int:
    """The largest ``j ≤ last`` such that ``tour[i:j]`` fits one day (``i`` if none does)."""
    if _piece_cost(a, tour[i : i + 1]) is None:
        return i
    low, high = i + 1, last
    while low < high:
        middle = (low + high + 1) // 2
        if _piece_cost(a, tour[i:middle]) is None:
            high = middle - 1
        else:
            low = middle
    return low


def _piece_travels(a: SplitArrays, nodes: list[int]) -> list[int]:
    """Travel (s) of each prefix of ``nodes`` visited in piece order: each node is inserted
    where it belongs (the end of its group, or its start if the group runs backwards) and
    the tour adjusted around it."""
    sec, opens, backwards = a.seconds, a.opens, a.backwards
    order: list[int] = []
    keys: list[int] = []
    total, travels = 0, []
    for x in nodes:
        at = (bisect.bisect_left if backwards[x] else bisect.bisect_right)(keys, opens[x])
        before = order[at - 1] if at else 0
        after = order[at] if at < len(order) else 0
        total += sec[before][x] + sec[x][after] - sec[before][after]
        order.insert(at, x)
        keys.insert(at, opens[x])
        travels.append(total)
    return travels


def _best_insertion(a: SplitArrays, piece: list[int], node: int) -> tuple[int, list[int]] | None:
    """Cheapest feasible place for ``node`` in ``piece``: (added travel, new piece)."""
    base = _day_cost(a, piece) or 0
    best = None
    for k in range(len(piece) + 1):
        trial = [*piece[:k], node, *piece[k:]]
        cost = _day_cost(a, trial)
        if cost is not None and (best is None or cost - base < best[0]):
            best = (cost - base, _by_opening(a, trial))
    return best


def _swap_in(a: SplitArrays, piece: list[int], late: list[int], node: int, is_priority):
    """Best exchange: ``node`` into ``piece`` for one of its non-priority targets, which takes
    ``node``'s place in ``late``; (added travel, new piece, new late) or None."""
    best = None
    base = (_day_cost(a, piece) or 0) + (_day_cost(a, late) or 0)
    others = [x for x in piece if not is_priority[x]]
    nearest = sorted(others, key=lambda x: a.seconds[node][x])[:SWAP_CANDIDATES]
    for out in nearest:
        rest = [x for x in piece if x != out]
        placed = _best_insertion(a, rest, node)
        moved = [out if x == node else x for x in late]
        late_cost = _day_cost(a, moved)
        if placed is None or late_cost is None:
            continue
        delta = (_day_cost(a, placed[1]) or 0) + late_cost - base
        if best is None or delta < best[0]:
            best = (delta, placed[1], _by_opening(a, moved))
    return best


def bring_priority_forward(p: RouteProblem, pieces: list[list[int]]) -> list[list[int]]:
    """Pieces with priority targets go first; a priority target still in a piece after the
    priority days moves into an early piece (inserted, or exchanged for a non-priority one)."""
    a = SplitArrays(p)
    early = sum(1 for d in p.days if d <= p.priority_until)
    is_priority = [False, *(t.priority for t in p.targets)]
    pieces = sorted(pieces, key=lambda piece: not any(is_priority[i] for i in piece))
    for j in range(early, len(pieces)):
        for node in [i for i in pieces[j] if is_priority[i]]:
            tried = [(_best_insertion(a, pieces[k], node), k) for k in range(min(early, j))]
            inserts = [(found, k) for found, k in tried if found is not None]
            if inserts:
                (_, new_piece), k = min(inserts, key=lambda o: o[0][0])
                pieces[k] = new_piece
                pieces[j] = [x for x in pieces[j] if x != node]
                continue
            exchanges = [
                (_swap_in(a, pieces[k], pieces[j], node, is_priority), k)
                for k in range(min(early, j))
            ]
            swaps = [(found, k) for found, k in exchanges if found is not None]
            if swaps:
                (_, new_piece, new_late), k = min(swaps, key=lambda o: o[0][0])
                pieces[k], pieces[j] = new_piece, new_late
    return [piece for piece in pieces if piece]


def busy_min(a: SplitArrays, route: list[int]) -> int:
    """Minutes of travel and visits of a day route (waits aside): a lower bound of its span."""
    path = [0, *route, 0]
    return sum(a.minutes[x][y] for x, y in itertools.pairwise(path)) + sum(
        a.service[x] for x in route
    )


def room_min(a: SplitArrays, node: int) -> int:
    """The most a day may be busy before ``node``'s visit: the cadre's minutes or window."""
    return min(a.limit, a.day.end_min - a.day.start_min) - a.service[node]


def cheapest_fit(
    a: SplitArrays, routes, node: int, days, busy: list[int], extra
) -> tuple[int, int, int] | None:
    """(cost s, day index, position) of ``node``'s cheapest feasible place on the days
    ``days`` (indices into ``routes``), its cost the added travel plus ``extra(v)``; or None.

    A place whose day would be busier (travel and visits, waits aside; ``busy`` per day) than
    the cadre's minutes or window is skipped before the full timing check: near a full day's
    stops the cheapest places are mostly such, and the check costs a pass over the day."""
    sec, mins, room = a.seconds, a.minutes, room_min(a, node)
    candidates = []
    for v in days:
        path, cost = [0, *routes[v], 0], extra(v)
        for k, (x, y) in enumerate(itertools.pairwise(path)):
            if busy[v] + mins[x][node] + mins[node][y] - mins[x][y] <= room:
                candidates.append((sec[x][node] + sec[node][y] - sec[x][y] + cost, v, k))
    candidates.sort()
    for cost, v, k in candidates:
        if fits_in_order(a, [*routes[v][:k], node, *routes[v][k:]]):
            return cost, v, k
    return None


def _place(
    p: RouteProblem, a: SplitArrays, routes, node: int, days_ok, day_cost: int, early_s: int
) -> bool:
    """Put ``node`` at its cheapest feasible place on a day ``days_ok`` accepts; a day not
    used yet costs ``day_cost`` more, the k-th day ``k × early_s``."""
    days = [v for v in range(len(routes)) if days_ok(p.days[v])]
    busy = [busy_min(a, r) for r in routes]
    found = cheapest_fit(
        a, routes, node, days, busy, lambda v: (0 if routes[v] else day_cost) + early_s * v
    )
    if found is None:
        return False
    _, v, k = found
    routes[v] = [*routes[v][:k], node, *routes[v][k:]]
    return True


def insert_missing(
    p: RouteProblem,
    a: SplitArrays,
    routes: list[list[int]],
    missing: list[int],
    day_cost: int,
    early_s: int = 0,
) -> list[list[int]]:
    """Cheapest feasible insertion of ``missing`` nodes into day ``routes`` (a warm start that
    already holds the retries, so even a very short search leaves nobody out).

    Narrow windows first; a priority target goes to a day within the priority days when one
    can take it; a day not used yet costs ``day_cost`` on top of its travel, and the k-th day
    left ``k × early_s`` (a retry placed early leaves days for the next attempt).
    """
    routes = [list(r) for r in routes]
    for node in sorted(missing, key=lambda n: a.closes[n] - a.opens[n]):
        if p.targets[node - 1].priority and _place(
            p, a, routes, node, lambda d: d <= p.priority_until, day_cost, early_s
        ):
            continue
        _place(p, a, routes, node, lambda d: True, day_cost, early_s)
    return routes


# The warm start: one tour through every target, cut into days -------------------------

TWO_TOURS_FROM_S = 0.08  # with at least this much time for tours, build two and keep the best


# With less, cut the tour one way only: the reverse cut rarely wins and its time is better
# spent searching (measured: at 0.1 s a cadre, 1 % less travel; from 0.15 s on, a tie).
BOTH_WAYS_FROM_S = 0.018


TOUR_STRATEGIES = ("PATH_CHEAPEST_ARC", "SAVINGS", "CHRISTOFIDES")


def _giant_tour(
    p: RouteProblem, time_limit_s: float, variant: int = 0, deterministic: bool = False
) -> list[int]:
    """One tour from the base through every target, ignoring days and windows (searched for
    ``time_limit_s``'s worth of solutions when ``deterministic``, else for that long)."""
    manager = pywrapcp.RoutingIndexManager(p.size + 1, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(p.travel_s.tolist()))
    params = pywrapcp.DefaultRoutingSearchParameters()
    strategy = TOUR_STRATEGIES[variant % len(TOUR_STRATEGIES)]
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    operators.switch_off(params, operators.ROUTE_OFF)  # they never shortened a tour
    stop = tour_stop(time_limit_s, deterministic)
    params.time_limit.FromMilliseconds(max(1, int(stop.seconds * 1000)))
    if stop.solutions:
        params.solution_limit = stop.solutions
        params.lns_time_limit.FromMilliseconds(max(1, int(stop.seconds * 1000)))
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


def split_start(
    p: RouteProblem, time_limit_s: float, day_cost: int, *, deterministic: bool = False
) -> dict[int, tuple[str, ...]]:
    """A warm start: the giant tour cut into days, pieces with priority targets first."""
    count = 1 if time_limit_s < TWO_TOURS_FROM_S else 2
    tours = [_giant_tour(p, time_limit_s / count, k, deterministic) for k in range(count)]
    ways = (lambda t: (t, t[::-1])) if time_limit_s >= BOTH_WAYS_FROM_S else (lambda t: (t,))
    cuts = [split_tour(p, o, day_cost) for tour in tours for o in ways(tour)]
    candidates = [c for c in cuts if c]
    if not candidates:
        return {}
    pieces = bring_priority_forward(p, min(candidates, key=lambda c: _pieces_cost(p, c, day_cost)))
    return {
        day: tuple(p.targets[i - 1].id for i in piece)
        for day, piece in zip(p.days, pieces, strict=False)
    }
