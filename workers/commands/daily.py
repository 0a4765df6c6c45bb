"""The daily loop: ``record`` a day's outcomes, ``replan`` the night, ``status``, ``override``."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from optimizer.domain.defaults import default_workers
from optimizer.domain.errors import InputProblem, InvalidInputError, ZoufangError
from optimizer.domain.pairing import check_override
from optimizer.domain.privacy import mask_name
from optimizer.domain.revisits import planned_times, target_states
from optimizer.inputs import read_outcome_rows
from optimizer.reports.status import (
    campaign_progress,
    finish_states,
    progress_tables,
    silent_cadres,
)
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
from workers.errors import RecordConflict, ReplanHeld
from workers.store import Store
from workers.store.records import HELD
from workers.tasks import steps
from workers.tasks.config import current
from workers.tasks.lease import campaign_lock


def next_night(store, campaign_id: int, after_day: int, days: int) -> int:
    """The latest campaign day an outcomes file may record tonight: the day after the later
    of the plan's start and the last night recorded (a day further ahead has not happened)."""
    return min(days, max(after_day, store.last_night(campaign_id)) + 1)


def record(
    campaign_dir: Path,
    outcomes_file: Path,
    day: int | None = None,
    *,
    replace: str | None = None,
    actor: str = "",
) -> tuple[int, int]:
    """Store one file of outcomes: (new or corrected rows, rows in the file). Invalid → nothing
    stored.

    The file records one night: ``day`` (``--day``), else its latest campaign day. A row of a
    campaign visit for a later day than that night may be (the next one to record, or ``day``)
    is refused with its row; return visits (rows with 满意) keep to the return-visit plans'
    days and never say which night it is. A file that changes what is recorded for a
    (target, day) is refused with the differences (exit 2) unless ``replace`` gives the
    reason (audited, by ``actor``).
    """
    check_option_text("--replace", replace)
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
    rows = read_outcome_rows(
        outcomes_file,
        store.load_campaign(campaign_id),
        owner,
        last_day=latest,
        return_last_day=returns_last,
        returnable=store.return_takers(campaign_id),
    )
    outcomes = [o for _, o in rows]
    visits = [o.day for o in outcomes if not o.return_visit]
    night = day or (max(visits) if visits else None)
    batch = hashlib.sha256(Path(outcomes_file).read_bytes()).hexdigest()[:16]
    try:
        new = store.record_outcomes(
            campaign_id,
            outcomes,
            owner,
            batch,
            settings.ledger_due,
            replace=replace,
            actor=actor,
            night=night,
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
    force: bool = False,
    from_version: int | None = None,
    actor: str = "",
) -> dict:
    """Re-plan the remaining days after tonight's night (``day``, else the last night
    recorded); returns the new summary, with ``timing`` (seconds: begin, workers, publish,
    export, maps) added.

    ``from_version``: roll back to that version first (audited), then re-plan from it. A
    version that would drop scheduled work for many cadres is held, not published
    (``ReplanHeld``), unless ``force``. The campaign's lock is held throughout (renewed,
    released however this ends); a re-plan that fails before publishing abandons its
    version, so a late worker cannot publish it.
    """
    if from_version is not None:
        restore(campaign_dir, from_version, actor, "重排前回退", out, maps=False)
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
                    store,
                    job,
                    config.replan_time_limit_s,
                    workers or default_workers(),
                    progress,
                    force=force,
                )
        except BaseException:
            store.abandon_version(campaign_id, job.version)
            raise
        _decide_held(store, job, force)  # a held version stays, to be forced or replaced
        timing["publish"] = time.perf_counter() - clock - timing["workers"]
        clock = time.perf_counter()
        out = default_out(campaign_dir, out)
        try:
            summary = export_version(store, campaign_id, job.version, out)
            timing["export"] = time.perf_counter() - clock
            clock = time.perf_counter()
            if maps:
                _render(campaign_dir, store, campaign_id, job.version, out, job.solve, workers)
            write_summary(store, campaign_id, job.version, out)
        except OSError as e:
            raise output_error(e, job.version) from e
        timing["maps"] = time.perf_counter() - clock
        names = short_cadre_names(store, campaign_id, summary)
    return {**summary, "replanned_cadres": len(job.solve), "timing": timing, "cadre_names": names}


def short_cadre_names(store: Store, campaign_id: int, summary: dict) -> dict[str, str]:
    """Masked names (张*明) of the cadres short of retry slack, for the command's lines."""
    slack = summary.get("retry_slack") or {}
    short = [c["cadre_id"] for c in slack.get("cadres", []) if not c["kept"]]
    if not short:
        return {}
    cadres = store.load_campaign(campaign_id).cadre_index()
    return {c: mask_name(cadres[c].name) for c in short if c in cadres}


def _render(campaign_dir, store, campaign_id, version, out, cadre_ids=None, workers=None):
    """The maps of a version (folium is imported only when drawing)."""
    from workers.commands.maps import maps_offline, render_maps

    render_maps(
        store,
        campaign_id,
        version,
        out,
        list(cadre_ids) if cadre_ids is not None else None,
        offline=maps_offline(campaign_dir),
        workers=workers,
    )


def export(campaign_dir: Path, out: Path | None = None, *, maps: bool = True, workers=None):
    """``zoufang export``: every output file again, from the store (under the lock, so no
    re-plan writes the same files meanwhile). Returns (version, what was written)."""
    settings, store, campaign_id = open_campaign(campaign_dir)
    with campaign_lock(store, campaign_id, "export"):
        version, _ = store.current_version(campaign_id)
        written = export_campaign(
            store,
            campaign_id,
            default_out(campaign_dir, out),
            maps=maps,
            workers=workers,
            options=settings.maps,  # as plan, replan and followup draw them: today's [maps]
        )
    return version, written


def unlock(campaign_dir: Path, actor: str, reason: str) -> str | None:
    """Remove the campaign's lock by hand (audited); returns who held it, or None."""
    if not reason.strip():
        raise ZoufangError("解除锁定需要说明原因（--reason）")
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
    with campaign_lock(store, campaign_id, "restore"):
        withdrawn = store.restore_version(campaign_id, version, actor, reason)
        out = default_out(campaign_dir, out)
        summary = export_version(store, campaign_id, version, out)
        if maps:
            _render(campaign_dir, store, campaign_id, version, out)
        write_summary(store, campaign_id, version, out)
    return {**summary, "withdrawn": withdrawn}


def override(campaign_dir: Path, target_id: str, to_cadre: str, reason: str, actor: str) -> str:
    """The one audited way a target changes cadre (e.g. a cadre in hospital)."""
    check_option_text("--reason", reason)
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
    """The night's messages through Redis (the broker is built here, at the edge), once a
    worker is there to answer: none within ``worker_wait_s`` ends the re-plan at once."""
    # Dramatiq and Redis (0.25 s to import) only with a broker: not in the local path.
    from workers.tasks.broker import make_broker
    from workers.tasks.dispatch import any_worker, run_on_broker, wait_for_a_worker

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
