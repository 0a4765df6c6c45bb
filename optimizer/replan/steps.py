"""The steps of a (re-)plan: which cadres changed, and each cadre's remaining problem.

Pure: outcomes and the current plan in, problems out. The pairing never changes here
(一访到底): a cadre's remaining problem holds only targets of that cadre's own area. Where a
target stands after its attempts is the not-home policy's (``domain.revisits``).

The same steps serve the first plan (no plan yet, perhaps outcomes from before a re-assignment)
and the night's re-plan; ``run`` chains them in-process, the workers run them one cadre per
message (``workers.tasks.steps``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.model import Assignment, Campaign, DayRoute, Outcome, Plan
from optimizer.domain.revisits import TargetState, planned_times, target_states
from optimizer.route.problem import RouteProblem, build_problem
from optimizer.travel import TravelModel


@dataclass(frozen=True, slots=True)
class CadreDay:
    """What a night's re-plan needs to know about one cadre."""

    cadre_id: str
    changed: bool
    pending: tuple[str, ...]


def cadre_days(
    campaign: Campaign, assignment: Assignment, plan: Plan, outcomes: list[Outcome], today: int
) -> list[CadreDay]:
    """Per cadre: did anything differ from the plan since it was made, and what is pending.

    Unchanged means: every stop planned up to ``today`` was visited on its day, nothing else
    was recorded, and the area still holds exactly the targets the plan covers. Such a cadre
    keeps tomorrow's route as announced (no re-solve).
    """
    outcomes = [o for o in outcomes if not o.return_visit]  # 回访 are off the campaign clock
    states = target_states(campaign, outcomes, planned_times(plan.routes))
    routes: dict[str, list[DayRoute]] = defaultdict(list)
    for r in plan.routes:
        routes[r.cadre_id].append(r)
    since = [o for o in outcomes if plan.after_day < o.day <= today]
    recorded = defaultdict(set)
    for o in since:
        recorded[o.target_id].add((o.day, o.status))
    # A cadre's own unscheduled targets: one moved to another cadre by an override is that
    # cadre's work now, not yet planned — so that cadre changed.
    unscheduled: dict[str, set[str]] = defaultdict(set)
    for u in plan.unscheduled:
        unscheduled[u.cadre_id].add(u.target_id)
    result = []
    for area in assignment.areas:
        pending = pending_targets(area.target_ids, states)
        done = [
            (s.target_id, r.day) for r in routes[area.cadre_id] if r.day <= today for s in r.stops
        ]
        as_planned = all((d, OutcomeStatus.VISITED) in recorded[t] for t, d in done)
        extra = sum(len(recorded[t]) for t in area.target_ids) != len(done)
        future = {s.target_id for r in routes[area.cadre_id] if r.day > today for s in r.stops}
        mine = set(area.target_ids)
        covered = future | (unscheduled[area.cadre_id] & mine)
        # Unscheduled targets moved away by an override: the kept result would still list them.
        moved_away = bool(unscheduled[area.cadre_id] - mine)
        changed = not as_planned or extra or covered != set(pending) or moved_away
        result.append(CadreDay(area.cadre_id, changed, pending))
    return result


def remaining_problem(
    campaign: Campaign,
    cadre_id: str,
    pending: tuple[str, ...],
    routes: tuple[DayRoute, ...],
    outcomes: list[Outcome],
    today: int,
    model: TravelModel,
) -> RouteProblem:
    """The cadre's problem for the days after ``today``: pending targets of its own area, retry
    windows after misses (at times this cadre works), the announced routes as the start and
    tomorrow kept close to them."""
    cadre = campaign.cadre_index()[cadre_id]
    targets = campaign.target_index()
    planned = planned_times(routes)
    wanted = set(pending)
    # The retry window depends on the hours this cadre works (the target's own cadre).
    states = target_states(
        campaign,
        [o for o in outcomes if o.target_id in wanted],
        planned,
        wanted,
        cadre_of=dict.fromkeys(wanted, cadre),
    )
    retry = {t: s.retry_window for t, s in states.items() if s.retry_window}
    missed = {t for t, s in states.items() if s.attempts}
    announced = {r.day: tuple(s.target_id for s in r.stops) for r in routes if r.day > today}
    tomorrow = next(iter(cadre.work_days(campaign.settings.days, after=today)), 0)
    # Only a route the cadre was told about is kept close to what was announced.
    return build_problem(
        cadre,
        [targets[t] for t in pending],
        campaign.settings,
        model,
        after_day=today,
        retry_windows=retry,
        retries=missed,
        announced=announced,
        keep_day=tomorrow if tomorrow in announced else 0,
    )


def pending_targets(area_target_ids, states: dict[str, TargetState]) -> tuple[str, ...]:
    """The targets of an area still to visit (not final, not escalated), in area order."""
    return tuple(t for t in area_target_ids if states[t].pending)


def first_problems(
    campaign: Campaign,
    assignment: Assignment,
    outcomes: list[Outcome],
    today: int,
    model: TravelModel,
) -> list[RouteProblem]:
    """Every cadre's problem over what is still pending in its whole area, from ``today`` on
    (0 before any outcome): the first plan, or the plan after a re-assignment."""
    states = target_states(campaign, outcomes)
    return [
        remaining_problem(
            campaign,
            area.cadre_id,
            pending_targets(area.target_ids, states),
            (),
            outcomes,
            today,
            model,
        )
        for area in assignment.areas
    ]
