"""What the commands do, end to end: read, solve, write outputs, record in the store."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from optimizer.assign import assign_areas
from optimizer.model import Assignment, Campaign, Plan
from optimizer.planning import PLAN_TIME_LIMIT_S, Progress, plan_routes
from optimizer.summary import infeasible_summary, plan_summary
from optimizer.tables import read_campaign
from optimizer.tables.attachment2 import write_attachment2
from optimizer.tables.day_routes import write_day_routes
from optimizer.tables.outputs import write_assignment_csv, write_json, write_routes_csv


@dataclass(frozen=True, slots=True)
class PlanResult:
    campaign: Campaign
    assignment: Assignment
    plan: Plan | None
    summary: dict
    out: Path

    @property
    def feasible(self) -> bool:
        return self.assignment.feasible


def default_out(campaign_dir: Path, out: Path | None) -> Path:
    return Path(out) if out else Path(campaign_dir) / "out"


def write_plan_outputs(
    out: Path, campaign: Campaign, assignment: Assignment, plan: Plan, summary: dict
):
    """The plan's files: assignment.csv, 附件2, routes.csv, 日路线.xlsx, summary.json."""
    out.mkdir(parents=True, exist_ok=True)
    finish = {
        cp.cadre_id: campaign.settings.date_of(cp.finish_day) if cp.finish_day else None
        for cp in plan.cadre_plans
    }
    write_assignment_csv(out, assignment)
    write_attachment2(out, campaign, assignment, finish)
    write_routes_csv(out / "routes.csv", campaign, plan)
    write_day_routes(out, campaign, plan)
    write_json(out / "summary.json", summary)


def plan_campaign(
    campaign_dir: Path,
    out: Path | None = None,
    *,
    seed: int = 0,
    time_limit_s: float = PLAN_TIME_LIMIT_S,
    workers: int | None = None,
    progress: Progress | None = None,
    maps: bool = True,
) -> PlanResult:
    """Assign areas and plan every cadre's routes; exit-3 cases write only summary.json."""
    started = time.perf_counter()
    campaign = read_campaign(campaign_dir)
    out = default_out(campaign_dir, out)
    assignment = assign_areas(campaign, seed=seed)
    if not assignment.feasible:
        out.mkdir(parents=True, exist_ok=True)
        summary = infeasible_summary(campaign, assignment)
        write_json(out / "summary.json", summary)
        return PlanResult(campaign, assignment, None, summary, out)
    plan = plan_routes(
        campaign,
        assignment,
        time_limit_s=time_limit_s,
        seed=seed,
        workers=workers,
        progress=progress,
    )
    summary = plan_summary(campaign, assignment, plan, solve_seconds=time.perf_counter() - started)
    write_plan_outputs(out, campaign, assignment, plan, summary)
    return PlanResult(campaign, assignment, plan, summary, out)
