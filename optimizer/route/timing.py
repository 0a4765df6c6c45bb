"""Exact timing of a day route given its order: the one schedule the outputs and checks share.

Service starts at or after the target's window opens and ends by its close; waiting comes
before service. The day is as short as the order allows (least waiting), and among such days
the cadre starts as early as possible; it must be back inside the daily window, within
``minutes_per_day``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.domain.model import Stop, Window


@dataclass(frozen=True, slots=True)
class Leg:
    """One stop to schedule: minutes from the previous place, service, window."""

    target_id: str
    travel_min: int
    service_min: int
    window: Window


def service_starts(
    travel: Sequence[int],
    service: Sequence[int],
    opens: Sequence[int],
    closes: Sequence[int],
    back_min: int,
    day: Window,
    minutes_per_day: int,
) -> tuple[int, list[int], int] | None:
    """(leave, service starts, return) of the shortest day, or None if the order cannot fit.

    ``travel[i]`` leads to stop i; ``closes[i]`` is when its window closes (service must end
    by then); ``back_min`` is the way home from the last stop.
    """
    n = len(travel)
    if n == 0:
        return day.start_min, [], day.start_min
    # Latest service start of each stop that still lets every later stop and the return fit.
    latest = [0] * n
    bound = day.end_min - back_min
    for i in range(n - 1, -1, -1):
        latest[i] = min(closes[i], bound) - service[i]
        bound = latest[i] - travel[i]
    latest_leave = min(bound, day.end_min)
    # The earliest departure that never waits; if no such departure exists, leave as late as
    # possible, which makes the waiting (and so the day) as short as it can be.
    no_wait, offset = day.start_min, 0
    for i in range(n):
        offset += travel[i]
        no_wait = max(no_wait, opens[i] - offset)
        offset += service[i]
    leave = no_wait if no_wait <= latest_leave else max(latest_leave, day.start_min)
    starts, clock = [], leave
    for i in range(n):
        arrive = max(clock + travel[i], opens[i])
        if arrive > latest[i]:
            return None
        starts.append(arrive)
        clock = arrive + service[i]
    back = clock + back_min
    if back > day.end_min or back - leave > minutes_per_day:
        return None
    return leave, starts, back


def schedule(
    legs: list[Leg], back_min: int, day: Window, minutes_per_day: int
) -> tuple[int, int, tuple[Stop, ...]] | None:
    """(leave, return, stops) of the shortest day that serves ``legs`` in order, or None."""
    timed = service_starts(
        [leg.travel_min for leg in legs],
        [leg.service_min for leg in legs],
        [leg.window.start_min for leg in legs],
        [leg.window.end_min for leg in legs],
        back_min,
        day,
        minutes_per_day,
    )
    if timed is None:
        return None
    leave, starts, back = timed
    stops = tuple(
        Stop(leg.target_id, start, start + leg.service_min, leg.travel_min)
        for leg, start in zip(legs, starts, strict=True)
    )
    return leave, back, stops
