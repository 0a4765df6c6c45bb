"""Run ``zoufang ARGS`` and SIGKILL this very process at a chosen point.

    python -m tests.security.killpoint MODULE:ATTRIBUTE N -- ARGS…
    python -m tests.security.killpoint --pause SECONDS MODULE:ATTRIBUTE N -- ARGS…

The N-th call of ``MODULE.ATTRIBUTE`` (a function, or ``Class.method``) kills the process
before the call runs: the real command, killed for real (no handler, no cleanup), at a point
a test can name — inside a transaction, between two files, before a rename. With ``--pause``
the call waits instead, then runs: a command held at a known point (its lock taken) while a
test starts another.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import time


def arm(target: str, nth: int, pause_s: float | None = None) -> None:
    """Make the ``nth`` call of ``target`` (``module:attr`` or ``module:Class.attr``) kill
    the process (or, with ``pause_s``, wait that long first)."""
    module, _, name = target.partition(":")
    owner = importlib.import_module(module)
    *path, attribute = name.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, attribute)
    calls = 0

    def killing(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == nth and pause_s is not None:
            print("paused", flush=True)
            time.sleep(pause_s)
        elif calls == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)

    setattr(owner, attribute, killing)


def main() -> None:
    argv = sys.argv[1:]
    pause_s = None
    if argv[0] == "--pause":
        pause_s, argv = float(argv[1]), argv[2:]
    target, nth, separator, *args = argv
    assert separator == "--", "usage: killpoint [--pause S] MODULE:ATTR N -- ARGS"
    arm(target, int(nth), pause_s)
    from workers.cli import main as zoufang

    zoufang(args)


if __name__ == "__main__":
    main()
