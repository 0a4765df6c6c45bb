"""Dramatiq actors: thin — load by id, call the optimizer, save; a duplicate delivery is a no-op.

Arguments are JSON-simple (a database URL, ids, a version number). Every write is keyed by
(campaign, cadre, plan version), so a message redelivered after a worker died, or delivered
twice, changes nothing the first delivery did not.
"""

from __future__ import annotations

import dramatiq
from dramatiq.middleware import CurrentMessage

from workers import replanning
from workers.broker import QUEUE  # installs the broker before the actors are declared
from workers.store import Store


@dramatiq.actor(
    queue_name=QUEUE, max_retries=5, min_backoff=500, max_backoff=10_000, time_limit=120_000
)
def replan_cadre(db_url: str, campaign_id: int, cadre_id: str, version: int) -> None:
    """Re-plan one cadre's remaining days inside its own area for ``version``."""
    store = Store.shared(db_url, recomputable=True)
    replanning.solve_one(store, campaign_id, cadre_id, version)
    # A message of the night's group leaves the completion step to the group; one sent on
    # its own (re-sent after Redis lost its queues) checks for itself.
    if not _in_group() and replanning.is_complete(store, campaign_id, version):
        finish_replan.send(db_url, campaign_id, version)


def _in_group() -> bool:
    message = CurrentMessage.get_current_message()
    return bool(message and message.options.get("group_completion_callbacks"))


@dramatiq.actor(
    queue_name=QUEUE, max_retries=5, min_backoff=500, max_backoff=10_000, time_limit=300_000
)
def finish_replan(db_url: str, campaign_id: int, version: int) -> None:
    """Completion step: once every cadre is in, write the town summary and publish."""
    replanning.finish(Store.shared(db_url), campaign_id, version)
