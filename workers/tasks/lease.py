"""Holding a campaign's lock while a command works: taken at the start, renewed in the
background, released at the end — also when the command fails or is interrupted.

The lock is a lease (``workers.store.locks``): a command killed with SIGKILL stops renewing
it, and on its own host it is stale at once (its process is gone), elsewhere after
``LEASE_S`` seconds. No command waits behind a dead one, and none needs a 30-minute timeout.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Iterator

from workers.errors import CampaignLockedError
from workers.store import Store
from workers.store.locks import LEASE_S

log = logging.getLogger(__name__)


def locked_message(store: Store, campaign_id: int) -> str:
    holder = store.lock_holder(campaign_id)
    who = holder.describe() if holder else "另一个命令"
    return (
        f"本活动正由另一个命令处理（{who}）；它结束后再试。若它已不在运行，"
        "可用 zoufang unlock CAMPAIGN --reason … 解除 / another command holds this campaign"
    )


def _renew(store: Store, campaign_id: int, token: str, stop: threading.Event) -> None:
    while not stop.wait(LEASE_S / 4):
        try:
            if not store.renew_lock(campaign_id, token):
                log.warning("campaign %s: the lock was taken away (zoufang unlock?)", campaign_id)
                return
        except Exception:  # the database may be briefly away; the next beat tries again
            log.warning("campaign %s: could not renew the lock", campaign_id, exc_info=True)


@contextlib.contextmanager
def campaign_lock(store: Store, campaign_id: int, purpose: str) -> Iterator[str]:
    """Hold the campaign's lock for ``purpose`` (plan, replan, export); yields its token.

    Raises
    ------
    CampaignLockedError
        When a live holder has it (exit 1); the message names the holder.
    """
    token = uuid.uuid4().hex
    if not store.acquire_lock(campaign_id, token, purpose):
        raise CampaignLockedError(locked_message(store, campaign_id))
    stop = threading.Event()
    renewer = threading.Thread(
        target=_renew, args=(store, campaign_id, token, stop), name="zoufang-lease", daemon=True
    )
    renewer.start()
    try:
        yield token
    finally:
        stop.set()
        renewer.join(timeout=5)
        store.release_lock(campaign_id, token)
