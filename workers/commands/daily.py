"""The daily loop: ``record`` a day's outcomes, ``replan`` the night, ``status``, ``override``."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from optimizer.domain.errors import InputProblem, InvalidInputError
from optimizer.domain.pairing import check_override
from optimizer.domain.revisits import planned_times, target_states
from optimizer.inputs import read_outcomes
from optimizer.reports.status import (
    campaign_progress,
    finish_states,
    progress_tables,
    silent_cadres,
)
from optimizer.route.parallel import default_workers
from workers.commands.campaign import default_out, followup_last_day, open_campaign
from workers.commands.exports import export_version
from workers.commands.maps import maps_offline, render_maps
from workers.errors import ReplanHeld
from workers.store.records import HELD
from workers.tasks import steps
from workers.tasks.broker import make_broker
from workers.tasks.config import current
from workers.tasks.dispatch import run_on_broker


def next_night(store, campaign_id: int, after_day: int, days: int) -> int:
    """The latest campaign day an outcomes file may record tonight: the day after the later
    of the plan's start and the last night recorded (a day further ahead has not happened)."""
    return min(days, max(after_day, store.last_night(campaign_id)) + 1)


def record(campaign_dir: Path, outcomes_file: Path, day: int | None = None) -> tuple[int, int]:
    """Store one file of outcomes: (new rows, rows in the file). Invalid → nothing stored.

    The file records one night: ``day`` (``--day``), else its latest campaign day. A row of a
    campaign visit for a later day than that night may be (the next one to record, or ``day``)
    is refused with its row; return visits (rows with 满意) keep to the return-visit plans'
    days and never say which night it is.
    """
    settings, store, campaign_id = open_campaign(campaign_dir)
    if day is not None and not 1 <= day <= settings.days:
        raise InvalidInputError(
            [InputProblem("--day", None, None, f"第 {day} 天不在活动期内", f"1 到 {settings.days}")]
        )
    owner = store.owners(campaign_id)
    _, after_day = store.current_version(campaign_id)
    latest = day or next_night(store, campaign_id, after_day, settings.days)
    returns_last = max(
        [
            0,
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
        last_day=latest,
        return_last_day=returns_last,
        returnable=store.return_takers(campaign_id),
    )
    visits = [o.day for o in outcomes if not o.return_visit]
    night = day or (max(visits) if visits else None)
    batch = hashlib.sha256(Path(outcomes_file).read_bytes()).hexdigest()[:16]
    new = store.record_outcomes(
        campaign_id, outcomes, owner, batch, settings.ledger_due, night=night
    )
    return new, len(outcomes)


def replan(
    campaign_dir: Path,
    out: Path | None = None,
    *,
    day: int | None = None,
    workers: int | None = None,
    progress: object = None,
    maps: bool = True,
    force: bool = False,
    from_version: int | None = None,
    actor: str = "",
) -> dict:
    """Re-plan the remaining days after tonight's night (``day``, else the last night
    recorded); returns the new summary, with ``timing`` (seconds: begin, workers, publish,
    export, maps) added.

    ``from_version``: roll back to that version first (audited), then re-plan from it. A
    version that would drop scheduled work for many cadres is held, not published
    (``ReplanHeld``), unless ``force``.
    """
    if from_version is not None:
        restore(campaign_dir, from_version, actor, "重排前回退", out, maps=False)
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
                store,
                job,
                config.replan_time_limit_s,
                workers or default_workers(),
                progress,
                force=force,
            )
        _decide_held(store, job, force)
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
        render_maps(
            store,
            campaign_id,
            job.version,
            out,
            list(job.solve),
            offline=maps_offline(campaign_dir),
        )
    timing["maps"] = time.perf_counter() - clock
    return {**summary, "replanned_cadres": len(job.solve), "timing": timing}


def _decide_held(store, job, force: bool) -> None:
    """A version the guard held: published after all with ``force``, else refused."""
    info = store.version_info(job.campaign_id, job.version)
    if info.status != HELD:
        return
    if force:
        steps.finish(store, job.campaign_id, job.version, force=True)
        return
    guard = json.loads(info.summary)["guard"]
    raise ReplanHeld(held_message(guard, job.version), job.version, guard)


def held_message(guard: dict, version: int) -> str:
    worst = sorted(guard["dropped"].items(), key=lambda kv: (-len(kv[1]), kv[0]))[:3]
    names = "、".join(f"{c}（{len(ids)} 个）" for c, ids in worst)
    return (
        f"未发布：按第 {guard['today']} 天重排，{guard['cadres']} 名人员（共 "
        f"{guard['cadres_with_work']} 名有任务）已排定的 {guard['targets']} 个对象将排不进剩余"
        f"天数，如 {names}。多半是“天”填错了，或把回访当成了活动日。请核对今晚的结果文件或用 "
        f"--day 指定；确认无误请加 --force（第 {version} 版已保留，未启用）。"
    )


def restore(
    campaign_dir: Path,
    version: int,
    actor: str,
    reason: str,
    out: Path | None = None,
    *,
    maps: bool = True,
) -> dict:
    """Make an earlier published version current again, exactly as it was (its routes.csv,
    summary, day sheets and maps); the versions after it are withdrawn, never deleted."""
    _, store, campaign_id = open_campaign(campaign_dir)
    withdrawn = store.restore_version(campaign_id, version, actor, reason)
    out = default_out(campaign_dir, out)
    summary = export_version(store, campaign_id, version, out)
    if maps:
        render_maps(store, campaign_id, version, out, offline=maps_offline(campaign_dir))
    return {**summary, "withdrawn": withdrawn}


def override(campaign_dir: Path, target_id: str, to_cadre: str, reason: str, actor: str) -> str:
    """The one audited way a target changes cadre (e.g. a cadre in hospital)."""
    _, store, campaign_id = open_campaign(campaign_dir)
    stored = store.load_campaign(campaign_id)
    cadre = stored.cadre_index().get(to_cadre)
    check_override(cadre, stored.target_index().get(target_id), reason)
    return store.override(campaign_id, target_id, to_cadre, reason.strip(), actor)


def status(campaign_dir: Path) -> dict:
    """Progress by village and by cadre, an honest finish per cadre, the at-risk list, and the
    cadres who reported nothing, by day (JSON-ready; names masked)."""
    _, store, campaign_id = open_campaign(campaign_dir)
    campaign = store.load_campaign(campaign_id)
    version, after_day = store.current_version(campaign_id)
    plan = store.plan(campaign_id, version)
    summary = json.loads(store.version_info(campaign_id, version).summary or "{}")
    outcomes = store.outcomes(campaign_id)
    owner = store.owners(campaign_id)
    states = target_states(campaign, outcomes, planned_times(plan.routes))
    by_village, by_cadre = progress_tables(campaign, states, owner)
    finish = finish_states([c.id for c in campaign.cadres], plan, by_cadre)
    last = store.last_night(campaign_id)
    silent = silent_cadres(campaign, store.planned_by_day(campaign_id, last), outcomes, owner)
    quiet_days: dict[str, list[int]] = {}
    for night in silent:
        for c in night["cadres"]:
            quiet_days.setdefault(c["cadre_id"], []).append(night["day"])
    return {
        "campaign": campaign.settings.name,
        "plan_version": version,
        "after_day": after_day,
        "last_night": last,
        "coverage": campaign_progress(campaign, states).coverage,
        "by_village": by_village,
        "by_cadre": {
            c: {
                **n,
                "projected_finish_day": finish[c]["day"],
                "finish": finish[c],
                "silent_days": quiet_days.get(c, []),
            }
            for c, n in by_cadre.items()
        },
        "at_risk": summary.get("at_risk", []),
        "escalated": summary.get("escalated", []),
        "silent": silent,
    }


def _on_broker(store, job, progress) -> float:
    """The night's messages through Redis (the broker is built here, at the edge)."""
    config = current()
    broker = make_broker(config)
    try:
        return run_on_broker(broker, store, job, stall_s=config.stall_s, progress=progress)
    finally:
        broker.close()
