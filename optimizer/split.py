"""Route-first, cluster-second: cut one tour through all targets into days (a warm start).

A contiguous piece of the tour becomes one day if ``schedule`` can time it; inside a piece,
targets whose window opens later (evening) go last, each group in tour order. A dynamic
programme picks the cuts that minimise travel plus a fixed cost per day.
"""

from __future__ import annotations

import itertools

import numpy as np

from optimizer.problem import RouteProblem
from optimizer.timing import service_starts

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


def _piece_order(p: RouteProblem, piece: list[int]) -> list[int]:
    return sorted(piece, key=lambda node: p.windows[node - 1].start_min)  # stable: tour order


def fits_in_order(a: SplitArrays, order: list[int]) -> bool:
    """Whether one day can visit ``order`` as given."""
    return _timed(a, order) is not None


def _timed(a: SplitArrays, order: list[int]):
    path = [0, *order, 0]
    travel = [a.minutes[x][y] for x, y in itertools.pairwise(path)]
    return service_starts(
        travel[:-1],
        [a.service[x] for x in order],
        [a.opens[x] for x in order],
        [a.closes[x] for x in order],
        travel[-1],
        a.day,
        a.limit,
    )


def _piece_cost(p: RouteProblem, piece: list[int], a: SplitArrays | None = None) -> int | None:
    """Travel (s) of one day visiting ``piece``, or None if no schedule fits."""
    a = a or SplitArrays(p)
    order = _piece_order(p, piece)
    path = [0, *order, 0]
    if _timed(a, order) is None:
        return None
    return sum(a.seconds[x][y] for x, y in itertools.pairwise(path))


def split_tour(p: RouteProblem, tour: list[int], day_cost: int) -> list[list[int]] | None:
    """Best cut of ``tour`` (target nodes) into at most ``len(p.days)`` feasible days."""
    n, days = len(tour), len(p.days)
    inf = np.iinfo(np.int64).max // 4
    best = np.full((n + 1, days + 1), inf, dtype=np.int64)
    back = np.zeros((n + 1, days + 1), dtype=np.int64)
    best[0, 0] = 0
    arrays = SplitArrays(p)
    for i in range(n):
        if not (best[i] < inf).any():
            continue
        for j in range(i + 1, min(n, i + MAX_STOPS) + 1):
            cost = _piece_cost(p, tour[i:j], arrays)
            if cost is None:
                if j - i > 1:
                    break  # a longer piece starting at i will not fit either (usually)
                continue
            candidate = best[i, :-1] + cost + day_cost
            better = candidate < best[j, 1:]
            best[j, 1:][better] = candidate[better]
            back[j, 1:][better] = i
    k = int(np.argmin(best[n]))
    if best[n, k] >= inf:
        return None
    pieces, j = [], n
    while j > 0:
        i = int(back[j, k])
        pieces.append(_piece_order(p, tour[i:j]))
        j, k = i, k - 1
    return pieces[::-1]


def _best_insertion(p: RouteProblem, piece: list[int], node: int) -> tuple[int, list[int]] | None:
    """Cheapest feasible place for ``node`` in ``piece``: (added travel, new piece)."""
    base = _piece_cost(p, piece) or 0
    best = None
    for k in range(len(piece) + 1):
        trial = [*piece[:k], node, *piece[k:]]
        cost = _piece_cost(p, trial)
        if cost is not None and (best is None or cost - base < best[0]):
            best = (cost - base, _piece_order(p, trial))
    return best


def _swap_in(p: RouteProblem, piece: list[int], late: list[int], node: int, is_priority):
    """Best exchange: ``node`` into ``piece`` for one of its non-priority targets, which takes
    ``node``'s place in ``late``; (added travel, new piece, new late) or None."""
    best = None
    base = (_piece_cost(p, piece) or 0) + (_piece_cost(p, late) or 0)
    others = [x for x in piece if not is_priority[x]]
    nearest = sorted(others, key=lambda x: p.travel_s[node, x])[:SWAP_CANDIDATES]
    for out in nearest:
        rest = [x for x in piece if x != out]
        placed = _best_insertion(p, rest, node)
        moved = [out if x == node else x for x in late]
        late_cost = _piece_cost(p, moved)
        if placed is None or late_cost is None:
            continue
        delta = (_piece_cost(p, placed[1]) or 0) + late_cost - base
        if best is None or delta < best[0]:
            best = (delta, placed[1], _piece_order(p, moved))
    return best


def bring_priority_forward(p: RouteProblem, pieces: list[list[int]]) -> list[list[int]]:
    """Pieces with priority targets go first; a priority target still in a piece after the
    priority days moves into an early piece (inserted, or exchanged for a non-priority one)."""
    early = sum(1 for d in p.days if d <= p.priority_until)
    is_priority = [False, *(t.priority for t in p.targets)]
    pieces = sorted(pieces, key=lambda piece: not any(is_priority[i] for i in piece))
    for j in range(early, len(pieces)):
        for node in [i for i in pieces[j] if is_priority[i]]:
            inserts = [(_best_insertion(p, pieces[k], node), k) for k in range(min(early, j))]
            inserts = [(found, k) for found, k in inserts if found is not None]
            if inserts:
                (_, new_piece), k = min(inserts, key=lambda o: o[0][0])
                pieces[k] = new_piece
                pieces[j] = [x for x in pieces[j] if x != node]
                continue
            swaps = [
                (_swap_in(p, pieces[k], pieces[j], node, is_priority), k)
                for k in range(min(early, j))
            ]
            swaps = [(found, k) for found, k in swaps if found is not None]
            if swaps:
                (_, new_piece, new_late), k = min(swaps, key=lambda o: o[0][0])
                pieces[k], pieces[j] = new_piece, new_late
    return [piece for piece in pieces if piece]


def _place(p: RouteProblem, a: SplitArrays, routes, node: int, days_ok, day_cost: int) -> bool:
    """Put ``node`` at its cheapest feasible place on a day ``days_ok`` accepts."""
    sec = a.seconds
    candidates = []
    for v, route in enumerate(routes):
        if not days_ok(p.days[v]):
            continue
        path = [0, *route, 0]
        extra = 0 if route else day_cost
        for k, (x, y) in enumerate(itertools.pairwise(path)):
            candidates.append((sec[x][node] + sec[node][y] - sec[x][y] + extra, v, k))
    candidates.sort()
    for _, v, k in candidates:
        trial = [*routes[v][:k], node, *routes[v][k:]]
        if fits_in_order(a, trial):
            routes[v] = trial
            return True
    return False


def insert_missing(
    p: RouteProblem, a: SplitArrays, routes: list[list[int]], missing: list[int], day_cost: int
) -> list[list[int]]:
    """Cheapest feasible insertion of ``missing`` nodes into day ``routes`` (a warm start that
    already holds the retries, so even a very short search leaves nobody out).

    Narrow windows first; a priority target goes to a day within the priority days when one
    can take it; a day not used yet costs ``day_cost`` on top of its travel.
    """
    routes = [list(r) for r in routes]
    for node in sorted(missing, key=lambda n: a.closes[n] - a.opens[n]):
        if p.targets[node - 1].priority and _place(
            p, a, routes, node, lambda d: d <= p.priority_until, day_cost
        ):
            continue
        _place(p, a, routes, node, lambda d: True, day_cost)
    return routes
