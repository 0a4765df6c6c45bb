"""``zoufang plan``."""

from __future__ import annotations

from typing import Annotated

import typer

from optimizer.domain.defaults import PLAN_TIME_LIMIT_S
from workers.cli.app import app, err, out
from workers.cli.options import (
    CampaignArg,
    LimitOpt,
    MapsOpt,
    OutOpt,
    SeedOpt,
    WorkersOpt,
    progress_bar,
)

EXIT_INFEASIBLE = 3


@app.command()
def plan(
    campaign: CampaignArg,
    out_dir: OutOpt = None,
    seed: SeedOpt = 0,
    time_limit: LimitOpt = PLAN_TIME_LIMIT_S,
    workers: WorkersOpt = None,
    maps: MapsOpt = True,
    reassign: Annotated[
        str | None, typer.Option("--reassign", help="重新分片的原因（已发布的分片默认锁定）")
    ] = None,
) -> None:
    """分片包干并排出每日路线，写出附件2、路线表与摘要 / assign areas and plan routes."""
    from workers.commands.plan import plan_campaign

    bar, advance = progress_bar("排路线 / routing")
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
        from optimizer.assign.diagnosis import shortfall_text

        err.print("无法在期限内完成走访 / no plan meets the rules", style="bold red")
        for s in result.assignment.shortfalls:
            err.print(f"  - {shortfall_text(s)}")
        err.print(f"诊断已写入 {result.out / 'summary.json'}")
        raise typer.Exit(EXIT_INFEASIBLE)
    s = result.summary
    finish = max(s["projected_finish_day"].values(), default=0)
    out.print(
        f"已排定第 {s['plan_version']} 版计划：{s['targets']} 个对象，{s['cadres']} 名人员，"
        f"预计最晚第 {finish} 天完成；未能排入 {len(s['unscheduled'])} 个；"
        f"负荷最大/平均 {s['workload_max_over_mean']}；用时 {s['solve_seconds']} 秒"
    )
    for risk in s["at_risk"]:
        text = f"风险 {risk['cadre_id']}: 缺 {risk['missing_minutes']} 分钟 —— {risk['remedy']}"
        out.print(text, style="yellow", markup=False)
    out.print(f"输出 / outputs: {result.out}")
