"""The not-home policy: where each target stands after its attempts, and when to retry.

(DESIGN §4, §5) visited, refused, moved and invalid are final; a planned stop without an
outcome row was not attempted (pending again, no attempt counted); ``not_home`` is retried at
a different time that the target's own cadre can work (``retry_window``), judged from the
outcome's time, or the planned time when absent; after ``max_attempts`` misses the target is
escalated (phone / village cadre) and leaves the routes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from optimizer.domain.codes import FINAL_STATUSES, OutcomeStatus, Progress
from optimizer.domain.model import Cadre, Campaign, DayRoute, Outcome, Settings, Target, Window
from optimizer.domain.pairing import visit_window


@dataclass(frozen=True, slots=True)
class TargetState:
    """Where one target stands after the outcomes so far."""

    target_id: str
    attempts: int = 0
    final: OutcomeStatus | None = None
    escalated: bool = False
    retry_window: Window | None = None
    history: tuple[Outcome, ...] = ()

    @property
    def pending(self) -> bool:
        """Still to be visited in the routes (not final, not escalated)."""
        return self.final is None and not self.escalated

    @property
    def progress(self) -> Progress:
        if self.final is OutcomeStatus.VISITED:
            return Progress.VISITED
        if self.final is OutcomeStatus.REFUSED:
            return Progress.REFUSED
        if self.final is not None:
            return Progress.CORRECTION
        if self.escalated:
            return Progress.ESCALATED
        return Progress.NOT_HOME if self.attempts else Progress.PENDING


def retry_window(settings: Settings, cadre: Cadre, target: Target, minute: int) -> Window | None:
    """The window to retry in after a miss at ``minute``: a different time this cadre works.

    A miss in the evening is retried by day (the ``day`` window, else the cadre's hours
    before the evening). A daytime miss is retried in the evening when the cadre's own window
    and the evening can hold the visit together; otherwise in the other half of the cadre's
    day: the cadre's own window cut at its midpoint (08:30–17:30 → 08:30–13:00 and
    13:00–17:30), a morning miss going to the afternoon and an afternoon miss to the morning.
    The retry is on a later day anyway (a re-plan covers the days after today). The window is
    kept inside what the target and the cadre allow; when the other time cannot hold the
    visit there, any such time is the retry window, so it is never empty. None only when the
    target's window and the cadre's do not meet at all (the route problem sets it aside).
    """
    allowed = visit_window(cadre, target)
    if allowed is None:
        return None
    preferred = _other_time(settings, cadre, target.service_minutes, minute)
    retry = preferred.intersect(allowed) if preferred else None
    if retry is None or retry.length_min < target.service_minutes:
        return allowed
    return retry


def _other_time(settings: Settings, cadre: Cadre, service_min: int, minute: int) -> Window | None:
    """The other time of the cadre's day after a miss at ``minute`` (see ``retry_window``)."""
    own = cadre.window
    evening, day = settings.window("evening"), settings.window("day")
    if evening and evening.contains(minute):
        if day is not None:
            return day
        before = own.start_min < evening.start_min
        return Window(own.start_min, evening.start_min) if before else None
    night = evening.intersect(own) if evening else None
    if night is not None and night.length_min >= service_min:
        return night
    middle = (own.start_min + own.end_min) // 2
    if minute < middle:
        return Window(middle, own.end_min)
    return Window(own.start_min, middle)


def _final(history: list[Outcome]) -> OutcomeStatus | None:
    statuses = [o.status for o in history if o.status in FINAL_STATUSES]
    if OutcomeStatus.VISITED in statuses:
        return OutcomeStatus.VISITED
    return statuses[-1] if statuses else None


def planned_times(routes: Iterable[DayRoute]) -> dict[tuple[str, int], int]:
    """(target, day) → planned minute of service: how a miss recorded without a time is
    placed in the day or the evening."""
    return {(s.target_id, r.day): s.arrive_min for r in routes for s in r.stops}


def target_states(
    campaign: Campaign,
    outcomes: list[Outcome],
    planned_time: dict[tuple[str, int], int] | None = None,
    only: set[str] | None = None,
    cadre_of: Mapping[str, Cadre] | None = None,
) -> dict[str, TargetState]:
    """Every target's (or ``only`` those) attempts, final status, escalation, retry window.

    Parameters
    ----------
    planned_time
        (target, day) → planned minute, to judge a miss recorded without time.
    cadre_of
        Target id → its own cadre (from the assignment). The retry window depends on the
        hours that cadre works, so it is set only for targets whose cadre is given.
    """
    planned_time = planned_time or {}
    cadre_of = cadre_of or {}
    targets = campaign.target_index()
    by_target: dict[str, list[Outcome]] = defaultdict(list)
    # Return visits (回访) report back on a request; they are no attempt of the campaign.
    visits = (o for o in outcomes if not o.return_visit)
    for o in sorted(visits, key=lambda o: (o.day, -1 if o.time_min is None else o.time_min)):
        by_target[o.target_id].append(o)
    limit = campaign.settings.policy.max_attempts
    states = {}
    ids = [t.id for t in campaign.targets] if only is None else sorted(only)
    for target_id in ids:
        history = by_target.get(target_id, [])
        final = _final(history)
        misses = [o for o in history if o.status is OutcomeStatus.NOT_HOME]
        retry = None
        cadre = cadre_of.get(target_id)
        if misses and final is None and cadre is not None:
            last = misses[-1]
            minute = (
                last.time_min
                if last.time_min is not None
                else planned_time.get((target_id, last.day))
            )
            if minute is not None:
                retry = retry_window(campaign.settings, cadre, targets[target_id], minute)
        states[target_id] = TargetState(
            target_id=target_id,
            attempts=len(misses),
            final=final,
            escalated=final is None and len(misses) >= limit,
            retry_window=retry,
            history=tuple(history),
        )
    return states


def coverage(campaign: Campaign, states: dict[str, TargetState]) -> float:
    """(visited + refused + moved + invalid) ÷ all targets."""
    done = sum(1 for s in states.values() if s.final is not None)
    return done / len(campaign.targets) if campaign.targets else 1.0
