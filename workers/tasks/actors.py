"""Dramatiq actors: thin — ids in, a step of ``steps`` run, keyed writes out.

Messages carry ids only (campaign, cadre, version): a worker takes its database from its own
configuration, never from a message. Every write is keyed by (campaign, cadre, plan version),
so a message redelivered after a worker died, or delivered twice, changes nothing.

Actors are declared on a broker given to ``declare`` (the worker's, or a test's StubBroker);
senders refer to them by name (``dispatch``), never by importing this module.
"""

from __future__ import annotations

import dramatiq
from dramatiq.middleware import CurrentMessage

from workers.store import Store
from workers.tasks import steps
from workers.tasks.broker import FINISH_REPLAN, QUEUE, REPLAN_CADRE
from workers.tasks.config import Config

# A failed actor is delivered again (Dramatiq middleware): at most 5 times, backing off.
REDELIVERY = {"max_retries": 5, "min_backoff": 500, "max_backoff": 10_000}


def _in_group() -> bool:
    message = CurrentMessage.get_current_message()
    return bool(message and message.options.get("group_completion_callbacks"))


def declare(broker: dramatiq.Broker, config: Config) -> dict[str, dramatiq.Actor]:
    """Declare the re-plan actors on ``broker``, working on ``config.db_url``."""
    if not config.db_url:
        raise ValueError("workers need ZOUFANG_DB: the database shared with the coordinator")
    url = config.db_url

    def replan_cadre(campaign_id: int, cadre_id: str, version: int) -> None:
        """Re-plan one cadre's remaining days inside its own area for ``version``."""
        store = Store.shared(url, recomputable=True)
        steps.solve_one(store, campaign_id, cadre_id, version, config.replan_time_limit_s)
        # A message of the night's group leaves the completion step to the group; one sent
        # on its own (re-sent after Redis lost its queues) checks for itself.
        if not _in_group() and store.is_complete(campaign_id, version):
            actors[FINISH_REPLAN].send(campaign_id, version)

    def finish_replan(campaign_id: int, version: int) -> None:
        """Completion step: once every cadre is in, write the town summary and publish."""
        steps.finish(Store.shared(url), campaign_id, version)

    actors: dict[str, dramatiq.Actor] = {}
    for name, fn, limit_ms in (
        (REPLAN_CADRE, replan_cadre, 120_000),
        (FINISH_REPLAN, finish_replan, 300_000),
    ):
        actors[name] = dramatiq.actor(
            fn, broker=broker, actor_name=name, queue_name=QUEUE, time_limit=limit_ms, **REDELIVERY
        )
    return actors
