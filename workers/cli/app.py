"""The Typer application and the consoles every command prints to.

Messages are printed whole: ``soft_wrap`` leaves line breaking to the terminal, so rich never
breaks a sentence at a space (``未能排入 0`` / ``个``). Tables take the terminal's width; into
a file or a pipe, a wide page, so that no column is squeezed.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from workers.cli.text import t

PIPE_WIDTH = 200  # columns of a table printed into a file or a pipe


def _console(stderr: bool = False) -> Console:
    console = Console(stderr=stderr, soft_wrap=True)
    if not console.is_terminal:
        console.width = PIPE_WIDTH
    return console


def make_app() -> typer.Typer:
    """The application, its help in the chosen language (``text.set_lang`` first)."""
    application = typer.Typer(
        name="zoufang",
        help=t(
            "大走访活动规划：分片包干、每日路线、夜间重排、地图与诉求台账。",
            "Plans a door-to-door visiting campaign (大走访): cadres to areas, daily routes, "
            "nightly re-plans, maps and the request ledger.",
        ),
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )

    @application.callback()
    def options(
        lang: Annotated[
            str,
            typer.Option(
                "--lang",
                metavar="zh|en",
                help=t("界面语言：zh（默认，中文）或 en", "language: zh (default) or en"),
            ),
        ] = "zh",
    ) -> None:
        # ``main`` reads --lang before the commands are declared; declared here for the help.
        del lang

    return application


app = make_app()
out = _console()
err = _console(stderr=True)
