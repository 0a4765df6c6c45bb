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

EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_INTERRUPTED = 130


def database_message(e: Exception) -> str:
    """A database error in one line: its kind and the database's first line of reason, with
    any number that looks personal masked; never the statement or its parameters."""
    orig = getattr(e, "orig", None) or e
    first = (str(orig).strip().splitlines() or [""])[0][:300]
    return f"数据库错误（{type(orig).__name__}）：{mask_free_text(first)}"


def take_lang(argv: list[str]) -> str:
    """``--lang en`` / ``--lang=en`` anywhere before ``--``, removed from ``argv``; "zh" when
    absent. Read first: the help texts are declared in the chosen language."""
    end = argv.index("--") if "--" in argv else len(argv)
    for i, arg in enumerate(argv[:end]):
        if arg == "--lang" and i + 1 < end:
            value = argv[i + 1]
            del argv[i : i + 2]
            return value
        if arg.startswith("--lang="):
            del argv[i]
            return arg.split("=", 1)[1]
    return "zh"


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script; a user's mistake never shows a traceback."""
    from workers.cli import text

    args = list(sys.argv[1:] if argv is None else argv)
    text.set_lang(take_lang(args))
    text.fold_long_help()
    # The commands are declared now, in the chosen language.
    from workers.cli import (  # noqa: F401  (registers commands)
        coordinate,
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
    from workers.cli.usage import usage_error_types, usage_error_zh

    t = text.t
    chinese = text.lang() == "zh"
    try:
        # Chinese usage errors are written here; English ones by Click, as it always does.
        code = app(args=args, prog_name="zoufang", standalone_mode=not chinese)
    except usage_error_types() as e:
        if _is_no_args_help(e):
            err.print(e.format_message(), markup=False)
        else:
            err.print(usage_error_zh(e), markup=False)
        sys.exit(e.exit_code)
    except InvalidInputError as e:
        err.print(e.report())
        sys.exit(EXIT_BAD_INPUT)
    except LedgerError as e:
        err.print(t(f"未更改：{e}", f"refused (nothing changed): {e}"))
        sys.exit(EXIT_BAD_INPUT)
    except ZoufangError as e:
        err.print(t(f"未完成：{e}", f"refused: {e}"))
        sys.exit(1)
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        err.print(t(f"未完成：{where}{e.strerror or e}", f"failed: {where}{e.strerror or e}"))
        sys.exit(1)
    except KeyboardInterrupt:
        err.print(t("已中断", "interrupted"))
        sys.exit(EXIT_INTERRUPTED)
    except BrokenProcessPool:
        err.print(
            t(
                "未完成：一个计算进程意外终止（内存不足？）；已发布的结果不受影响，可重试",
                "failed: a solver process died (out of memory?); published results are intact",
            )
        )
        sys.exit(1)
    except Exception as e:
        # SQLAlchemy's errors, told by their module (importing it here would slow every
        # command's start): their text holds the statement and its parameters.
        if not type(e).__module__.startswith(("sqlalchemy", "psycopg", "sqlite3")):
            raise
        err.print(database_message(e))
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def _is_no_args_help(error) -> bool:
    """``zoufang`` alone: Click shows the help (its message is the help text)."""
    return type(error).__name__ == "NoArgsIsHelpError"
