"""A re-plan's last days' stops move onto earlier days with room: small streets by hand, and a
property over random ones."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.domain.codes import TargetType
from optimizer.domain.model import Cadre, Target, Window
from optimizer.route.problem import RouteProblem
from optimizer.route.pull_forward import PULL_MAX_S, pull_forward
from optimizer.route.warm_start import SplitArrays, fits_in_order, travel_if_fits

DAY = Window(8 * 60 + 30, 20 * 60 + 30)  # the cadre's
DAYTIME = Window(8 * 60 + 30, 17 * 60 + 30)  # a household out of the evening
EVENING = Window(18 * 60, 20 * 60 + 30)


def _street(
    places: list[int], evening: set[int] = frozenset(), minutes_per_day: int = 120, days: int = 3
) -> RouteProblem:
    """Targets at ``places`` minutes along a street from the base (node 0 at 0), 15 minutes
    each; those in ``evening`` (nodes) at home only in the evening."""
    x = np.array([0, *places])
    seconds = np.abs(x[:, None] - x[None, :]) * 60
    targets = tuple(
        Target(f"T{i}", TargetType.HOUSEHOLD, "村", 35.0, 117.0 + i / 1000, 15)
        for i in range(1, len(places) + 1)
    )
    cadre = Cadre("C1", "干部", 35.0, 117.0, DAY, minutes_per_day=minutes_per_day)
    windows = tuple(EVENING if i in evening else DAYTIME for i in range(1, len(places) + 1))
    return RouteProblem(cadre, tuple(range(1, days + 1)), targets, windows, seconds, seconds // 60)


def _travel(p: RouteProblem, routes) -> int:
    a = SplitArrays(p)
    return sum(travel_if_fits(a, r) or 0 for r in routes)


def test_the_last_day_moves_into_the_first_days_room():
    """Day 1 holds one visit of a 120-minute day; day 2's two neighbours join it, day 2 is free."""
    p = _street([5, 6, 7], days=2)
    first, second = pull_forward(p, [[1], [2, 3]])
    assert sorted(first) == [1, 2, 3] and second == []
    assert _travel(p, [first]) == 2 * 7 * 60  # out to the last house and back


def test_a_full_day_takes_nothing():
    """Day 1 is full (6 visits along 5 minutes of street, 90 + 10 minutes): day 2 stays."""
    p = _street([1, 1, 2, 2, 3, 3, 4], minutes_per_day=100, days=2)
    before = [[1, 2, 3, 4, 5, 6], [7]]
    assert fits_in_order(SplitArrays(p), before[0])
    assert pull_forward(p, before) == before


def test_a_stop_far_from_the_early_day_stays_where_it_is():
    """Moving the far pair's visit onto day 1 would add more than PULL_MAX_S of travel."""
    far = PULL_MAX_S // 60 + 10
    p = _street([1, far, far + 1], days=2)
    routes = pull_forward(p, [[1], [2, 3]])
    assert routes == [[1], [2, 3]]


def test_an_evening_visit_goes_only_where_its_evening_fits():
    """The evening household cannot join day 1: its visits end by 17:30 and a 60-minute day
    cannot wait for six o'clock. It stays on its day."""
    p = _street([2, 3, 4], evening={3}, minutes_per_day=60, days=2)
    a = SplitArrays(p)
    routes = pull_forward(p, [[1, 2], [3]])
    assert routes == [[1, 2], [3]]
    assert all(fits_in_order(a, r) for r in routes)


@settings(max_examples=60, deadline=None)
@given(
    places=st.lists(st.integers(0, 40), min_size=2, max_size=14),
    evening=st.sets(st.integers(1, 14), max_size=4),
    days=st.integers(2, 5),
    cut=st.randoms(use_true_random=False),
)
def test_every_stop_stays_once_and_every_day_fits(places, evening, days, cut):
    """Whatever the start: each stop once, every day feasible, no day's work moved later,
    and the travel added at most PULL_MAX_S per stop that moved."""
    p = _street(places, {e for e in evening if e <= len(places)}, minutes_per_day=150, days=days)
    a = SplitArrays(p)
    start: list[list[int]] = [[] for _ in range(days)]
    for node in range(1, len(places) + 1):  # each stop on a random day where it still fits
        for v in cut.sample(range(days), days):
            if fits_in_order(a, [*start[v], node]):
                start[v].append(node)
                break
    routes = pull_forward(p, start)
    placed = sorted(n for r in routes for n in r)
    assert placed == sorted(n for r in start for n in r)
    assert all(fits_in_order(a, r) for r in routes)
    day_of = {n: v for v, r in enumerate(routes) for n in r}
    moved = [n for v, r in enumerate(start) for n in r if day_of[n] != v]
    assert all(day_of[n] < v for v, r in enumerate(start) for n in r if n in moved)
    days_earlier = sum(v - day_of[n] for v, r in enumerate(start) for n in r)
    assert _travel(p, routes) - _travel(p, start) <= PULL_MAX_S * days_earlier
    for v, r in enumerate(start):  # the remaining stops of a day keep their order
        kept = [n for n in r if day_of[n] == v]
        assert kept == [n for n in routes[v] if n in kept]
