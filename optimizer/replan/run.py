"""The orchestration: a first plan, and the night's re-plan, chained in-process.

This is the one path from outcomes to routes. Tests call ``plan_routes`` and ``replan``; the
``zoufang`` commands and the Dramatiq workers run the same steps (``steps``), one cadre per
process or message, and store each result under (campaign, version, cadre).
"""

from __future__ import annotations

from collections import defaultdict

from optimizer.domain import defaults
from optimizer.domain.model import Assignment, CadrePlan, Campaign, DayRoute, Outcome, Plan
from optimizer.replan.steps import cadre_days, first_problems, remaining_problem
from optimizer.route.ortools_model import DEFAULT_SEARCH, SearchSettings
from optimizer.route.parallel import Progress, solve_all
from optimizer.travel import TravelModel, travel_model


def plan_routes(
    campaign: Campaign,
    assignment: Assignment,
    *,
    outcomes: list[Outcome] | tuple[Outcome, ...] = (),
    today: int = 0,
    time_limit_s: float = defaults.PLAN_TIME_LIMIT_S,
    seed: int = 0,
    workers: int | None = None,
    progress: Progress | None = None,
    version: int = 1,
    search: SearchSettings = DEFAULT_SEARCH,
) -> Plan:
    """Routes for what is pending in every cadre's whole area, over the days after ``today``.

    Parameters
    ----------
    outcomes
        Outcomes recorded so far (none for a first plan; some after a re-assignment).
    time_limit_s
        Search time per cadre (small areas use less, see ``route.parallel.cadre_time_limit``).
    workers
        Worker processes; default: the CPUs this process may use.
    """
    model = travel_model(campaign.settings.travel, campaign.folder or None)
    problems = first_problems(campaign, assignment, list(outcomes), today, model)
    plans = solve_all(
        problems,
        time_limit_s=time_limit_s,
        seed=seed,
        workers=workers,
        progress=progress,
        search=search,
    )
    return Plan(version, tuple(plans), after_day=today)


def replan(
    campaign: Campaign,
    assignment: Assignment,
    plan: Plan,
    outcomes: list[Outcome],
    today: int,
    model: TravelModel | None = None,
    *,
    time_limit_s: float = defaults.REPLAN_TIME_LIMIT_S,
    seed: int = 0,
    workers: int | None = 1,
) -> Plan:
    """The next plan version: changed cadres re-solved inside their own areas, the others'
    remaining routes kept as announced."""
    model = model or travel_model(campaign.settings.travel, campaign.folder or None)
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
