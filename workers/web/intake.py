"""Syncs from many phones at once, written together.

When a township's 300 phones come back online in the evening they post at the same moment.
Each sync on its own would cost a few queries and a transaction whose commit waits for the
disk; instead one writer thread takes every sync waiting when it is free, resolves their
credentials, owners and checks in a few queries and stores them all in one transaction — one
disk flush for the lot (group commit, as PostgreSQL itself does for concurrent commits). A
sync's answer is the same as if it had been written alone; the HTTP handlers only wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time

from workers.web.service import FieldService, RowResult, Sync

log = logging.getLogger("zoufang.web.intake")
#: Syncs per transaction (each at most MAX_ROWS rows), and writers taking from the one
#: queue: while one writer's batch is in the database another checks the next (the checks
#: hold the GIL, the database does not). Measured on 2 cores shared with other work, 300
#: phones × 20 outcomes at once on PostgreSQL, paired runs: p95 0.85 / 0.54 / 0.43 s with
#: 3 writers of 100 against 1.30 / 0.81 / 0.49 s with one writer of 400 — the same
#: processor time; 2 writers or 4 of 75 did no better than 3. SQLite takes one writer at a
#: time anyway: one thread writes there.
MAX_BATCH = 100
WRITERS = 3
WAIT_S = 60.0  # a sync not stored by then is answered 503 (the phone keeps it and resends)


class Intake:
    """The writers of a field service; ``submit`` from the event loop, awaited."""

    def __init__(self, field: FieldService):
        self.field = field
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        for n in range(WRITERS if field.store.dialect == "postgresql" else 1):
            name = f"zoufang-intake-{n}"
            threading.Thread(target=self._run, daemon=True, name=name).start()

    async def submit(self, sync: Sync) -> list[RowResult] | None:
        """The sync's results, or None when its credential is not valid."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.queue.put((sync, future))
        # A timer rather than asyncio.wait_for, which wraps each of a burst's 300 waits in
        # more futures and callbacks on the event loop.
        timer = loop.call_later(WAIT_S, _give_up, future)
        try:
            return await future
        finally:
            timer.cancel()

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    def _write(self, batch: list) -> None:
        started = time.perf_counter()
        try:
            answers = self.field.record_many([sync for sync, _ in batch])
            rows = sum(len(sync.rows) for sync, _ in batch)
            elapsed = time.perf_counter() - started
            log.info("%d syncs (%d rows) stored in %.3f s", len(batch), rows, elapsed)
        except Exception:
            if len(batch) == 1:
                log.exception("a sync could not be stored")
                _answer(batch[0][1], error=True)
                return
            # One bad sync must not fail the others: write them one by one.
            for item in batch:
                self._write([item])
            return
        for (_, future), answer in zip(batch, answers, strict=True):
            _answer(future, answer)


def _give_up(future: asyncio.Future) -> None:
    if not future.done():  # a writer's answer that comes later is dropped (``_answer``)
        future.set_exception(RuntimeError("服务器繁忙，结果仍保存在手机上，稍后会自动重发"))


def _answer(future: asyncio.Future, value=None, error: bool = False) -> None:
    loop = future.get_loop()

    def settle():
        if future.done():  # the client went away
            return
        if error:
            future.set_exception(RuntimeError("同步失败，请稍后重试"))
        else:
            future.set_result(value)

    # RuntimeError: that event loop has closed, nobody waits for this answer.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(settle)
