"""The not-home policy: where each target stands after its attempts, and when to retry.

(DESIGN §4, §5) visited, refused, moved and invalid are final; a planned stop without an
outcome row was not attempted (pending again, no attempt counted); ``not_home`` is retried in
the other window — evening after a daytime miss, daytime after an evening miss — judged from
the outcome's time, or the planned time when absent; after ``max_attempts`` misses the target
is escalated (phone / village cadre) and leaves the routes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from optimizer.domain.codes import FINAL_STATUSES, OutcomeStatus, Progress
from optimizer.domain.model import Campaign, DayRoute, Outcome, Settings, Window


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


def other_window(settings: Settings, minute: int) -> Window | None:
    """The window to retry in after a miss at ``minute``: day ↔ evening."""
    evening, day = settings.window("evening"), settings.window("day")
    if evening and evening.contains(minute):
        return day
    return evening


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
) -> dict[str, TargetState]:
    """Every target's (or ``only`` those) attempts, final status, escalation, retry window.

    ``planned_time`` gives (target, day) → planned minute, to judge a miss recorded without time.
    """
    planned_time = planned_time or {}
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
        if misses and final is None:
            last = misses[-1]
            minute = (
                last.time_min
                if last.time_min is not None
                else planned_time.get((target_id, last.day))
            )
            retry = other_window(campaign.settings, minute) if minute is not None else None
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
