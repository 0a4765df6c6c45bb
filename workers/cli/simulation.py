"""``zoufang simulate``: the whole window, with re-planning, beside a static plan."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from workers.cli.app import app, out
from workers.cli.options import CampaignArg, WorkersOpt, progress_bar, share
from workers.cli.text import t


@app.command(short_help=t("模拟整个活动期，与静态计划对比", "closed-loop simulation"))
def simulate(
    campaign: CampaignArg,
    not_home: Annotated[
        float,
        typer.Option("--not-home", callback=share, help=t("白天未遇概率", "not-home share")),
    ] = 0.2,
    absent: Annotated[
        float,
        typer.Option(
            "--absent",
            callback=share,
            help=t("人员缺勤（整天无记录）概率", "absent-day share"),
        ),
    ] = 0.05,
    work_ahead: Annotated[
        bool,
        typer.Option(
            "--work-ahead",
            help=t(
                "未遇只占 3 分钟，当天走完仍有时间的人员接着走访自己后一天的对象",
                "a miss takes 3 minutes; cadres with time left go on with their next stops",
            ),
        ),
    ] = False,
    seed: Annotated[int, typer.Option(help=t("随机种子", "random seed"))] = 1,
    workers: WorkersOpt = None,
) -> None:
    """模拟整个活动期：每天登记结果并重排，与不重排的静态计划对比覆盖率（不改动活动数据）。"""
    from optimizer.sample.field import Field
    from workers.commands.simulation import simulate_campaign
    from workers.tasks.config import current

    bar, advance = progress_bar(t("模拟", "simulating"))
    with bar:
        result = simulate_campaign(
            campaign,
            Field(not_home=not_home, absent=absent, work_ahead=work_ahead),
            seed,
            workers=workers or 2,
            replan_time_limit_s=current().replan_time_limit_s,
            on_day=advance,
        )
    table = Table(
        title=t(
            f"覆盖率（未遇 {not_home:.0%}，缺勤 {absent:.0%}，种子 {seed}"
            + ("，提前走访" if work_ahead else "")
            + "）",
            f"coverage (not home {not_home:.0%}, absent {absent:.0%}, seed {seed}"
            + (", work ahead" if work_ahead else "")
            + ")",
        )
    )
    for zh, en in (
        ("天", "day"),
        ("每晚重排", "re-planned"),
        ("静态计划", "static"),
        ("当天结果数", "outcomes"),
        ("重排人员", "cadres re-planned"),
    ):
        table.add_column(t(zh, en), justify="right", no_wrap=True)
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
        t(
            f"截止时覆盖率 {last.coverage:.2%}（静态计划 {last.static_coverage:.2%}）；"
            f"升级处理 {result.escalated} 个；分片改动 {result.pairing_changes} 次；"
            f"共 {result.versions} 版计划",
            f"final coverage {last.coverage:.2%} (static {last.static_coverage:.2%}); "
            f"{result.escalated} escalated; {result.pairing_changes} pairing changes",
        )
    )
