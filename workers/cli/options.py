"""Arguments and options shared by commands, and the progress bar (no heavy imports here)."""

from __future__ import annotations

import math
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
#: Largest values the options accept: a solve of an hour per cadre, 256 processes.
MAX_TIME_LIMIT_S = 3600.0
MAX_WORKERS = 256


def finite_seconds(value: float) -> float:
    """A time limit: a finite number of seconds above 0 (click's ranges let NaN through)."""
    if not math.isfinite(value) or not 0 < value <= MAX_TIME_LIMIT_S:
        raise typer.BadParameter(
            t(
                f"应为 0 到 {MAX_TIME_LIMIT_S:.0f} 之间的秒数，而不是 {value}",
                f"seconds between 0 and {MAX_TIME_LIMIT_S:.0f} expected, not {value}",
            )
        )
    return value


def share(value: float) -> float:
    """A share between 0 and 1 (NaN is neither)."""
    if not math.isfinite(value) or not 0 <= value <= 1:
        raise typer.BadParameter(
            t(f"应为 0 到 1 之间的数，而不是 {value}", f"a share from 0 to 1, not {value}")
        )
    return value


LimitOpt = Annotated[
    float,
    typer.Option(
        "--time-limit",
        callback=finite_seconds,
        help=t("每名人员的求解时间上限（秒）", "search seconds per cadre, at most"),
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=MAX_WORKERS,
        help=t("并行进程数（默认全部 CPU）", "worker processes (default: every CPU)"),
    ),
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
