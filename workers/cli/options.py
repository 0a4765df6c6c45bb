"""Arguments and options shared by commands, and the progress bar (no heavy imports here)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from workers.cli.app import err

CampaignArg = Annotated[
    Path, typer.Argument(metavar="CAMPAIGN", help="活动文件夹 / campaign folder")
]
OutOpt = Annotated[Path | None, typer.Option("--out", help="输出文件夹（默认 CAMPAIGN/out）")]
SeedOpt = Annotated[int, typer.Option(help="随机种子 / seed")]
LimitOpt = Annotated[
    float, typer.Option("--time-limit", help="每名人员的求解秒数 / seconds per cadre")
]
WorkersOpt = Annotated[int | None, typer.Option(help="并行进程数（默认全部 CPU）")]
MapsOpt = Annotated[bool, typer.Option("--maps/--no-maps", help="同时生成地图 / also render maps")]


def progress_bar(label: str):
    """A rich progress bar and the callback that advances it."""
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task(label, total=None)

    def advance(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, advance
