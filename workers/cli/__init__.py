"""``zoufang``: the command line.

Exit codes: 0 done, 1 other refusal, 2 bad input or a refused ledger change (nothing
changed), 3 no plan meets the rules.
"""

from __future__ import annotations

import sys

from optimizer.domain.errors import InvalidInputError, LedgerError, ZoufangError

EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3


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
        err.print(e.report(), markup=False)
        sys.exit(EXIT_BAD_INPUT)
    except LedgerError as e:
        err.print(t(f"未更改：{e}", f"refused (nothing changed): {e}"), markup=False)
        sys.exit(EXIT_BAD_INPUT)
    except ZoufangError as e:
        err.print(t(f"未完成：{e}", f"refused: {e}"), markup=False)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def _is_no_args_help(error) -> bool:
    """``zoufang`` alone: Click shows the help (its message is the help text)."""
    return type(error).__name__ == "NoArgsIsHelpError"
