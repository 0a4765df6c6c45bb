"""The re-plan guard: what a new version would drop of the work the previous one scheduled.

A night's re-plan keeps every cadre's pending targets on the remaining days when they fit.
Work is *dropped* when a target the base version had on a day is still pending and the new
version has no day for it. A few such targets for a few cadres is an ordinary night late in
the campaign (retries crowd the last days); scheduled work dropped for many cadres at once is
almost always a wrong "today" — a mistyped day, a return visit read as a campaign day — and
the new version is held until the coordinator confirms it (``replan --force``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from optimizer.domain import defaults
from optimizer.domain.model import Plan
from optimizer.domain.revisits import TargetState


@dataclass(frozen=True, slots=True)
class DroppedWork:
    """One cadre's targets that were scheduled and would now have no day."""

    cadre_id: str
    target_ids: tuple[str, ...]


def dropped_work(base: Plan, new: Plan, states: dict[str, TargetState]) -> list[DroppedWork]:
    """Per cadre, the targets ``base`` had on a day that are still pending (``states``: after
    every outcome so far) and that ``new`` leaves without one (cadres in id order, targets in
    the base's order)."""
    planned = {s.target_id for r in new.routes for s in r.stops}
    dropped: dict[str, list[str]] = defaultdict(list)
    for route in sorted(base.routes, key=lambda r: (r.cadre_id, r.day)):
        for stop in route.stops:
            state = states.get(stop.target_id)
            if state is not None and state.pending and stop.target_id not in planned:
                dropped[route.cadre_id].append(stop.target_id)
    return [DroppedWork(c, tuple(ids)) for c, ids in sorted(dropped.items())]


def guard_threshold(cadres_with_work: int) -> int:
    """How many cadres losing work hold a re-plan."""
    share = math.ceil(defaults.GUARD_CADRE_SHARE * cadres_with_work)
    return max(defaults.GUARD_MIN_CADRES, share)


def guard_findings(
    base: Plan, new: Plan, states: dict[str, TargetState], today: int
) -> dict | None:
    """The guard's findings (JSON-ready) when the new version should be held, else None."""
    dropped = dropped_work(base, new, states)
    with_work = len({r.cadre_id for r in base.routes if r.stops})
    if len(dropped) < guard_threshold(with_work):
        return None
    return {
        "today": today,
        "base_version": base.version,
        "cadres": len(dropped),
        "cadres_with_work": with_work,
        "targets": sum(len(d.target_ids) for d in dropped),
        "dropped": {d.cadre_id: list(d.target_ids) for d in dropped},
    }
