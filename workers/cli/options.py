"""Arguments and options shared by commands, and the progress bar (no heavy imports here)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from workers.cli.app import err
from workers.cli.text import t

CampaignArg = Annotated[
    Path, typer.Argument(metavar="CAMPAIGN", help=t("活动文件夹", "campaign folder"))
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out", help=t("输出文件夹（默认 CAMPAIGN/out）", "output folder (default CAMPAIGN/out)")
    ),
]
SeedOpt = Annotated[int, typer.Option(help=t("随机种子", "random seed"))]
LimitOpt = Annotated[
    float,
    typer.Option(
        "--time-limit", help=t("每名人员的求解时间上限（秒）", "search seconds per cadre, at most")
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(help=t("并行进程数（默认全部 CPU）", "worker processes (default: every CPU)")),
]
MapsOpt = Annotated[
    bool, typer.Option("--maps/--no-maps", help=t("同时生成地图", "also render the maps"))
]


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
