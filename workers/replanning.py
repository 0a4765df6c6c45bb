"""The night's re-plan: begin (lock, new version), one solve per changed cadre, finish.

The same three steps run in-process (a pool of worker processes) or through Dramatiq actors on
Redis. Each step is idempotent: a cadre's result is keyed by (campaign, version, cadre) and a
version is published once.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from optimizer.errors import ConcurrentReplanError, ZoufangError
from optimizer.model import OutcomeStatus
from optimizer.replan import cadre_days, coverage, remaining_problem, target_states
from optimizer.travel import travel_model
from workers.store import Store

# The coordinator only enqueues and waits; solving (OR-Tools) and the town summary are
# imported where they run, so `zoufang replan` starts quickly.

#: Seconds per changed cadre at night, model and search: the announced plan is the warm
#: start, so the solver mostly inserts retries; far below the broker's heartbeat window.
REPLAN_TIME_LIMIT_S = float(os.environ.get("ZOUFANG_REPLAN_TIME_LIMIT", "0.02"))
# No progress this long: re-send the missing messages (a restarted Redis forgets its queues).
STALL_S = float(os.environ.get("ZOUFANG_STALL_S", "30"))


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
    """Lock the campaign and open the next version: changed cadres to solve, the rest carried."""
    owner = owner or uuid.uuid4().hex
    if not store.acquire_lock(campaign_id, owner):
        raise ConcurrentReplanError(
            f"本活动另一次重排正在进行（{store.lock_owner(campaign_id)}）"
            " / another re-plan is running"
        )
    try:
        current = store.current_version(campaign_id)
        if current is None:
            raise ZoufangError("还没有发布的计划，请先运行 zoufang plan / no published plan yet")
        base, after = current
        today = store.last_outcome_day(campaign_id) if today is None else today
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


def solve_one(store: Store, campaign_id: int, cadre_id: str, version: int) -> bool:
    """Solve one cadre's remaining days for ``version``; False if it was already done."""
    job = store.cadre_job(campaign_id, version, cadre_id)
    if job is None:
        return False
    info, area, routes = job["info"], job["area"], job["routes"]
    campaign = store.load_campaign(campaign_id, job["snapshot"])
    outcomes = job["outcomes"]
    planned = {(s.target_id, r.day): s.arrive_min for r in routes for s in r.stops}
    states = target_states(campaign, outcomes, planned, set(area))
    pending = tuple(t for t in area if states[t].final is None and not states[t].escalated)
    model = travel_model(campaign.settings.travel, campaign.folder or None)
    problem = remaining_problem(
        campaign, cadre_id, pending, routes, outcomes, info["after_day"], model
    )
    from optimizer.planning import solve_cadre

    return store.save_cadre_plan(campaign_id, version, solve_cadre(problem, REPLAN_TIME_LIMIT_S))


def is_complete(store: Store, campaign_id: int, version: int) -> bool:
    return store.is_complete(campaign_id, version)


def campaign_progress(campaign, outcomes, planned):
    from optimizer.summary import Progress as CampaignProgress

    states = target_states(campaign, outcomes, planned)
    finals = Counter(s.final.value for s in states.values() if s.final)
    counts = {
        **{status.value: finals.get(status.value, 0) for status in OutcomeStatus},
        "not_home": sum(1 for s in states.values() if s.final is None and s.attempts),
        "escalated": sum(1 for s in states.values() if s.escalated),
        "pending": sum(1 for s in states.values() if s.final is None and not s.escalated),
    }
    return CampaignProgress(
        coverage=coverage(campaign, states),
        escalated=tuple(sorted(t for t, s in states.items() if s.escalated)),
        corrections=tuple(
            sorted(
                t
                for t, s in states.items()
                if s.final in (OutcomeStatus.MOVED, OutcomeStatus.INVALID)
            )
        ),
        refused=tuple(sorted(t for t, s in states.items() if s.final is OutcomeStatus.REFUSED)),
        counts=counts,
    )


def finish(store: Store, campaign_id: int, version: int) -> bool:
    """Publish a complete version with the town summary; True only for the call that did it."""
    info = store.version_info(campaign_id, version)
    if (
        info is None
        or info["status"] == "published"
        or not is_complete(store, campaign_id, version)
    ):
        return False
    from optimizer.summary import plan_summary

    started = time.perf_counter()
    campaign = store.load_campaign(campaign_id)
    plan = store.plan(campaign_id, version)
    # Counts and coverage need no retry windows, so no planned times either.
    progress = campaign_progress(campaign, store.outcomes(campaign_id), {})
    solve_seconds = sum(cp.solve_seconds for cp in plan.cadre_plans) + time.perf_counter() - started
    summary = plan_summary(
        campaign,
        store.assignment(campaign_id),
        plan,
        solve_seconds=solve_seconds,
        progress=progress,
        figures=_unchanged_figures(store, campaign_id, info),
    )
    published = store.publish_version(campaign_id, version, summary)
    store.release_lock(campaign_id)
    return published


def _unchanged_figures(store: Store, campaign_id: int, info: dict) -> dict | None:
    """The base version's balance figures, if no override changed the assignment since."""
    import json

    from optimizer.summary import FIGURE_KEYS

    base = store.version_info(campaign_id, info["base_version"]) if info["base_version"] else None
    if base is None or not base["summary"]:
        return None
    if any(o["at"] >= base["created_at"] for o in store.overrides(campaign_id)):
        return None
    previous = json.loads(base["summary"])
    if not all(k in previous for k in FIGURE_KEYS):
        return None
    return {k: previous[k] for k in FIGURE_KEYS}


def _solve_in_child(args: tuple[str, int, str, int]) -> bool:
    url, campaign_id, cadre_id, version = args
    return solve_one(Store.shared(url, recomputable=True), campaign_id, cadre_id, version)


def run_local(store: Store, job: Job, workers: int = 1, progress=None) -> float:
    """In-process: the actors' functions on a pool of processes (no server needed)."""
    started = time.perf_counter()
    args = [(store.url, job.campaign_id, c, job.version) for c in job.solve]
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
    finish(store, job.campaign_id, job.version)
    return workers_s


def run_on_broker(store: Store, job: Job, progress=None, timeout_s: float = 3600) -> float:
    """Through Redis: one message per changed cadre in a group, a completion step; waits, and
    re-sends what is missing if nothing moves for ``STALL_S`` (a restarted Redis forgets).

    Returns the seconds until every cadre's result was in (the workers' share of the time)."""
    import dramatiq

    from workers.actors import finish_replan, replan_cadre

    url, cid, version = store.url, job.campaign_id, job.version
    group = dramatiq.group(replan_cadre.message(url, cid, c, version) for c in job.solve)
    group.add_completion_callback(finish_replan.message(url, cid, version))
    _retrying(group.run if job.solve else lambda: finish_replan.send(url, cid, version))
    started = last_change = time.monotonic()
    last_done, workers_s = -1, None
    while store.version_info(cid, version)["status"] != "published":
        done, total = store.version_counts(cid, version)
        if progress:
            progress(done, total)
        if done == total and workers_s is None:
            workers_s = time.monotonic() - started
        if done != last_done:
            last_done, last_change = done, time.monotonic()
        elif time.monotonic() - last_change > STALL_S:
            for cadre_id in store.version_progress(cid, version)[2]:
                _retrying(lambda c=cadre_id: replan_cadre.send(url, cid, c, version))
            _retrying(lambda: finish_replan.send(url, cid, version))
            last_change = time.monotonic()
        if time.monotonic() - started > timeout_s:
            raise ZoufangError(
                "重排超时：请检查 zoufang worker 是否在运行 / "
                "re-plan timed out; are workers running?"
            )
        time.sleep(0.1)
    return workers_s if workers_s is not None else time.monotonic() - started


def _retrying(send, attempts: int = 60) -> None:
    """Send to the broker, waiting out a broker that is restarting."""
    import redis

    for attempt in range(attempts):
        try:
            send()
            return
        except (redis.ConnectionError, redis.TimeoutError):
            if attempt == attempts - 1:
                raise
            time.sleep(1.0)
