"""``zoufang``: the command line.

Exit codes: 0 done, 1 other refusal, 2 bad input or a refused ledger change (nothing
changed), 3 no plan meets the rules.
"""

from __future__ import annotations

import sys

from optimizer.domain.errors import InvalidInputError, LedgerError, ZoufangError
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


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script; a user's mistake never shows a traceback."""
    try:
        app(args=argv, prog_name="zoufang")
    except InvalidInputError as e:
        err.print(e.report(), markup=False)
        sys.exit(EXIT_BAD_INPUT)
    except LedgerError as e:
        err.print(f"未更改 / refused: {e}", markup=False)
        sys.exit(EXIT_BAD_INPUT)
    except ZoufangError as e:
        err.print(f"错误 / error: {e}", markup=False)
        sys.exit(1)
