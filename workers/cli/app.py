"""The Typer application and the consoles every command prints to.

Campaign text reaches the terminal (village names, request texts, ids in messages), so the
consoles never read it as markup (``[/]`` would crash rich, ``[link=…]`` would style it) and
show control and direction characters as escapes: an ESC sequence from a cell must not drive
the terminal, an RTL mark must not reorder what a coordinator reads. Emphasis is given with
``style=``, never with markup.

Messages are printed whole: ``soft_wrap`` leaves line breaking to the terminal, so rich never
breaks a sentence at a space (``未能排入 0`` / ``个``). Tables take the terminal's width; into
a file or a pipe, a wide page, so that no column is squeezed.
"""

from __future__ import annotations

import json
import re
from typing import Annotated

import typer
from rich.console import Console

from workers.cli.text import t

PIPE_WIDTH = 200  # columns of a table printed into a file or a pipe
#: C0 and C1 controls (but newline), DEL, and the Unicode marks that reorder text.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every control or direction character shown as an escape (``\\x1b``)."""
    return UNSAFE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(text))


def json_text(data: object) -> str:
    """JSON for stdout: Chinese as is, direction marks escaped (JSON escapes controls itself)."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


class SafeConsole(Console):
    """A console that prints campaign text as text: no markup, no emoji codes, no
    highlighting, control characters escaped — in messages, tables and titles alike."""

    def __init__(self, **kwargs):
        # soft_wrap: a message is one line however long, so a script (or a test) reading
        # stderr finds it whole; tables still fit the terminal.
        super().__init__(markup=False, emoji=False, highlight=False, soft_wrap=True, **kwargs)
        if not self.is_terminal:
            self.width = PIPE_WIDTH

    def render_str(self, text: str, **kwargs):
        return super().render_str(printable(text), **kwargs)


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
out = SafeConsole()
err = SafeConsole(stderr=True)
