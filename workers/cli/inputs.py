"""``zoufang sample`` and ``zoufang validate``."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from workers.cli.app import app, out
from workers.cli.text import t


class Town(StrEnum):
    chaihudian = "chaihudian"
    huangtun = "huangtun"


class Format(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@app.command(short_help=t("生成样例活动文件夹（真实村名，合成位置）", "write a sample campaign"))
def sample(
    out_dir: Annotated[
        Path, typer.Argument(metavar="OUT", help=t("要写入的活动文件夹", "folder to write"))
    ],
    town: Annotated[
        Town, typer.Option(help=t("柴胡店镇 chaihudian 或 黄屯街道 huangtun", "sample town"))
    ] = Town.chaihudian,
    targets: Annotated[
        int, typer.Option(min=20, max=200_000, help=t("走访对象数", "number of targets"))
    ] = 2000,
    seed: Annotated[int, typer.Option(help=t("随机种子", "random seed"))] = 1,
    days: Annotated[int, typer.Option(min=1, max=100, help=t("活动天数", "campaign days"))] = 10,
    fmt: Annotated[Format, typer.Option("--format", help=t("csv 或 xlsx", "csv or xlsx"))] = (
        Format.csv
    ),
    gb18030: Annotated[
        bool, typer.Option(help=t("CSV 用 GB18030 编码（同 Excel 另存）", "GB18030 CSV"))
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help=t("覆盖未排过计划的样例文件夹", "overwrite an unplanned sample")
        ),
    ] = False,
) -> None:
    """生成样例活动文件夹（真实村名，合成位置）；不会覆盖已有的活动文件夹。"""
    from optimizer.sample import SYNTHETIC_NOTE, generate_sample, write_sample
    from workers.commands.campaign import check_sample_folder

    started = time.perf_counter()
    for old in check_sample_folder(out_dir, force):
        old.unlink()  # only the campaign files a sample writes; --force, never planned
    town_sample = generate_sample(town.value, targets, seed, days=days)
    encoding = "gb18030" if gb18030 else "utf-8-sig"
    write_sample(out_dir, town_sample, fmt=fmt.value, encoding=encoding)
    n_targets, n_cadres = len(town_sample.targets), len(town_sample.cadres)
    seconds = time.perf_counter() - started
    out.print(
        t(
            f"已写入 {out_dir}：{n_targets} 个走访对象，{n_cadres} 名走访人员（{seconds:.1f} 秒）",
            f"wrote {out_dir}: {n_targets} targets, {n_cadres} cadres ({seconds:.1f} s)",
        ),
        markup=False,
    )
    out.print(SYNTHETIC_NOTE, style="yellow")


def print_census(census, warnings: tuple[str, ...]) -> None:
    from optimizer.domain.codes import TargetType

    out.print(
        f"走访对象 {census.targets} 个，{census.villages} 个村/社区，{census.grids} 个网格；"
        f"走访人员 {census.cadres} 名；晚间时段对象 {census.evening_targets} 个，重点对象 "
        f"{census.priority_targets} 个"
    )
    kinds = [k for k in TargetType if any(b.type is k for b in census.by_type)]
    villages = Table(title=t("按村/社区和类型统计", "targets by village and type"))
    villages.add_column("村/社区")
    for kind in kinds:
        villages.add_column(kind.zh, justify="right")
    villages.add_column("合计", justify="right")
    for village, counts in census.by_village:
        c = dict(counts)
        villages.add_row(village, *(str(c.get(k, 0)) for k in kinds), str(sum(c.values())))
    out.print(villages)
    roles = Table(title=t("走访人员按职务", "cadres by role"))
    roles.add_column("职务")
    roles.add_column("人数", justify="right")
    for role, n in census.by_role:
        roles.add_row(role, str(n))
    out.print(roles)
    balance = Table(title=t("工作量与能力估算（分钟）", "estimated demand and capacity (minutes)"))
    for name in ("类型", "对象数", "需要", "可走访人员", "这些人员的能力"):
        balance.add_column(name, justify="right")
    for b in census.by_type:
        balance.add_row(
            b.type.zh, str(b.targets), str(b.demand_minutes), str(b.cadres), str(b.capacity_minutes)
        )
    out.print(balance)
    colour = "green" if census.load_ratio <= 1 else "red"
    out.print(
        Text.assemble(
            f"合计需要约 {census.demand_minutes} 分钟，能力 {census.capacity_minutes} 分钟"
            "（已扣除重访余量），",
            (f"负荷 {census.load_ratio:.0%}", colour),
        )
    )
    for note in warnings:
        out.print(note, style="yellow", markup=False)


@app.command(short_help=t("检查输入：摘要，或列出全部问题", "check the inputs"))
def validate(
    campaign: Annotated[
        Path, typer.Argument(metavar="CAMPAIGN", help=t("活动文件夹", "campaign folder"))
    ],
) -> None:
    """检查输入：打印摘要，或列出全部问题（退出码 2）。"""
    from optimizer.inputs import read_campaign

    started = time.perf_counter()
    loaded = read_campaign(campaign)
    # Imported once the inputs are read (scipy, networkx): a refused file is refused fast.
    from optimizer.reports.census import take_census
    from optimizer.travel import travel_model

    print_census(take_census(loaded), loaded.warnings)
    model = travel_model(loaded.settings.travel, campaign).description
    out.print(t(f"路程模型：{model}", f"travel model: {model}"), markup=False)
    seconds = time.perf_counter() - started
    out.print(t(f"输入无误（{seconds:.1f} 秒）", f"inputs are valid ({seconds:.1f} s)"))
