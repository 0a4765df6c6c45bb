"""The Dramatiq broker, built at an entry point from the configuration, never at import.

With no broker URL the night's re-plan runs in-process (``steps.run_local``) and no broker is
needed at all. Each ``zoufang worker`` process beats in Redis (``WORKERS``: worker → Redis
time of its last beat, every ``BEAT_S``), so a coordinator sees before it sends anything
whether any worker is there to answer — Dramatiq's own heartbeats name senders as well.
"""

from __future__ import annotations

import uuid

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import CurrentMessage, GroupCallbacks
from dramatiq.rate_limits.backends import RedisBackend

from workers.tasks.config import Config

QUEUE = "zoufang"
NAMESPACE = "zoufang"
#: Actor names: senders and workers share these, not modules (Dramatiq dispatches by name).
REPLAN_CADRE = "replan_cadre"
FINISH_REPLAN = "finish_replan"
#: Sorted set of live worker processes, scored by the Redis time (ms) of their last beat.
WORKERS = f"{NAMESPACE}:__zoufang_workers__"
BEAT_S = 1.0
#: A worker that has not beaten for this long is not counted.
ALIVE_MS = 5_000


def _redis_ms(client) -> int:
    """Redis's own clock: workers and coordinators on other machines agree on it."""
    seconds, micros = client.time()
    return int(seconds) * 1000 + int(micros) // 1000


def beat(client, worker_id: str) -> None:
    """A worker process says it is alive (and forgets workers long gone)."""
    at = _redis_ms(client)
    client.zadd(WORKERS, {worker_id: at})
    client.zremrangebyscore(WORKERS, 0, at - 60 * ALIVE_MS)


def gone(client, worker_id: str) -> None:
    client.zrem(WORKERS, worker_id)


def live_workers(client) -> int:
    """How many worker processes beat within ``ALIVE_MS``."""
    return client.zcount(WORKERS, _redis_ms(client) - ALIVE_MS, "+inf")


def worker_id() -> str:
    return uuid.uuid4().hex


def make_broker(config: Config) -> dramatiq.Broker:
    """A Redis broker with group callbacks (the night's completion step) and the current
    message (an actor sees whether it runs in a group)."""
    if not config.broker_url:
        raise ValueError("no broker URL configured")
    broker = RedisBroker(
        url=config.broker_url,
        namespace=NAMESPACE,
        # A worker silent this long is presumed dead and its messages return to the queue.
        # Solves are kept far below it (hundredths of a second).
        heartbeat_timeout=config.heartbeat_ms,
        maintenance_chance=config.maintenance_chance,
    )
    broker.add_middleware(GroupCallbacks(RedisBackend(url=config.broker_url)))
    broker.add_middleware(CurrentMessage())
    broker.declare_queue(QUEUE)
    return broker
