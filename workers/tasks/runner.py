"""``zoufang worker``: Dramatiq worker processes that pick up a night's messages at once.

Like ``dramatiq`` on the actors, but an idle worker polls every 100 ms instead of backing off
to a second, so a re-plan's group starts without delay. Each process runs single-threaded by
default: an OR-Tools solve holds the GIL. Each process builds its broker and declares the
actors itself, from its own configuration (the database included).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading

import dramatiq

from workers.store import Store
from workers.tasks.actors import declare
from workers.tasks.broker import BEAT_S, beat, gone, make_broker, worker_id
from workers.tasks.config import Config

IDLE_POLL_MS = 100


def _serve(threads: int, parent: int) -> None:
    config = Config.from_env()
    broker = make_broker(config)
    declare(broker, config)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(processName)s %(levelname)s %(message)s"
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    _warm_up(config)
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=IDLE_POLL_MS)
    worker.start()
    me = worker_id()
    # Stop on a signal, or when the parent is gone (killed without passing the signal on):
    # an orphaned worker would go on taking messages nobody started it for. Meanwhile beat,
    # so coordinators know someone will answer.
    while os.getppid() == parent:
        _beat(broker, me)
        if stop.wait(BEAT_S):
            break
    with contextlib.suppress(Exception):
        gone(broker.client, me)
    worker.stop()
    broker.close()


def _beat(broker, me: str) -> None:
    try:
        beat(broker.client, me)
    except Exception:  # Redis restarting: Dramatiq's consumer waits it out, and so do we
        logging.getLogger(__name__).warning("could not beat in Redis", exc_info=False)


def _warm_up(config: Config) -> None:
    """Connect to the database before the first message, so the night's first cadres do not
    wait for it (the solver and the summary are imported with the actors)."""
    try:
        Store.shared(config.db_url, recomputable=True)
    except Exception:  # the database may be down now; the messages will tell
        logging.getLogger(__name__).warning("database not reachable at start-up")


def run_workers(processes: int, threads: int) -> None:
    """Start ``processes`` worker processes and wait; SIGTERM/SIGINT stop them cleanly."""
    context = multiprocessing.get_context("spawn")  # fresh interpreters, no shared sockets
    children = [
        context.Process(target=_serve, args=(threads, os.getpid()), name=f"zoufang-worker-{i + 1}")
        for i in range(processes)
    ]
    for child in children:
        child.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    while not done.wait(0.5):
        if not any(child.is_alive() for child in children):
            break
    for child in children:
        if child.is_alive():
            child.terminate()
    for child in children:
        child.join(timeout=30)
