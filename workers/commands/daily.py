"""The daily loop: ``record`` a day's outcomes, ``replan`` the night, ``status``, ``override``."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from optimizer.domain.errors import InputProblem, InvalidInputError, ZoufangError
from optimizer.domain.pairing import check_override
from optimizer.domain.revisits import planned_times, target_states
from optimizer.inputs import read_outcome_rows
from optimizer.reports.status import campaign_progress, progress_tables
from optimizer.route.parallel import default_workers
from workers.commands.campaign import (
    check_option_text,
    default_out,
    followup_last_day,
    open_campaign,
)
from workers.commands.exports import (
    export_campaign,
    export_version,
    output_error,
    stale_outputs,
    write_summary,
)
from workers.errors import RecordConflict
from workers.tasks import steps
from workers.tasks.broker import make_broker
from workers.tasks.config import current
from workers.tasks.dispatch import any_worker, run_on_broker, wait_for_a_worker
from workers.tasks.lease import campaign_lock


def record(
    campaign_dir: Path, outcomes_file: Path, *, replace: str | None = None, actor: str = ""
) -> tuple[int, int]:
    """Store one file of outcomes: (new or corrected rows, rows in the file). Invalid → nothing
    stored. A file that changes what is recorded for a (target, day) is refused with the
    differences (exit 2) unless ``replace`` gives the reason (audited, by ``actor``)."""
    check_option_text("--replace", replace)
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
    rows = read_outcome_rows(
        outcomes_file,
        store.load_campaign(campaign_id),
        owner,
        last_day=last_day,
        returnable=store.return_takers(campaign_id),
    )
    outcomes = [o for _, o in rows]
    batch = hashlib.sha256(Path(outcomes_file).read_bytes()).hexdigest()[:16]
    try:
        new = store.record_outcomes(
            campaign_id, outcomes, owner, batch, settings.ledger_due, replace=replace, actor=actor
        )
    except RecordConflict as conflict:
        raise InvalidInputError(
            conflict_problems(conflict, Path(outcomes_file).name, [r for r, _ in rows])
        ) from None
    return new, len(outcomes)


def conflict_problems(conflict: RecordConflict, file: str, rows: list[int]) -> list[InputProblem]:
    """One problem per changed (target, day), at the file's first row of it."""
    problems = []
    for i, change in enumerate(conflict.changes):
        row = rows[change.rows[0]]
        message = f"对象 {change.target_id} 第 {change.day} 天{change.describe()}"
        if i in conflict.refusals:
            expected = conflict.refusals[i]
        else:
            expected = "确认是更正时加 --replace 原因（记入审计记录），否则删去这些行"
        problems.append(InputProblem(file, row, None, message, expected))
    return problems


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
    ``timing`` (seconds: begin, workers, publish, export, maps) added.

    The campaign's lock is held throughout (renewed, released however this ends); a re-plan
    that fails before publishing abandons its version, so a late worker cannot publish it."""
    clock = time.perf_counter()
    _, store, campaign_id = open_campaign(campaign_dir)
    with campaign_lock(store, campaign_id, "replan") as token:
        job = steps.begin(store, campaign_id, day, owner=token)
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
            store.abandon_version(campaign_id, job.version)
            raise
        timing["publish"] = time.perf_counter() - clock - timing["workers"]
        clock = time.perf_counter()
        out = default_out(campaign_dir, out)
        try:
            summary = export_version(store, campaign_id, job.version, out)
            timing["export"] = time.perf_counter() - clock
            clock = time.perf_counter()
            if maps:
                from workers.commands.maps import render_maps  # folium: only when drawing

                render_maps(store, campaign_id, job.version, out, list(job.solve), workers=workers)
            write_summary(store, campaign_id, job.version, out)
        except OSError as e:
            raise output_error(e, job.version) from e
        timing["maps"] = time.perf_counter() - clock
    return {**summary, "replanned_cadres": len(job.solve), "timing": timing}


def export(campaign_dir: Path, out: Path | None = None, *, maps: bool = True, workers=None):
    """``zoufang export``: every output file again, from the store (under the lock, so no
    re-plan writes the same files meanwhile). Returns (version, what was written)."""
    _, store, campaign_id = open_campaign(campaign_dir)
    with campaign_lock(store, campaign_id, "export"):
        version, _ = store.current_version(campaign_id)
        written = export_campaign(
            store, campaign_id, default_out(campaign_dir, out), maps=maps, workers=workers
        )
    return version, written


def unlock(campaign_dir: Path, actor: str, reason: str) -> str | None:
    """Remove the campaign's lock by hand (audited); returns who held it, or None."""
    if not reason.strip():
        raise ZoufangError("解除锁定需要说明原因（--reason）/ a reason is required")
    check_option_text("--reason", reason)
    _, store, campaign_id = open_campaign(campaign_dir)
    holder = store.force_unlock(campaign_id, actor, reason.strip())
    if holder is None:
        return None
    state = "仍在运行" if holder.alive() else "已不在运行"
    return f"{holder.describe()}（{state}）"


def outputs_notice(campaign_dir: Path, out: Path | None = None) -> str | None:
    """A warning when the campaign's files lag its store (see ``exports.stale_outputs``)."""
    _, store, campaign_id = open_campaign(campaign_dir)
    return stale_outputs(store, campaign_id, default_out(campaign_dir, out))


def override(campaign_dir: Path, target_id: str, to_cadre: str, reason: str, actor: str) -> str:
    """The one audited way a target changes cadre (e.g. a cadre in hospital)."""
    check_option_text("--reason", reason)
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
    """The night's messages through Redis (the broker is built here, at the edge), once a
    worker is there to answer: none within ``worker_wait_s`` ends the re-plan at once."""
    config = current()
    broker = make_broker(config)
    try:
        wait_for_a_worker(broker.client, config.worker_wait_s)
        return run_on_broker(
            broker,
            store,
            job,
            stall_s=config.stall_s,
            progress=progress,
            workers_alive=lambda: any_worker(broker.client),
            no_worker_s=max(60.0, 4 * config.worker_wait_s),
        )
    finally:
        broker.close()
