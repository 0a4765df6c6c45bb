"""``zoufang plan`` (and ``plan --restore``)."""

from __future__ import annotations

import getpass
import re
from typing import Annotated

import typer

from optimizer.domain.defaults import PLAN_TIME_LIMIT_S
from optimizer.domain.privacy import mask_name
from workers.cli.app import app, err, out
from workers.cli.daily import print_risks
from workers.cli.options import (
    CampaignArg,
    LimitOpt,
    MapsOpt,
    OutOpt,
    SeedOpt,
    WorkersOpt,
    progress_bar,
)
from workers.cli.slack import print_slack
from workers.cli.text import t

EXIT_INFEASIBLE = 3


@app.command(short_help=t("分片包干、排出每日路线；或回退到以前的计划", "plan, or restore"))
def plan(
    campaign: CampaignArg,
    out_dir: OutOpt = None,
    seed: SeedOpt = 0,
    time_limit: LimitOpt = PLAN_TIME_LIMIT_S,
    workers: WorkersOpt = None,
    maps: MapsOpt = True,
    reassign: Annotated[
        str | None,
        typer.Option(
            "--reassign",
            help=t("重新分片的原因（已发布的分片默认锁定）", "reason to re-assign (audited)"),
        ),
    ] = None,
    restore: Annotated[
        str | None,
        typer.Option(
            "--restore",
            metavar="vNNN",
            help=t("回退到以前的一版计划（如 v003），原样恢复", "roll back to version NNN"),
        ),
    ] = None,
) -> None:
    """分片包干并排出每日路线，写出附件2、路线表、日路线与地图；--restore 回退到以前的一版。"""
    from workers.commands.plan import plan_campaign

    if restore is not None:
        _restore(campaign, out_dir, restore, maps)
        return
    bar, advance = progress_bar(t("排路线", "routing"))
    with bar:
        result = plan_campaign(
            campaign,
            out_dir,
            seed=seed,
            time_limit_s=time_limit,
            workers=workers,
            progress=advance,
            maps=maps,
            reassign=reassign,
        )
    if not result.feasible:
        from optimizer.assign.remedies import shortfall_text

        err.print(t("无法在期限内完成走访", "no plan meets the rules"), style="bold red")
        for s in result.assignment.shortfalls:
            err.print(f"  - {shortfall_text(s)}", markup=False)
        err.print(t(f"诊断已写入 {result.out / 'summary.json'}", f"see {result.out}"))
        raise typer.Exit(EXIT_INFEASIBLE)
    s = result.summary
    finish = max(s["projected_finish_day"].values(), default=0)
    out.print(
        t(
            f"已排定第 {s['plan_version']} 版计划：{s['targets']} 个对象，{s['cadres']} 名人员，"
            f"预计最晚第 {finish} 天完成；未能排入 {len(s['unscheduled'])} 个；"
            f"负荷最大/平均 {s['workload_max_over_mean']}；用时 {s['solve_seconds']} 秒",
            f"plan version {s['plan_version']}: {s['targets']} targets, {s['cadres']} cadres, "
            f"last day {finish}, {len(s['unscheduled'])} unscheduled, {s['solve_seconds']} s",
        )
    )
    print_risks(s)
    print_slack(s, {c.id: mask_name(c.name) for c in result.campaign.cadres})
    out.print(t(f"输出：{result.out}", f"outputs: {result.out}"), markup=False)


def _restore(campaign, out_dir, text: str, maps: bool) -> None:
    from workers.commands.daily import restore

    match = re.fullmatch(r"[vV]?0*(\d+)", text.strip())
    if not match or int(match[1]) < 1:
        err.print(
            t(
                f"--restore 应为计划版本号，如 v003 或 3，而不是「{text}」",
                f"not a version: {text}",
            ),
            markup=False,
        )
        raise typer.Exit(2)
    version = int(match[1])
    reason = t("回退到以前的计划", "restore")
    summary = restore(campaign, version, getpass.getuser(), reason, out_dir, maps=maps)
    withdrawn = "、".join(f"v{v:03d}" for v in summary["withdrawn"]) or t("无", "none")
    out.print(
        t(
            f"已回退到第 {version} 版计划（第 {summary['after_day']} 天之后）；"
            f"停用的版本：{withdrawn}（仍保存在库中，可再回退）",
            f"restored version {version}; withdrawn: {withdrawn}",
        )
    )
