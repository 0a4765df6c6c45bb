"""Sending the night's messages by actor name, and waiting for the version to be published.

The sender never imports the actors: a message names its actor (Dramatiq's own design), so
the coordinator and the workers share names, not modules.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import dramatiq
import redis

from optimizer.domain.errors import ZoufangError
from workers.errors import NoWorkerError
from workers.store import Store
from workers.store.records import HELD, PUBLISHED
from workers.tasks.broker import FINISH_REPLAN, QUEUE, REPLAN_CADRE, live_workers
from workers.tasks.steps import Job


def message(actor_name: str, *args: object) -> dramatiq.Message:
    return dramatiq.Message(
        queue_name=QUEUE, actor_name=actor_name, args=args, kwargs={}, options={}
    )


def run_on_broker(
    broker: dramatiq.Broker,
    store: Store,
    job: Job,
    *,
    stall_s: float,
    progress=None,
    timeout_s: float = 3600,
    workers_alive: Callable[[], bool | None] | None = None,
    no_worker_s: float = 60.0,
) -> float:
    """One message per changed cadre in a group with a completion step; waits, and re-sends
    what is missing if nothing moves for ``stall_s`` (a restarted Redis forgets its queues).

    ``workers_alive`` says whether any worker is there (None: cannot tell, e.g. Redis is
    restarting); with none for ``no_worker_s`` the wait ends with ``NoWorkerError``.
    Returns the seconds until every cadre's result was in (the workers' share of the time)."""
    cid, version = job.campaign_id, job.version
    group = dramatiq.group(
        (message(REPLAN_CADRE, cid, c, version) for c in job.solve), broker=broker
    )
    group.add_completion_callback(message(FINISH_REPLAN, cid, version))
    finish = message(FINISH_REPLAN, cid, version)
    _send_through_restarts(group.run if job.solve else lambda: broker.enqueue(finish.copy()))
    started = last_change = last_seen = last_asked = time.monotonic()
    last_done, workers_s = -1, None
    # Published, or held by the re-plan guard for the coordinator to decide.
    while store.version_info(cid, version).status not in (PUBLISHED, HELD):
        if workers_alive and time.monotonic() - last_asked >= 1.0:
            last_asked = time.monotonic()
            if workers_alive() is not False:
                last_seen = last_asked
            elif last_asked - last_seen > no_worker_s:
                raise NoWorkerError(no_worker_message(no_worker_s))
        done, total = store.version_counts(cid, version)
        if progress:
            progress(done, total)
        if done == total and workers_s is None:
            workers_s = time.monotonic() - started
        if done != last_done:
            last_done, last_change = done, time.monotonic()
        elif time.monotonic() - last_change > stall_s:
            for cadre_id in store.version_progress(cid, version)[2]:
                resend = message(REPLAN_CADRE, cid, cadre_id, version)
                _send_through_restarts(lambda m=resend: broker.enqueue(m))
            _send_through_restarts(lambda: broker.enqueue(finish.copy()))
            last_change = time.monotonic()
        if time.monotonic() - started > timeout_s:
            raise ZoufangError("重排超时：请检查 zoufang worker 是否在运行")
        time.sleep(0.1)
    return workers_s if workers_s is not None else time.monotonic() - started


def no_worker_message(seconds: float) -> str:
    return (
        f"没有工作进程应答（{seconds:.0f} 秒内 Redis 中没有 zoufang worker 的心跳）：请先启动 "
        "zoufang worker，或不设 ZOUFANG_BROKER 在本机重排 / no worker is answering"
    )


def any_worker(client) -> bool | None:
    """Whether a ``zoufang worker`` beats in Redis; None when Redis cannot say (restarting)."""
    try:
        return live_workers(client) > 0
    except (redis.ConnectionError, redis.TimeoutError):
        return None


def wait_for_a_worker(client, wait_s: float) -> None:
    """Return once a worker beats; ``NoWorkerError`` after ``wait_s`` seconds without one
    (nothing has been sent then)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            if live_workers(client) > 0:
                return
        except (redis.ConnectionError, redis.TimeoutError) as e:
            if time.monotonic() > deadline:
                raise NoWorkerError(f"无法连接 Redis（ZOUFANG_BROKER）：{e}") from None
        if time.monotonic() > deadline:
            raise NoWorkerError(no_worker_message(wait_s))
        time.sleep(0.2)


def _send_through_restarts(send, attempts: int = 60) -> None:
    """Send to the broker, waiting out a broker that is restarting."""
    for attempt in range(attempts):
        try:
            send()
            return
        except (redis.ConnectionError, redis.TimeoutError):
            if attempt == attempts - 1:
                raise
            time.sleep(1.0)
