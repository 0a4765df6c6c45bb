"""``zoufang worker``: Dramatiq worker processes that pick up a night's messages at once.

Like ``dramatiq workers.actors`` but an idle worker polls every 100 ms instead of backing off to
a second, so a re-plan's group starts without delay. Each process runs single-threaded by
default: an OR-Tools solve holds the GIL.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading

IDLE_POLL_MS = 100


def _serve(threads: int, parent: int) -> None:
    import dramatiq

    import workers.actors  # noqa: F401  (declares the actors on the Redis broker)
    from workers.broker import BROKER

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(processName)s %(levelname)s %(message)s"
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    _warm_up()
    worker = dramatiq.Worker(BROKER, worker_threads=threads, worker_timeout=IDLE_POLL_MS)
    worker.start()
    # Stop on a signal, or when the parent is gone (killed without passing the signal on):
    # an orphaned worker would go on taking messages nobody started it for.
    while not stop.wait(1.0) and os.getppid() == parent:
        pass
    worker.stop()
    BROKER.close()


def _warm_up() -> None:
    """Load the solver, the summary and the database driver before the first message, so
    the night's first cadres do not wait for imports."""
    import optimizer.planning
    import optimizer.summary  # noqa: F401
    from workers.store import Store, env_url

    url = env_url()
    if url:
        try:
            Store.shared(url, recomputable=True)
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
