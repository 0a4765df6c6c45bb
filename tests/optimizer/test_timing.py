"""The shared schedule: windows, waiting, earliest minimal-duration departure."""

from __future__ import annotations

from optimizer.model import Window
from optimizer.timing import Leg, schedule

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
