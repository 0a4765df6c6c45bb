"""The night's re-plan as three idempotent steps: begin, one solve per changed cadre, finish.

The same steps run in-process (``run_local``: a pool of processes) or as Dramatiq actors
(``actors``, sent by ``dispatch``). No Dramatiq here. A cadre's result is keyed by (campaign,
version, cadre) and a version is published once, so a step run twice changes nothing.
"""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from optimizer.domain.errors import ZoufangError
from optimizer.domain.revisits import planned_times, target_states
from optimizer.replan.guard import guard_findings
from optimizer.replan.steps import cadre_days, pending_targets, remaining_problem
from optimizer.reports.status import campaign_progress
from optimizer.reports.summary import FIGURE_KEYS, plan_summary
from optimizer.travel import travel_model
from workers.errors import CampaignLockedError
from workers.store import Store
from workers.store.records import HELD, VersionInfo
from workers.tasks.lease import locked_message


@dataclass(frozen=True, slots=True)
class Job:
    campaign_id: int
    version: int
    today: int
    solve: tuple[str, ...]
    carry: tuple[str, ...]
    owner: str


def begin(
    store: Store, campaign_id: int, today: int | None = None, owner: str | None = None
) -> Job:
    """Lock the campaign and open the next version: changed cadres to solve, the rest carried.

    ``owner``: the token of the lock the caller holds already (``lease.campaign_lock``), which
    this renews; without one a new lock is taken, which the caller releases
    (``store.release_lock(campaign_id, job.owner)``)."""
    owner = owner or uuid.uuid4().hex
    if not store.acquire_lock(campaign_id, owner, "replan"):
        raise CampaignLockedError(locked_message(store, campaign_id))
    try:
        current = store.current_version(campaign_id)
        if current is None:
            raise ZoufangError("还没有发布的计划，请先运行 zoufang plan")
        base, after = current
        today = store.last_night(campaign_id) if today is None else today
        if today < after:
            raise ZoufangError(f"第 {today} 天早于当前计划的起点（第 {after} 天之后）")
        campaign = store.load_campaign(campaign_id)
        days = cadre_days(
            campaign,
            store.assignment(campaign_id),
            store.plan(campaign_id, base),
            store.outcomes(campaign_id),
            today,
        )
        solve = tuple(d.cadre_id for d in days if d.changed)
        carry = tuple(d.cadre_id for d in days if not d.changed)
        version = store.create_version(campaign_id, today, base, list(solve), list(carry))
        store.analyze()  # the day's outcomes and the carried stops are in: plan the reads
    except BaseException:
        store.release_lock(campaign_id, owner)
        raise
    return Job(campaign_id, version, today, solve, carry, owner)


def solve_one(
    store: Store, campaign_id: int, cadre_id: str, version: int, time_limit_s: float
) -> bool:
    """Solve one cadre's remaining days for ``version``; False if it was already done."""
    # OR-Tools (0.2 s to import) only where cadres are solved: not in the command that begins.
    from optimizer.route.parallel import solve_cadre

    job = store.cadre_job(campaign_id, version, cadre_id)
    if job is None:
        return False
    campaign = store.load_campaign(campaign_id, job.snapshot)
    states = target_states(campaign, job.outcomes, planned_times(job.routes), set(job.area))
    model = travel_model(campaign.settings.travel, campaign.folder or None)
    problem = remaining_problem(
        campaign,
        cadre_id,
        pending_targets(job.area, states),
        job.routes,
        job.outcomes,
        job.after_day,
        model,
    )
    return store.save_cadre_plan(campaign_id, version, solve_cadre(problem, time_limit_s))


def finish(store: Store, campaign_id: int, version: int, force: bool = False) -> bool:
    """Publish a complete version with the town summary; True only for the call that did it.

    The re-plan guard (``optimizer.replan.guard``) holds a version that would drop scheduled
    work for many cadres: it is kept, unpublished and with the lock still taken, for the
    coordinator to confirm (``force``: publish it as it is) or drop.
    """
    info = store.version_info(campaign_id, version)
    if info is None or info.published:
        return False
    if info.status == HELD:
        if not force:
            return False
        summary = {**json.loads(info.summary or "{}"), "forced": True}
        return store.publish_held(campaign_id, version, summary)
    if not store.is_complete(campaign_id, version):
        return False
    started = time.perf_counter()
    campaign = store.load_campaign(campaign_id)
    plan = store.plan(campaign_id, version)
    # Counts, coverage and the guard need no retry windows, so no planned times either.
    states = target_states(campaign, store.outcomes(campaign_id))
    progress = campaign_progress(campaign, states)
    solve_seconds = sum(cp.solve_seconds for cp in plan.cadre_plans) + time.perf_counter() - started
    summary = plan_summary(
        campaign,
        store.assignment(campaign_id),
        plan,
        solve_seconds=solve_seconds,
        progress=progress,
        figures=_unchanged_figures(store, campaign_id, info),
        attempts={t: s.attempts for t, s in states.items()},
    )
    guard = None
    if info.base_version:
        base = store.plan(campaign_id, info.base_version)
        guard = guard_findings(base, plan, states, info.after_day)
    if guard and not force:
        store.hold_version(campaign_id, version, {**summary, "guard": guard})
        return False
    # The lock stays with whoever took it (the coordinator, which still writes the files).
    return store.publish_version(
        campaign_id, version, {**summary, "forced": True} if guard else summary
    )


def _unchanged_figures(store: Store, campaign_id: int, info: VersionInfo) -> dict | None:
    """The base version's balance figures, if no override changed the assignment since."""
    base = store.version_info(campaign_id, info.base_version) if info.base_version else None
    if base is None or not base.summary:
        return None
    if any(o.at >= base.created_at for o in store.overrides(campaign_id)):
        return None
    previous = json.loads(base.summary)
    if not all(k in previous for k in FIGURE_KEYS):
        return None
    return {k: previous[k] for k in FIGURE_KEYS}


def _solve_in_child(args: tuple[str, int, str, int, float]) -> bool:
    url, campaign_id, cadre_id, version, time_limit_s = args
    store = Store.shared(url, recomputable=True)
    return solve_one(store, campaign_id, cadre_id, version, time_limit_s)


def run_local(
    store: Store,
    job: Job,
    time_limit_s: float,
    workers: int = 1,
    progress=None,
    *,
    force: bool = False,
) -> float:
    """In-process: the actors' steps on a pool of processes (no server needed); returns the
    seconds the solves took."""
    started = time.perf_counter()
    args = [(store.url, job.campaign_id, c, job.version, time_limit_s) for c in job.solve]
    if workers > 1 and len(args) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for done, _ in enumerate(pool.map(_solve_in_child, args, chunksize=4), start=1):
                if progress:
                    progress(done, len(args))
    else:
        for done, a in enumerate(args, start=1):
            _solve_in_child(a)
            if progress:
                progress(done, len(args))
    workers_s = time.perf_counter() - started
    finish(store, job.campaign_id, job.version, force)
    return workers_s
