"""``zoufang simulate``: the whole window, with re-planning, beside a static plan."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from workers.cli.app import app, out
from workers.cli.options import CampaignArg, WorkersOpt, progress_bar, share


@app.command()
def simulate(
    campaign: CampaignArg,
    not_home: Annotated[
        float, typer.Option("--not-home", callback=share, help="白天未遇概率")
    ] = 0.2,
    absent: Annotated[
        float, typer.Option("--absent", callback=share, help="人员缺勤（整天无记录）概率")
    ] = 0.05,
    seed: Annotated[int, typer.Option(help="随机种子")] = 1,
    workers: WorkersOpt = None,
) -> None:
    """模拟整个活动期：每天登记结果并重排，与不重排的静态计划对比覆盖率（不改动活动数据）。"""
    from optimizer.sample.field import Field
    from workers.commands.simulation import simulate_campaign
    from workers.tasks.config import current

    bar, advance = progress_bar("模拟 / simulating days")
    with bar:
        result = simulate_campaign(
            campaign,
            Field(not_home=not_home, absent=absent),
            seed,
            workers=workers or 2,
            replan_time_limit_s=current().replan_time_limit_s,
            on_day=advance,
        )
    table = Table(title=f"覆盖率 / coverage (未遇 {not_home:.0%}，缺勤 {absent:.0%}，种子 {seed})")
    for name in ("天", "每晚重排", "静态计划", "当天结果数", "重排人员"):
        table.add_column(name, justify="right")
    for d in result.days:
        table.add_row(
            str(d.day),
            f"{d.coverage:.2%}",
            f"{d.static_coverage:.2%}",
            str(d.outcomes),
            str(d.changed_cadres),
        )
    out.print(table)
    last = result.days[-1]
    out.print(
        f"截止时覆盖率 {last.coverage:.2%}（静态计划 {last.static_coverage:.2%}）；"
        f"升级处理 {result.escalated} 个；分片改动 {result.pairing_changes} 次；"
        f"共 {result.versions} 版计划"
    )
