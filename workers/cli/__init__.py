"""``zoufang``: the command line.

Exit codes: 0 done, 1 other refusal, 2 bad input or a refused ledger change (nothing
changed), 3 no plan meets the rules.

Errors are caught here, at the edge: a user's mistake never shows a traceback, and neither
does a database error — its statement and parameters (names, phone numbers) are never
printed, only the database's one-line reason.
"""

from __future__ import annotations

import sys
from concurrent.futures.process import BrokenProcessPool

from optimizer.domain.errors import InvalidInputError, LedgerError, ZoufangError
from optimizer.domain.privacy import mask_free_text
from workers.cli import (  # noqa: F401  (registers commands)
    daily,
    demo,
    inputs,
    ledger_cmd,
    maps_cmd,
    planning,
    simulation,
    web_cmd,
)
from workers.cli.app import app, err

EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_INTERRUPTED = 130


def database_message(e: Exception) -> str:
    """A database error in one line: its kind and the database's first line of reason, with
    any number that looks personal masked; never the statement or its parameters."""
    orig = getattr(e, "orig", None) or e
    first = (str(orig).strip().splitlines() or [""])[0][:300]
    return f"数据库错误（{type(orig).__name__}）：{mask_free_text(first)} / database error"


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script; a user's mistake never shows a traceback."""
    try:
        app(args=argv, prog_name="zoufang")
    except InvalidInputError as e:
        err.print(e.report())
        sys.exit(EXIT_BAD_INPUT)
    except LedgerError as e:
        err.print(f"未更改 / refused: {e}")
        sys.exit(EXIT_BAD_INPUT)
    except ZoufangError as e:
        err.print(f"错误 / error: {e}")
        sys.exit(1)
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        err.print(f"错误 / error: {where}{e.strerror or e}")
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("已中断 / interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenProcessPool:
        err.print("错误 / error: 一个计算进程意外终止（内存不足？）；已发布的结果不受影响，可重试")
        sys.exit(1)
    except Exception as e:
        # SQLAlchemy's errors, told by their module (importing it here would slow every
        # command's start): their text holds the statement and its parameters.
        if not type(e).__module__.startswith(("sqlalchemy", "psycopg", "sqlite3")):
            raise
        err.print(database_message(e))
        sys.exit(1)
