"""A simulated cadre's day, minute by minute: the planned list, then their own next stops.

The plan gives every stop its full visit. In the field a door where nobody is home takes a
few minutes (knock, wait, leave the 联系卡), so a day with misses ends early — and a cadre
with time left goes on with their *own* next planned stops (the field app's 后一天 list and
the 日路线 sheets show them; the outcome counts for the day it happened, and the night's
re-plan takes it out of the later day). This module walks one cadre's day that way:

- the planned stops in their order, each served as early as its window allows — no earlier
  than the evening for a stop the plan put in the evening (an evening household, or a retry
  after a daytime miss);
- wherever the cadre would wait (for a window, for the evening) or the day would end early,
  the nearest of their next planned stops (the next two days with stops) that fits: the full
  visit inside its window, the next planned stop still reached when it may start, back at the
  base inside the cadre's window and ``minutes_per_day`` of leaving;
- a miss costs ``door_minutes`` on site instead of the visit.

Only a cadre's own targets are ever taken (一访到底): the candidates are their own routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from optimizer.domain.model import Cadre, DayRoute, Target, Window
from optimizer.domain.pairing import visit_window

#: How many of the next planned days' stops a cadre looks at for work ahead (the page and
#: the sheets show the next day; two days cover a next day that is short or off).
LOOK_AHEAD_DAYS = 2


@dataclass(frozen=True, slots=True)
class Attempt:
    """One door the cadre went to: which, when service started, whether from a later day."""

    target_id: str
    start_min: int
    ahead: bool


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stop the cadre may visit at this moment: who, from when, until when it must end."""

    target: Target
    earliest_min: int
    window: Window


def candidates(
    cadre: Cadre,
    later: list[DayRoute],
    targets: dict[str, Target],
    evening: Window | None,
) -> list[Candidate]:
    """The cadre's stops on their next ``LOOK_AHEAD_DAYS`` planned days, each with the time
    from which it may be visited: the evening for one the plan put there."""
    days = sorted({r.day for r in later if r.stops})[:LOOK_AHEAD_DAYS]
    out = []
    for route in sorted((r for r in later if r.day in days), key=lambda r: r.day):
        for stop in route.stops:
            target = targets[stop.target_id]
            window = visit_window(cadre, target)
            if window is None:
                continue
            earliest = window.start_min
            if evening is not None and evening.contains(stop.arrive_min):
                earliest = max(earliest, evening.start_min)
            out.append(Candidate(target, earliest, window))
    return out


def walk_day(
    route: DayRoute,
    cadre: Cadre,
    targets: dict[str, Target],
    ahead: list[Candidate],
    minutes: Callable[[str | None, str | None], int],
    at_home: Callable[[str, int], bool],
    door_minutes: int,
    evening: Window | None,
) -> list[Attempt]:
    """The doors of one day in the order the cadre goes to them.

    Parameters
    ----------
    minutes
        Travel minutes between two targets; ``None`` stands for the cadre's base.
    at_home
        Whether someone opens at ``target`` at a minute (the simulator's seeded draw); a miss
        costs ``door_minutes`` instead of the visit.
    """
    end_limit = min(cadre.window.end_min, route.start_min + cadre.minutes_per_day)
    clock, here = route.start_min, None
    attempts: list[Attempt] = []
    pool = list(ahead)

    def serve(target: Target, start: int, from_later: bool) -> None:
        nonlocal clock, here
        attempts.append(Attempt(target.id, start, from_later))
        home = at_home(target.id, start)
        clock = start + (
            target.service_minutes if home else min(door_minutes, target.service_minutes)
        )
        here = target.id

    def fill(deadline: int, then: str | None) -> None:
        """Visit later stops while one fits before ``deadline`` at ``then`` (None = base)."""
        while pool:
            best, best_start, best_travel = None, 0, 0
            for c in pool:
                travel = minutes(here, c.target.id)
                start = max(clock + travel, c.earliest_min, c.window.start_min)
                end = start + c.target.service_minutes
                if end > c.window.end_min or end + minutes(c.target.id, then) > deadline:
                    continue
                if best is None or travel < best_travel:
                    best, best_start, best_travel = c, start, travel
            if best is None:
                return
            pool.remove(best)
            serve(best.target, best_start, True)

    for stop in route.stops:
        target = targets[stop.target_id]
        window = visit_window(cadre, target) or cadre.window
        earliest = window.start_min
        if evening is not None and evening.contains(stop.arrive_min):
            earliest = max(earliest, evening.start_min)
        # Work ahead fills only a wait: a stop that may start now is done now. ``earliest`` is
        # never after the planned time, so the planned stops keep their times at the latest.
        fill(earliest, stop.target_id)
        serve(target, max(clock + minutes(here, target.id), earliest), False)
    fill(end_limit, None)
    return attempts
