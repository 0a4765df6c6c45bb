"""``zoufang plan``: assign areas, plan every cadre's days, publish, write the outputs."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path

from optimizer.domain import defaults
from optimizer.domain.model import Assignment, Campaign, Plan
from optimizer.domain.pairing import require_reassign_reason
from optimizer.domain.revisits import target_states
from optimizer.inputs import read_campaign
from optimizer.outputs.files import write_json
from workers.commands.campaign import campaign_store, default_out
from workers.commands.exports import (
    export_version,
    output_error,
    write_assignment_files,
    write_summary,
)
from workers.store import Store
from workers.tasks.lease import campaign_lock


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


def _first_routes(
    store, campaign_id, campaign, assignment, outcomes, time_limit_s, workers, progress
):
    """Routes for every cadre from ``today`` (the last night recorded, 0 before any)."""
    from optimizer.replan import plan_routes

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
    return Plan(0, plan.cadre_plans, after_day=today)


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
    reason, which is recorded. The campaign's lock is held throughout; the assignment, its
    routes and the campaign's snapshot are published in one transaction, and the files are
    written after it (``exports``): a plan killed at any point leaves nothing or a published
    plan whose files ``zoufang export`` writes.
    """
    started = time.perf_counter()
    campaign = read_campaign(campaign_dir)
    # The solvers are imported once the inputs are read: a refused file is refused fast.
    from optimizer.assign.solve import assign_areas
    from optimizer.reports.summary import infeasible_summary, plan_summary

    out = default_out(campaign_dir, out)
    store = store or campaign_store(campaign_dir)
    campaign_id = store.campaign_id_for(campaign)
    with campaign_lock(store, campaign_id, "plan"):
        require_reassign_reason(store.is_published(campaign_id), reassign)
        assignment = assign_areas(campaign, seed=seed)
        if not assignment.feasible:
            out.mkdir(parents=True, exist_ok=True)
            summary = infeasible_summary(campaign, assignment)
            write_json(out / "summary.json", summary)
            return PlanResult(campaign, assignment, None, summary, out)
        outcomes = store.outcomes(campaign_id)
        draft = _first_routes(
            store, campaign_id, campaign, assignment, outcomes, time_limit_s, workers, progress
        )
        # A plan made after nights were recorded: retries have fewer attempts left.
        states = target_states(campaign, outcomes) if outcomes else {}
        attempts = {t: s.attempts for t, s in states.items()}

        def summary_of(version: int) -> dict:
            plan = replace(draft, version=version)
            return plan_summary(
                campaign,
                assignment,
                plan,
                solve_seconds=time.perf_counter() - started,
                attempts=attempts,
            )

        version = store.publish_plan(
            campaign_id,
            campaign,
            assignment,
            reassign,
            draft.after_day,
            list(draft.cadre_plans),
            summary_of,
        )
        # The assignment and the stops were just written in bulk: the reads that follow (the
        # field app's owners of a sync's targets, the re-plans) are planned on statistics, not
        # on guesses for tables PostgreSQL has not analysed yet (autovacuum may be off, or
        # not yet round).
        store.analyze()
        plan = replace(draft, version=version)
        summary = json.loads(store.version_info(campaign_id, version).summary)
        try:
            write_assignment_files(store, campaign_id, out)
            export_version(store, campaign_id, version, out, plan)
            if maps:
                from workers.commands.maps import maps_offline, render_maps  # folium: drawing

                offline = maps_offline(campaign_dir)
                render_maps(store, campaign_id, version, out, workers=workers, offline=offline)
            write_summary(store, campaign_id, version, out)
        except OSError as e:
            raise output_error(e, version) from e
    return PlanResult(campaign, assignment, plan, summary, out)
