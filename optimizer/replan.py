"""After a day's outcomes: where every target stands, and each cadre's remaining problem.

Pure: outcomes and the current plan in, problems and states out. The pairing never changes here
(一访到底): a cadre's remaining problem holds only targets of that cadre's own area.

Policy (DESIGN §4): visited, refused, moved and invalid are final; a planned stop without an
outcome row was not attempted (pending again, no attempt counted); ``not_home`` is retried in
the other window — evening after a daytime miss, daytime after an evening miss — judged from the
outcome's time, or the planned time when absent; after ``max_attempts`` misses the target is
escalated (phone / village cadre) and leaves the routes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from optimizer.model import (
    FINAL_STATUSES,
    Assignment,
    Campaign,
    DayRoute,
    Outcome,
    OutcomeStatus,
    Plan,
    Settings,
    TargetState,
    Window,
)
from optimizer.problem import RouteProblem, build_problem
from optimizer.travel import TravelModel


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
    for o in sorted(outcomes, key=lambda o: (o.day, -1 if o.time_min is None else o.time_min)):
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


@dataclass(frozen=True, slots=True)
class CadreDay:
    """What a night's re-plan needs to know about one cadre."""

    cadre_id: str
    changed: bool
    pending: tuple[str, ...]


def planned_times(plan: Plan) -> dict[tuple[str, int], int]:
    return {(s.target_id, r.day): s.arrive_min for r in plan.routes for s in r.stops}


def cadre_days(
    campaign: Campaign, assignment: Assignment, plan: Plan, outcomes: list[Outcome], today: int
) -> list[CadreDay]:
    """Per cadre: did anything differ from the plan since it was made, and what is pending.

    Unchanged means: every stop planned up to ``today`` was visited on its day, nothing else
    was recorded, and the area still holds exactly the targets the plan covers. Such a cadre
    keeps tomorrow's route as announced (no re-solve).
    """
    states = target_states(campaign, outcomes, planned_times(plan))
    routes: dict[str, list[DayRoute]] = defaultdict(list)
    for r in plan.routes:
        routes[r.cadre_id].append(r)
    since = [o for o in outcomes if plan.after_day < o.day <= today]
    recorded = defaultdict(set)
    for o in since:
        recorded[o.target_id].add((o.day, o.status))
    unscheduled = {u.target_id for u in plan.unscheduled}
    result = []
    for area in assignment.areas:
        pending = tuple(
            t for t in area.target_ids if states[t].final is None and not states[t].escalated
        )
        done = [
            (s.target_id, r.day) for r in routes[area.cadre_id] if r.day <= today for s in r.stops
        ]
        as_planned = all((d, OutcomeStatus.VISITED) in recorded[t] for t, d in done)
        extra = sum(len(recorded[t]) for t in area.target_ids) != len(done)
        future = {s.target_id for r in routes[area.cadre_id] if r.day > today for s in r.stops}
        covered = future | (unscheduled & set(area.target_ids))
        changed = not as_planned or extra or covered != set(pending)
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
    windows after misses, the announced routes as the start and tomorrow kept close to them."""
    cadre = campaign.cadre_index()[cadre_id]
    targets = campaign.target_index()
    planned = {(s.target_id, r.day): s.arrive_min for r in routes for s in r.stops}
    wanted = set(pending)
    states = target_states(
        campaign, [o for o in outcomes if o.target_id in wanted], planned, wanted
    )
    retry = {t: s.retry_window for t, s in states.items() if s.retry_window}
    announced = {r.day: tuple(s.target_id for s in r.stops) for r in routes if r.day > today}
    tomorrow = next(iter(cadre.work_days(campaign.settings.days, after=today)), 0)
    return build_problem(
        cadre,
        [targets[t] for t in pending],
        campaign.settings,
        model,
        after_day=today,
        retry_windows=retry,
        announced=announced,
        keep_day=tomorrow,
    )


def coverage(campaign: Campaign, states: dict[str, TargetState]) -> float:
    """(visited + refused + moved + invalid) ÷ all targets."""
    done = sum(1 for s in states.values() if s.final is not None)
    return done / len(campaign.targets) if campaign.targets else 1.0


def replan(
    campaign: Campaign,
    assignment: Assignment,
    plan: Plan,
    outcomes: list[Outcome],
    today: int,
    model: TravelModel,
    *,
    time_limit_s: float,
    seed: int = 0,
    workers: int | None = 1,
) -> Plan:
    """The next plan version: changed cadres re-solved inside their own areas, the others'
    remaining routes kept as announced."""
    from optimizer.model import CadrePlan
    from optimizer.planning import solve_all

    by_cadre: dict[str, list[DayRoute]] = defaultdict(list)
    for r in plan.routes:
        by_cadre[r.cadre_id].append(r)
    previous = {cp.cadre_id: cp for cp in plan.cadre_plans}
    days = cadre_days(campaign, assignment, plan, outcomes, today)
    changed = [d for d in days if d.changed]
    problems = [
        remaining_problem(
            campaign, d.cadre_id, d.pending, tuple(by_cadre[d.cadre_id]), outcomes, today, model
        )
        for d in changed
    ]
    solved = dict(
        zip(
            (d.cadre_id for d in changed),
            solve_all(problems, time_limit_s=time_limit_s, seed=seed, workers=workers),
            strict=True,
        )
    )
    plans = []
    for d in days:
        if d.cadre_id in solved:
            plans.append(solved[d.cadre_id])
        else:
            keep = previous.get(d.cadre_id)
            routes = tuple(r for r in by_cadre[d.cadre_id] if r.day > today)
            plans.append(CadrePlan(d.cadre_id, routes, keep.unscheduled if keep else ()))
    return Plan(plan.version + 1, tuple(plans), after_day=today)
