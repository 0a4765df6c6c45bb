"""``summary.json``: the contract's figures of a plan, or the diagnosis when there is none."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

from optimizer.assign.figures import assignment_figures
from optimizer.assign.remedies import remedy_text, shortfall_text
from optimizer.domain.model import Assignment, Campaign, Plan
from optimizer.reports.slack import SlackReport, slack_report
from optimizer.reports.status import CampaignProgress
from optimizer.route.problem import REASON_CAPACITY
from optimizer.workload import travel_share_minutes


@dataclass(frozen=True, slots=True)
class AtRisk:
    cadre_id: str
    missing_minutes: int
    remedy: str
    targets: tuple[str, ...] = ()


def at_risk_cadres(campaign: Campaign, plan: Plan) -> list[AtRisk]:
    """Cadres who cannot finish by the deadline: the minutes missing and the remedies."""
    targets = campaign.target_index()
    cadres = campaign.cadre_index()
    if not any(u.reason == REASON_CAPACITY for u in plan.unscheduled):
        return []
    shares = travel_share_minutes(campaign.targets, campaign.settings)
    travel = dict(zip((t.id for t in campaign.targets), shares, strict=True))
    result = []
    for cp in plan.cadre_plans:
        late = [u.target_id for u in cp.unscheduled if u.reason == REASON_CAPACITY]
        if not late:
            continue
        missing = math.ceil(sum(targets[t].service_minutes + travel[t] for t in late))
        days = len(cadres[cp.cadre_id].work_days(campaign.settings.days, plan.after_day)) or 1
        per_day = math.ceil(missing / days)
        remedy = (
            f"每日增加约 {per_day} 分钟，或移交给有空余时间的人员："
            "zoufang rebalance CAMPAIGN 查看方案，--apply 一次执行（记入审计记录）"
        )
        result.append(AtRisk(cp.cadre_id, missing, remedy, tuple(late)))
    return result


def plan_summary(
    campaign: Campaign,
    assignment: Assignment,
    plan: Plan,
    *,
    solve_seconds: float,
    progress: CampaignProgress | None = None,
    figures: dict | None = None,
    attempts: Mapping[str, int] | None = None,
) -> dict:
    """The contract's summary of a published plan; ``figures`` (balance and compactness, as in
    an earlier summary) are reused when the assignment has not changed since; ``attempts``
    (not-home attempts spent per target) size the retries still to come."""
    progress = progress or CampaignProgress()
    figures = figures or assignment_summary(campaign, assignment)
    risks = at_risk_cadres(campaign, plan)
    travel_s = sum(cp.travel_s for cp in plan.cadre_plans)
    return {
        "campaign": campaign.settings.name,
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
        "feasible": True,
        "plan_version": plan.version,
        "after_day": plan.after_day,
        "targets": len(campaign.targets),
        "cadres": len(campaign.cadres),
        "coverage": round(progress.coverage, 4),
        "counts": progress.counts,
        "unscheduled": [
            {"target_id": u.target_id, "cadre_id": u.cadre_id, "reason": u.reason}
            for u in plan.unscheduled
        ],
        "priority_late": sorted(t for cp in plan.cadre_plans for t in cp.priority_late),
        "projected_finish_day": {cp.cadre_id: cp.finish_day for cp in plan.cadre_plans},
        "at_risk": [
            {"cadre_id": r.cadre_id, "missing_minutes": r.missing_minutes, "remedy": r.remedy}
            for r in risks
        ],
        "escalated": list(progress.escalated),
        "corrections": list(progress.corrections),
        "refused": list(progress.refused),
        "retry_slack": slack_summary(slack_report(campaign, plan, attempts)),
        **figures,
        "total_travel_min": round(travel_s / 60),
        "solve_seconds": round(solve_seconds, 2),
    }


def slack_summary(report: SlackReport) -> dict:
    """summary.json's ``retry_slack``: the goal, the town, and every cadre (short or not)."""
    town = report.town
    return {
        "goal_share": report.goal_share,
        "not_home_rate": report.not_home_rate,
        "town": {
            "capacity_minutes": town.capacity_minutes,
            "workload_minutes": town.workload_minutes,
            "slack_minutes": town.slack_minutes,
            "slack_share": round(town.slack_share, 4),
            "goal_minutes": town.goal_minutes,
            "retries_expected": round(town.retries_expected, 1),
            "retries_absorbable": town.retries_absorbable,
            "cadres_short": town.cadres_short,
        },
        "cadres": [
            {
                "cadre_id": c.cadre_id,
                "capacity_minutes": c.capacity_minutes,
                "workload_minutes": c.workload_minutes,
                "slack_minutes": c.slack_minutes,
                "slack_share": round(c.slack_share, 4),
                "goal_minutes": c.goal_minutes,
                "retries_expected": round(c.retries_expected, 1),
                "retries_absorbable": c.retries_absorbable,
                "kept": c.kept,
                "missing_minutes": c.missing_minutes,
                "remedy": c.remedy.text if c.remedy else "",
                "remedy_kind": c.remedy.kind if c.remedy else None,
            }
            for c in report.cadres
        ],
    }


FIGURE_KEYS = (
    "workload_ratio_max",
    "workload_ratio_mean",
    "workload_max_over_mean",
    "mean_distance_to_area_centre_m",
    "grids_split_share",
)


def assignment_summary(campaign: Campaign, assignment: Assignment) -> dict:
    """Balance and compactness of an assignment, as summary.json reports them."""
    f = assignment_figures(campaign, assignment)
    values = (
        round(f.workload_ratio_max, 4),
        round(f.workload_ratio_mean, 4),
        round(f.max_over_mean, 4),
        round(f.mean_distance_to_centre_m, 1),
        round(f.grids_split_share, 4),
    )
    return dict(zip(FIGURE_KEYS, values, strict=True))


def infeasible_summary(campaign: Campaign, assignment: Assignment) -> dict:
    """Exit 3: no plan meets the rules; where and by how much, and the remedies."""
    return {
        "campaign": campaign.settings.name,
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
        "feasible": False,
        "plan_version": None,
        "targets": len(campaign.targets),
        "cadres": len(campaign.cadres),
        "coverage": 0.0,
        "missing_minutes": sum(s.missing_minutes for s in assignment.shortfalls),
        "diagnosis": [
            {
                "scope": s.scope,
                "targets": s.target_count,
                "demand_minutes": s.demand_minutes,
                "capacity_minutes": s.capacity_minutes,
                "missing_minutes": s.missing_minutes,
                "cadre_ids": list(s.cadre_ids),
                "extra_cadres": s.extra_cadres,
                "extra_days": s.extra_days,
                "extra_minutes_per_day": s.extra_minutes_per_day,
                "remedy": remedy_text(s),
                "message": shortfall_text(s),
                "target_ids": list(s.target_ids[:50]),
            }
            for s in assignment.shortfalls
        ],
        "unscheduled": [],
        "priority_late": [],
        "projected_finish_day": {},
        "at_risk": [],
        "escalated": [],
        "corrections": [],
        "workload_ratio_max": None,
        "retry_slack": None,  # no plan, no slack: the diagnosis says what is missing
        "solve_seconds": round(assignment.solve_seconds, 2),
    }
