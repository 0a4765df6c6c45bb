"""The daily loop: ``record`` a day's outcomes, ``replan`` the night, ``status``, ``override``."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from optimizer.domain.pairing import check_override
from optimizer.domain.revisits import planned_times, target_states
from optimizer.inputs import read_outcomes
from optimizer.reports.status import campaign_progress, progress_tables
from optimizer.route.parallel import default_workers
from workers.commands.campaign import default_out, followup_last_day, open_campaign
from workers.commands.exports import export_version
from workers.commands.maps import render_maps
from workers.tasks import steps
from workers.tasks.broker import make_broker
from workers.tasks.config import current
from workers.tasks.dispatch import run_on_broker


def record(campaign_dir: Path, outcomes_file: Path) -> tuple[int, int]:
    """Store one file of outcomes: (new rows, rows in the file). Invalid → nothing stored."""
    settings, store, campaign_id = open_campaign(campaign_dir)
    owner = store.owners(campaign_id)
    last_day = max(
        [
            settings.days,
            *(
                followup_last_day(settings, f.start_date, f.days)
                for f in store.followups(campaign_id)
            ),
        ]
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
    job = steps.begin(store, campaign_id, day)
    timing = {"begin": time.perf_counter() - clock}
    clock = time.perf_counter()
    config = current()
    try:
        if config.broker_url:
            timing["workers"] = _on_broker(store, job, progress)
        else:
            timing["workers"] = steps.run_local(
                store, job, config.replan_time_limit_s, workers or default_workers(), progress
            )
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
        render_maps(store, campaign_id, job.version, out, list(job.solve))
    timing["maps"] = time.perf_counter() - clock
    return {**summary, "replanned_cadres": len(job.solve), "timing": timing}


def override(campaign_dir: Path, target_id: str, to_cadre: str, reason: str, actor: str) -> str:
    """The one audited way a target changes cadre (e.g. a cadre in hospital)."""
    _, store, campaign_id = open_campaign(campaign_dir)
    stored = store.load_campaign(campaign_id)
    cadre = stored.cadre_index().get(to_cadre)
    check_override(cadre, stored.target_index().get(target_id), reason)
    return store.override(campaign_id, target_id, to_cadre, reason.strip(), actor)


def status(campaign_dir: Path) -> dict:
    """Progress by village and by cadre, projected finish, the at-risk list (JSON-ready)."""
    _, store, campaign_id = open_campaign(campaign_dir)
    campaign = store.load_campaign(campaign_id)
    version, after_day = store.current_version(campaign_id)
    plan = store.plan(campaign_id, version)
    summary = json.loads(store.version_info(campaign_id, version).summary or "{}")
    outcomes = store.outcomes(campaign_id)
    states = target_states(campaign, outcomes, planned_times(plan.routes))
    by_village, by_cadre = progress_tables(campaign, states, store.owners(campaign_id))
    finish = {cp.cadre_id: cp.finish_day for cp in plan.cadre_plans}
    return {
        "campaign": campaign.settings.name,
        "plan_version": version,
        "after_day": after_day,
        "coverage": campaign_progress(campaign, states).coverage,
        "by_village": by_village,
        "by_cadre": {
            c: {**n, "projected_finish_day": finish.get(c, 0)} for c, n in by_cadre.items()
        },
        "at_risk": summary.get("at_risk", []),
        "escalated": summary.get("escalated", []),
    }


def _on_broker(store, job, progress) -> float:
    """The night's messages through Redis (the broker is built here, at the edge)."""
    config = current()
    broker = make_broker(config)
    try:
        return run_on_broker(broker, store, job, stall_s=config.stall_s, progress=progress)
    finally:
        broker.close()
