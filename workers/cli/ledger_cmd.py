"""``ledger``, ``followup``, ``report``, ``spotcheck``: the 诉求 ledger and its follow-up."""

from __future__ import annotations

import datetime as dt
import getpass
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from optimizer.domain.privacy import mask_free_text
from workers.cli.app import app, err, json_text, out
from workers.cli.options import CampaignArg, MapsOpt, OutOpt, WorkersOpt
from workers.cli.options import share as share_of


class LedgerAction(StrEnum):
    list = "list"
    update = "update"
    export = "export"


def _ledger_table(rows: list[dict]) -> Table:
    """Ids and states never truncated; the request text wraps."""
    from optimizer.domain.codes import RESPONSIBILITY_ZH, SUBJECT_ZH

    table = Table(title=f"诉求台账（{len(rows)} 件）")
    for name in ("编号", "对象", "人员", "状态", "期限"):
        table.add_column(name, no_wrap=True)
    for name in ("大类", "小类", "诉求内容", "责任单位"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(
            str(r.id),
            r.target_id,
            r.cadre_id,
            r.state,
            r.due.isoformat(),
            RESPONSIBILITY_ZH[r.responsibility],
            SUBJECT_ZH[r.subject],
            mask_free_text(r.text),
            mask_free_text(r.answering_unit),
        )
    return table


@app.command()
def ledger(
    campaign: CampaignArg,
    action: Annotated[
        LedgerAction, typer.Argument(help="list 查看 / update 更新状态 / export 导出清单")
    ],
    request_id: Annotated[int | None, typer.Option("--id", help="诉求编号（update）")] = None,
    to: Annotated[str | None, typer.Option("--to", help="新状态：办理中 / 已办结 / 已销号")] = None,
    note: Annotated[str, typer.Option("--note", help="办理说明（记入台账）")] = "",
    unit: Annotated[str | None, typer.Option("--unit", help="责任单位")] = None,
    by: Annotated[str | None, typer.Option("--by", help="操作人（默认当前用户）")] = None,
    state: Annotated[str | None, typer.Option("--state", help="只看某状态（list）")] = None,
    klass: Annotated[
        int | None, typer.Option("--class", min=1, max=3, help="只看某大类（list）")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出（list）")] = False,
    out_dir: OutOpt = None,
) -> None:
    """诉求台账：登记 → 办理中 → 已办结 → 已回访 → 已销号 / the request ledger."""
    from workers.commands import ledger as ledger_jobs

    if action is LedgerAction.list:
        rows = ledger_jobs.ledger_rows(campaign, state, klass)
        if as_json:
            data = [
                {**asdict(r), "text": mask_free_text(r.text), "unit": r.answering_unit}
                for r in rows
            ]
            sys.stdout.write(json_text(data) + "\n")
            return
        out.print(_ledger_table(rows))
    elif action is LedgerAction.update:
        if request_id is None or not to:
            err.print("update 需要 --id 和 --to")
            raise typer.Exit(2)
        row = ledger_jobs.ledger_update(
            campaign, request_id, to, by or getpass.getuser(), note, unit
        )
        out.print(f"诉求 {request_id} 已改为「{row.state}」")
    else:
        for path in ledger_jobs.ledger_export(campaign, out_dir):
            out.print(f"已导出 {path}")


@app.command()
def followup(
    action: Annotated[str, typer.Argument(help="plan：为已办结的诉求安排回访路线")],
    campaign: CampaignArg,
    start: Annotated[str, typer.Option("--from", help="回访开始日期 YYYY-MM-DD")],
    days: Annotated[int, typer.Option("--days", min=1, max=60, help="回访天数")] = 3,
    out_dir: OutOpt = None,
    workers: WorkersOpt = None,
    maps: MapsOpt = True,
) -> None:
    """回访：由受理诉求的同一名人员上门反馈办理情况 / plan return visits (same cadre)."""
    from workers.commands.followup import plan_followup

    if action != "plan":
        err.print("目前支持 followup plan / only `followup plan` is supported")
        raise typer.Exit(2)
    try:
        first = dt.date.fromisoformat(start)
    except ValueError:
        err.print(f"--from 不是日期：{start}（应为 YYYY-MM-DD）")
        raise typer.Exit(2) from None
    planned = plan_followup(campaign, first, days, out=out_dir, workers=workers, maps=maps)
    if planned is None:
        out.print("没有待回访的诉求（状态为「已办结」的）；未生成回访安排")
        return
    number, folder, plan = planned
    visits = sum(len(r.stops) for r in plan.routes)
    out.print(
        f"第 {number} 次回访安排：{visits} 处，{len({r.cadre_id for r in plan.routes})} 名人员；"
        f"未能排入 {len(plan.unscheduled)} 处；输出 {folder}"
    )


@app.command()
def report(
    campaign: CampaignArg,
    week: Annotated[int, typer.Option("--week", min=1, help="第几周（从活动开始算）")] = 1,
    out_dir: OutOpt = None,
) -> None:
    """周调度报告：xlsx 与含图表的网页 / the weekly dispatch report."""
    from workers.commands import ledger as ledger_jobs

    for path in ledger_jobs.week_report(campaign, week, out_dir):
        out.print(f"已生成 {path}")


@app.command()
def spotcheck(
    campaign: CampaignArg,
    share: Annotated[float, typer.Option(callback=share_of, help="每名人员抽查的比例")] = 0.05,
    seed: Annotated[int, typer.Option(help="随机种子（同一种子抽到同一批）")] = 1,
    results: Annotated[
        Path | None, typer.Option("--results", help="登记抽查结果（对象编号、核实结果、备注）")
    ] = None,
    out_dir: OutOpt = None,
) -> None:
    """电话回访抽查：按人员抽取已走访对象并登记核实结果 / phone spot checks."""
    from workers.commands import ledger as ledger_jobs

    if results is not None:
        count = ledger_jobs.record_spotchecks(campaign, results)
        out.print(f"已登记 {count} 条抽查结果")
        return
    count, path = ledger_jobs.sample_spotchecks(campaign, share, seed, out_dir)
    out.print(f"抽取 {count} 户（每名人员约 {share:.0%}）：{path}")
