"""The Dramatiq broker, built at an entry point from the configuration, never at import.

With no broker URL the night's re-plan runs in-process (``steps.run_local``) and no broker is
needed at all.
"""

from __future__ import annotations

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
