"""The writers' queue: a sync not stored in time is answered, not left waiting."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace

import pytest

from workers.web import intake
from workers.web.service import Sync


def test_a_sync_not_stored_in_time_is_answered_busy(monkeypatch):
    """A sync the writers have not stored within WAIT_S is refused as busy (the phone keeps
    it and resends); the writer's late answer then goes nowhere."""
    release = threading.Event()

    class Slow:
        store = SimpleNamespace(dialect="sqlite")

        def record_many(self, syncs):
            release.wait(5)
            return [[] for _ in syncs]

    monkeypatch.setattr(intake, "WAIT_S", 0.05)
    writers = intake.Intake(Slow())

    async def sync():
        return await writers.submit(Sync(None, "session", "phone", []))

    with pytest.raises(RuntimeError, match="服务器繁忙"):
        asyncio.run(sync())
    release.set()


def test_a_stored_sync_gets_its_results(monkeypatch):
    """A sync stored in time is answered with the writer's results."""

    class Quick:
        store = SimpleNamespace(dialect="sqlite")

        def record_many(self, syncs):
            return [[s.device_id] for s in syncs]

    writers = intake.Intake(Quick())

    async def sync():
        return await writers.submit(Sync(None, "session", "phone", []))

    assert asyncio.run(sync()) == ["phone"]
