"""What the commands do, end to end: read, solve, write outputs, record in the store."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from optimizer.errors import InvalidInputError, PlanLockedError, ZoufangError
from optimizer.limits import PLAN_TIME_LIMIT_S
from optimizer.model import Assignment, Campaign, Plan, Settings
from optimizer.replan import remaining_problem, target_states
from optimizer.tables import read_campaign
from optimizer.tables.files import write_json
from optimizer.tables.outcomes import read_outcomes
from optimizer.tables.outputs import write_assignment_csv
from optimizer.tables.settings import read_settings
from optimizer.travel import travel_model
from workers import replanning
from workers.broker import in_process
from workers.exports import export_version
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


def default_out(campaign_dir: Path, out: Path | None) -> Path:
    return Path(out) if out else Path(campaign_dir) / "out"


def open_campaign(campaign_dir: Path) -> tuple[Settings, Store, int]:
    """The campaign's settings, its store and its id there (it must have been planned).

    Only ``campaign.toml`` is read: targets and cadres come from the store's snapshot, the
    ones that were planned (re-plan after changing them with ``plan --reassign``)."""
    settings, problems = read_settings(Path(campaign_dir))
    if problems:
        raise InvalidInputError(problems)
    store = Store.for_campaign(campaign_dir)
    campaign_id = store.find_campaign_key(settings)
    if campaign_id is None or store.current_version(campaign_id) is None:
        raise ZoufangError(
            "这个活动还没有发布计划，请先运行 zoufang plan / plan the campaign first"
        )
    return settings, store, campaign_id


def _first_routes(
    store, campaign_id, campaign, assignment, time_limit_s, workers, progress
) -> tuple[Plan, int]:
    """Routes for every cadre from ``today`` on (0 before any outcome), as a new version."""
    from optimizer.planning import solve_all

    outcomes = store.outcomes(campaign_id)
    today = store.last_outcome_day(campaign_id)
    states = target_states(campaign, outcomes)
    model = travel_model(campaign.settings.travel, campaign.folder or None)
    problems = [
        remaining_problem(
            campaign,
            area.cadre_id,
            tuple(
                t for t in area.target_ids if states[t].final is None and not states[t].escalated
            ),
            (),
            outcomes,
            today,
            model,
        )
        for area in assignment.areas
    ]
    plans = solve_all(problems, time_limit_s=time_limit_s, workers=workers, progress=progress)
    version = store.create_version(
        campaign_id, today, None, [a.cadre_id for a in assignment.areas], []
    )
    store.save_cadre_plans(campaign_id, version, plans)
    return Plan(version, tuple(plans), after_day=today), today


def plan_campaign(
    campaign_dir: Path,
    out: Path | None = None,
    *,
    seed: int = 0,
    time_limit_s: float = PLAN_TIME_LIMIT_S,
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
    from optimizer.assign import assign_areas
    from optimizer.summary import infeasible_summary, plan_summary
    from optimizer.tables.attachment2 import write_attachment2
    from optimizer.tables.day_routes import write_day_routes

    started = time.perf_counter()
    campaign = read_campaign(campaign_dir)
    out = default_out(campaign_dir, out)
    store = store or Store.for_campaign(campaign_dir)
    campaign_id = store.ensure_campaign(campaign)
    if store.assignment(campaign_id) is not None and not reassign:
        raise PlanLockedError(
            '分片已发布并锁定（一访到底）。如确需重新分配，请运行 zoufang plan --reassign "原因"；'
            "日常调整请用 zoufang replan / the assignment is published and locked"
        )
    assignment = assign_areas(campaign, seed=seed)
    if not assignment.feasible:
        out.mkdir(parents=True, exist_ok=True)
        summary = infeasible_summary(campaign, assignment)
        write_json(out / "summary.json", summary)
        return PlanResult(campaign, assignment, None, summary, out)
    store.publish_assignment(campaign_id, assignment, reassign)
    plan, _ = _first_routes(
        store, campaign_id, campaign, assignment, time_limit_s, workers, progress
    )
    summary = plan_summary(campaign, assignment, plan, solve_seconds=time.perf_counter() - started)
    store.publish_version(campaign_id, plan.version, summary)
    out.mkdir(parents=True, exist_ok=True)
    finish_dates = {
        cp.cadre_id: campaign.settings.date_of(cp.finish_day) if cp.finish_day else None
        for cp in plan.cadre_plans
    }
    write_assignment_csv(out, assignment)
    write_attachment2(out, campaign, assignment, finish_dates)
    write_day_routes(out, campaign, plan)
    export_version(store, campaign_id, plan.version, out, plan)
    if maps:
        from workers.mapping import render_all

        render_all(store, campaign_id, plan.version, out)
    return PlanResult(campaign, assignment, plan, summary, out)


def record(campaign_dir: Path, outcomes_file: Path) -> tuple[int, int]:
    """Store one file of outcomes: (new rows, rows in the file). Invalid → nothing stored."""
    settings, store, campaign_id = open_campaign(campaign_dir)
    owner = store.owners(campaign_id)
    last_day = max(
        [settings.days, *(followup_last_day(settings, f) for f in store.followups(campaign_id))]
    )
    outcomes = read_outcomes(
        outcomes_file,
        store.load_campaign(campaign_id),
        owner,
        last_day=last_day,
        returnable=store.return_takers(campaign_id),
    )
    batch = hashlib.sha256(Path(outcomes_file).read_bytes()).hexdigest()[:16]
    new = store.record_outcomes(campaign_id, outcomes, owner, batch, settings.ledger_due)
    return new, len(outcomes)


def followup_last_day(settings: Settings, followup: dict) -> int:
    """The campaign day number of a return-visit plan's last day."""
    start = (
        followup["start_date"].date()
        if hasattr(followup["start_date"], "date")
        else followup["start_date"]
    )
    return (start - settings.start_date).days + followup["days"]


def replan(
    campaign_dir: Path,
    out: Path | None = None,
    *,
    day: int | None = None,
    workers: int | None = None,
    progress: object = None,
    maps: bool = True,
) -> dict:
    """Re-plan the remaining days after the last recorded day; returns the new summary, with
    ``timing`` (seconds: begin, workers, publish, export, maps) added."""
    clock = time.perf_counter()
    _, store, campaign_id = open_campaign(campaign_dir)
    job = replanning.begin(store, campaign_id, day)
    timing = {"begin": time.perf_counter() - clock}
    clock = time.perf_counter()
    try:
        if in_process():
            from optimizer.planning import default_workers

            timing["workers"] = replanning.run_local(
                store, job, workers or default_workers(), progress
            )
        else:
            timing["workers"] = replanning.run_on_broker(store, job, progress)
    except BaseException:
        store.release_lock(campaign_id, job.owner)
        raise
    timing["publish"] = time.perf_counter() - clock - timing["workers"]
    clock = time.perf_counter()
    out = default_out(campaign_dir, out)
    summary = export_version(store, campaign_id, job.version, out)
    timing["export"] = time.perf_counter() - clock
    clock = time.perf_counter()
    if maps:
        from workers.mapping import render_changed

        render_changed(store, campaign_id, job.version, out, job.solve)
    timing["maps"] = time.perf_counter() - clock
    return {**summary, "replanned_cadres": len(job.solve), "timing": timing}


def override(campaign_dir: Path, target_id: str, to_cadre: str, reason: str, actor: str) -> str:
    """The one audited way a target changes cadre (e.g. a cadre in hospital)."""
    _, store, campaign_id = open_campaign(campaign_dir)
    stored = store.load_campaign(campaign_id)
    cadres = stored.cadre_index()
    target = stored.target_index().get(target_id)
    if target is None:
        raise ZoufangError(f"没有编号为 {target_id} 的走访对象")
    if to_cadre not in cadres:
        raise ZoufangError(f"没有编号为 {to_cadre} 的走访人员")
    if not cadres[to_cadre].may_visit(target):
        raise ZoufangError(f"{to_cadre} 的走访类型或包村/网格不允许走访 {target_id}")
    if not reason.strip():
        raise ZoufangError("调整必须写明原因 / a reason is required")
    return store.override(campaign_id, target_id, to_cadre, reason.strip(), actor)


def status(campaign_dir: Path) -> dict:
    """Progress by village and by cadre, projected finish, the at-risk list (JSON-ready)."""
    import json
    from collections import defaultdict

    _, store, campaign_id = open_campaign(campaign_dir)
    campaign = store.load_campaign(campaign_id)
    version, after_day = store.current_version(campaign_id)
    plan = store.plan(campaign_id, version)
    summary = json.loads(store.version_info(campaign_id, version)["summary"] or "{}")
    planned = {(s.target_id, r.day): s.arrive_min for r in plan.routes for s in r.stops}
    states = target_states(campaign, store.outcomes(campaign_id), planned)
    owner = store.owners(campaign_id)
    targets = campaign.target_index()
    keys = ("total", "done", "pending", "not_home", "escalated")
    by_village: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
    by_cadre: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
    for tid, s in states.items():
        key = (
            "done"
            if s.final
            else "escalated"
            if s.escalated
            else "not_home"
            if s.attempts
            else "pending"
        )
        for group in (by_village[targets[tid].village], by_cadre[owner[tid]]):
            group[key] += 1
            group["total"] += 1
    finish = {cp.cadre_id: cp.finish_day for cp in plan.cadre_plans}
    return {
        "campaign": campaign.settings.name,
        "plan_version": version,
        "after_day": after_day,
        "coverage": replanning.campaign_progress(
            campaign, store.outcomes(campaign_id), planned
        ).coverage,
        "by_village": {v: dict(c) for v, c in sorted(by_village.items())},
        "by_cadre": {
            c: {**dict(n), "projected_finish_day": finish.get(c, 0)}
            for c, n in sorted(by_cadre.items())
        },
        "at_risk": summary.get("at_risk", []),
        "escalated": summary.get("escalated", []),
    }
