"""The Typer application and the consoles every command prints to."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="zoufang",
    help="大走访活动规划：分片包干、每日路线、夜间重排、地图与诉求台账。\n\n"
    "Plans a door-to-door visiting campaign (大走访): cadres to areas, daily routes, "
    "nightly re-plans, maps and the request ledger.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)
