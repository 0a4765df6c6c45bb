"""The shared schedule: windows, waiting, earliest minimal-duration departure."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.domain.model import Window
from optimizer.route.timing import Leg, schedule, service_starts
from optimizer.route.warm_start import fits_in_order

DAY = Window(8 * 60 + 30, 20 * 60 + 30)
ANY = DAY
EVENING = Window(18 * 60, 20 * 60 + 30)


def test_day_route_starts_at_the_day_start():
    """Without windows to wait for, the cadre leaves when the day starts."""
    leave, back, stops = schedule([Leg("a", 10, 15, ANY), Leg("b", 5, 15, ANY)], 10, DAY, 240)
    assert leave == DAY.start_min and stops[0].arrive_min == leave + 10
    assert stops[1].arrive_min == stops[0].depart_min + 5 and back == stops[1].depart_min + 10


def test_evening_route_leaves_late_without_waiting():
    """A route ending in the evening leaves so that it never waits."""
    leave, back, stops = schedule([Leg("a", 10, 15, ANY), Leg("b", 5, 15, EVENING)], 10, DAY, 60)
    assert stops[1].arrive_min == EVENING.start_min
    assert back - leave == 10 + 15 + 5 + 15 + 10


def test_service_must_end_inside_the_window():
    """A visit that would end after its window closes does not fit."""
    late = Window(8 * 60 + 30, 9 * 60)
    assert schedule([Leg("a", 40, 15, late)], 10, DAY, 240) is None


def test_day_longer_than_minutes_per_day_does_not_fit():
    """Waiting counts toward the day's minutes."""
    legs = [Leg("a", 5, 15, Window(9 * 60, 10 * 60)), Leg("b", 5, 15, EVENING)]
    assert schedule(legs, 5, DAY, 240) is None


@st.composite
def _day(draw):
    """A random day: a travel matrix, services, windows, and an order of some targets."""
    n = draw(st.integers(1, 8))
    minutes = draw(
        st.lists(st.lists(st.integers(0, 40), min_size=n + 1, max_size=n + 1), min_size=n + 1)
    )[: n + 1]
    service = [0, *draw(st.lists(st.integers(1, 40), min_size=n, max_size=n))]
    opens, closes = [0], [0]
    for _ in range(n):
        start = draw(st.integers(DAY.start_min, DAY.end_min - 10))
        opens.append(start)
        closes.append(draw(st.integers(start + 1, DAY.end_min)))
    order = draw(st.permutations(range(1, n + 1)))[: draw(st.integers(1, n))]
    limit = draw(st.integers(30, 12 * 60))
    return minutes, service, opens, closes, list(order), limit


@given(_day())
@settings(max_examples=300, deadline=None)
def test_the_splits_fast_check_agrees_with_the_schedule(day):
    """The split's inline timing accepts exactly the orders ``service_starts`` can time."""
    minutes, service, opens, closes, order, limit = day
    arrays = SimpleNamespace(
        minutes=minutes,
        seconds=[[60 * m for m in row] for row in minutes],
        service=service,
        opens=opens,
        closes=closes,
        day=DAY,
        limit=limit,
    )
    path = [0, *order, 0]
    travel = [minutes[a][b] for a, b in itertools.pairwise(path)]
    reference = service_starts(
        travel[:-1],
        [service[x] for x in order],
        [opens[x] for x in order],
        [closes[x] for x in order],
        travel[-1],
        DAY,
        limit,
    )
    assert fits_in_order(arrays, order) == (reference is not None)
