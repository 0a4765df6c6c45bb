"""The message broker: Redis when ``ZOUFANG_BROKER`` is set, else in-process.

Without a broker URL a StubBroker is installed so the same actors can be declared; the
re-plan then calls the actor functions directly, in a pool of worker processes.
"""

from __future__ import annotations

import os

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage, GroupCallbacks

BROKER_ENV = "ZOUFANG_BROKER"
QUEUE = "zoufang"
# A worker that stops heart-beating for this long is presumed dead and its messages return to
# the queue. Solves are kept far below it (tenths of a second), so 20 s is plenty.
HEARTBEAT_MS = int(os.environ.get("ZOUFANG_HEARTBEAT_MS", "20000"))
# Chance (per million broker commands) of a maintenance pass that requeues dead workers' messages.
MAINTENANCE_CHANCE = int(os.environ.get("ZOUFANG_MAINTENANCE_CHANCE", "20000"))


def broker_url() -> str | None:
    return os.environ.get(BROKER_ENV) or None


def make_broker(url: str | None) -> dramatiq.Broker:
    if not url:
        return StubBroker()
    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.rate_limits.backends import RedisBackend

    broker = RedisBroker(
        url=url,
        namespace="zoufang",
        heartbeat_timeout=HEARTBEAT_MS,
        maintenance_chance=MAINTENANCE_CHANCE,
    )
    broker.add_middleware(GroupCallbacks(RedisBackend(url=url)))
    broker.add_middleware(CurrentMessage())  # lets an actor see whether it is in a group
    return broker


BROKER = make_broker(broker_url())
dramatiq.set_broker(BROKER)


def in_process() -> bool:
    return isinstance(BROKER, StubBroker)
