"""``zoufang plan``: assign areas, plan every cadre's days, publish, write the outputs."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from optimizer.assign.solve import assign_areas
from optimizer.domain import defaults
from optimizer.domain.model import Assignment, Campaign, Plan
from optimizer.domain.pairing import require_reassign_reason
from optimizer.inputs import read_campaign
from optimizer.outputs.attachment2 import write_attachment2
from optimizer.outputs.files import write_json
from optimizer.outputs.routes import write_assignment_csv
from optimizer.replan import plan_routes
from optimizer.reports.summary import infeasible_summary, plan_summary
from workers.commands.campaign import campaign_store, default_out
from workers.commands.exports import export_version
from workers.commands.maps import maps_offline, render_maps
from workers.store import Store


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


def _first_routes(store, campaign_id, campaign, assignment, time_limit_s, workers, progress):
    """Routes for every cadre from ``today`` on (0 before any outcome), as a new version."""
    outcomes = store.outcomes(campaign_id)
    today = store.last_night(campaign_id)
    plan = plan_routes(
        campaign,
        assignment,
        outcomes=outcomes,
        today=today,
        time_limit_s=time_limit_s,
        workers=workers,
        progress=progress,
    )
    version = store.create_version(
        campaign_id, today, None, [a.cadre_id for a in assignment.areas], []
    )
    store.save_cadre_plans(campaign_id, version, list(plan.cadre_plans))
    return Plan(version, plan.cadre_plans, after_day=today)


def plan_campaign(
    campaign_dir: Path,
    out: Path | None = None,
    *,
    seed: int = 0,
    time_limit_s: float = defaults.PLAN_TIME_LIMIT_S,
    workers: int | None = None,
    progress: object = None,
    maps: bool = True,
    reassign: str | None = None,
    store: Store | None = None,
) -> PlanResult:
    """Assign areas, plan every cadre's routes, publish; exit-3 cases write only summary.json.

    A published assignment is locked (一访到底): planning again needs ``reassign`` — the
    reason, which is recorded.
    """
    started = time.perf_counter()
    campaign = read_campaign(campaign_dir)
    out = default_out(campaign_dir, out)
    store = store or campaign_store(campaign_dir)
    campaign_id = store.ensure_campaign(campaign)
    require_reassign_reason(store.is_published(campaign_id), reassign)
    assignment = assign_areas(campaign, seed=seed)
    if not assignment.feasible:
        out.mkdir(parents=True, exist_ok=True)
        summary = infeasible_summary(campaign, assignment)
        write_json(out / "summary.json", summary)
        return PlanResult(campaign, assignment, None, summary, out)
    store.publish_assignment(campaign_id, assignment, reassign)
    plan = _first_routes(store, campaign_id, campaign, assignment, time_limit_s, workers, progress)
    summary = plan_summary(campaign, assignment, plan, solve_seconds=time.perf_counter() - started)
    store.publish_version(campaign_id, plan.version, summary)
    out.mkdir(parents=True, exist_ok=True)
    finish_dates = {
        cp.cadre_id: campaign.settings.date_of(cp.finish_day) if cp.finish_day else None
        for cp in plan.cadre_plans
    }
    write_assignment_csv(out, assignment)
    late = Counter(u.cadre_id for u in plan.unscheduled)
    remarks = {c: f"期限内排不下 {n} 个，见 summary.json" for c, n in late.items()}
    write_attachment2(out, campaign, assignment, finish_dates, remarks=remarks)
    export_version(store, campaign_id, plan.version, out, plan)
    if maps:
        render_maps(store, campaign_id, plan.version, out, offline=maps_offline(campaign_dir))
    return PlanResult(campaign, assignment, plan, summary, out)
