"""``ledger``, ``followup``, ``report``, ``spotcheck``: the 诉求 ledger and its follow-up.

Every command takes the campaign folder first, then its action (``ledger CAMPAIGN list``,
``followup CAMPAIGN plan``), like the other commands.
"""

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
from workers.cli.text import t


class LedgerAction(StrEnum):
    list = "list"
    update = "update"
    export = "export"


class FollowupAction(StrEnum):
    plan = "plan"


def _ledger_table(rows: list) -> Table:
    """Ids, states and classes never wrap; the request text and notes fold."""
    from optimizer.domain.ledger import responsibility_zh, subject_zh

    table = Table(title=t(f"诉求台账（{len(rows)} 件）", f"request ledger ({len(rows)})"))
    for zh, en in (
        ("编号", "id"),
        ("对象", "target"),
        ("人员", "cadre"),
        ("状态", "state"),
        ("期限", "due"),
        ("大类", "class"),
        ("小类", "subject"),
    ):
        table.add_column(t(zh, en), no_wrap=True)
    for zh, en in (("诉求内容", "request"), ("责任单位", "unit"), ("办理情况", "notes")):
        table.add_column(t(zh, en), overflow="fold")
    for r in rows:
        table.add_row(
            str(r.id),
            r.target_id,
            r.cadre_id,
            r.state,
            r.due.isoformat(),
            responsibility_zh(r.responsibility),
            subject_zh(r.subject),
            mask_free_text(r.text),
            mask_free_text(r.answering_unit),
            mask_free_text(r.notes),
        )
    return table


@app.command(short_help=t("诉求台账：查看、更新、分类、导出", "the request ledger"))
def ledger(
    campaign: CampaignArg,
    action: Annotated[
        LedgerAction,
        typer.Argument(help=t("list 查看、update 更新、export 导出清单", "list, update or export")),
    ],
    request_id: Annotated[
        int | None, typer.Option("--id", help=t("诉求编号（update）", "request id"))
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help=t("新状态：办理中、已办结、已销号", "new state")),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            metavar="R-S",
            help=t("分类（如 2-1 或 镇和市直部门联动-居住环境）", "classify, e.g. 2-1"),
        ),
    ] = None,
    note: Annotated[
        str, typer.Option("--note", help=t("办理说明（记入台账）", "note (kept)"))
    ] = "",
    unit: Annotated[
        str | None, typer.Option("--unit", help=t("责任单位", "answering unit"))
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help=t("操作人（默认当前用户）", "who (default: you)"))
    ] = None,
    state: Annotated[
        str | None, typer.Option("--state", help=t("只看某状态（list）", "only this state"))
    ] = None,
    klass: Annotated[
        int | None,
        typer.Option(
            "--class", min=0, max=3, help=t("只看某大类，0 为待分类（list）", "only this class")
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=t("输出 JSON（list）", "JSON"))] = False,
    out_dir: OutOpt = None,
) -> None:
    """诉求台账：登记 → 办理中 → 已办结 → 已回访 → 已销号；待分类的诉求先分类再办理。"""
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
        if request_id is None or not (to or category):
            err.print(t("update 需要 --id，以及 --to 或 --category", "update needs --id and --to"))
            raise typer.Exit(2)
        row = ledger_jobs.ledger_update(
            campaign, request_id, to, by or getpass.getuser(), note, unit, category
        )
        out.print(
            t(f"诉求 {request_id} 现为「{row.state}」", f"request {request_id}: {row.state}"),
            markup=False,
        )
    else:
        for path in ledger_jobs.ledger_export(campaign, out_dir):
            out.print(t(f"已导出 {path}", f"wrote {path}"), markup=False)


def _campaign_then_action(campaign: Path, action: str) -> tuple[Path, str]:
    """``followup plan CAMPAIGN`` (the order before CAMPAIGN came first) still works."""
    if campaign.name == "plan" and not campaign.exists() and Path(action).is_dir():
        return Path(action), "plan"
    return campaign, action


@app.command(short_help=t("回访：由受理诉求的同一名人员上门反馈", "plan return visits"))
def followup(
    campaign: CampaignArg,
    action: Annotated[
        str,
        typer.Argument(
            metavar="ACTION", help=t("plan：为已办结的诉求安排回访路线", "plan: return visits")
        ),
    ],
    start: Annotated[
        str, typer.Option("--from", help=t("回访开始日期 YYYY-MM-DD", "first date, YYYY-MM-DD"))
    ],
    days: Annotated[
        int, typer.Option("--days", min=1, max=60, help=t("回访天数", "number of days"))
    ] = 3,
    out_dir: OutOpt = None,
    workers: WorkersOpt = None,
    maps: MapsOpt = True,
) -> None:
    """回访：已办结的诉求由受理它的同一名人员上门反馈办理情况（一访到底）。"""
    from workers.commands.followup import plan_followup

    campaign, action = _campaign_then_action(campaign, action)
    if action != FollowupAction.plan:
        err.print(t("目前只有 followup CAMPAIGN plan", "only `followup CAMPAIGN plan` exists"))
        raise typer.Exit(2)
    try:
        first = dt.date.fromisoformat(start)
    except ValueError:
        err.print(t(f"--from 不是日期：{start}（应为 YYYY-MM-DD）", f"not a date: {start}"))
        raise typer.Exit(2) from None
    planned = plan_followup(campaign, first, days, out=out_dir, workers=workers, maps=maps)
    if planned is None:
        out.print(
            t(
                "没有待回访的诉求（状态为「已办结」的）；未生成回访安排",
                "no resolved request awaits its return visit; nothing planned",
            )
        )
        return
    number, folder, plan = planned
    visits = sum(len(r.stops) for r in plan.routes)
    cadres = len({r.cadre_id for r in plan.routes if r.stops})
    out.print(
        t(
            f"第 {number} 次回访安排：{visits} 处，{cadres} 名人员；"
            f"未能排入 {len(plan.unscheduled)} 处；输出 {folder}",
            f"return visits #{number}: {visits} stops, {cadres} cadres, "
            f"{len(plan.unscheduled)} unscheduled; {folder}",
        ),
        markup=False,
    )


@app.command(short_help=t("周调度报告：xlsx 与含图表的网页", "the weekly dispatch report"))
def report(
    campaign: CampaignArg,
    week: Annotated[
        int, typer.Option("--week", min=1, help=t("第几周（从活动开始算）", "week number"))
    ] = 1,
    out_dir: OutOpt = None,
) -> None:
    """周调度报告：走访进度、各人员进度、诉求与办结率；xlsx 与含图表的网页。"""
    from workers.commands import ledger as ledger_jobs

    for path in ledger_jobs.week_report(campaign, week, out_dir):
        out.print(t(f"已生成 {path}", f"wrote {path}"), markup=False)


@app.command(short_help=t("电话回访抽查：抽样与登记结果", "phone spot checks"))
def spotcheck(
    campaign: CampaignArg,
    share: Annotated[
        float,
        typer.Option(callback=share_of, help=t("每名人员抽查的比例", "share per cadre")),
    ] = 0.05,
    seed: Annotated[int, typer.Option(help=t("随机种子（同一种子抽到同一批）", "random seed"))] = 1,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results",
            help=t("登记抽查结果：对象编号、核实结果（属实/不属实/未接通）、备注", "results"),
        ),
    ] = None,
    out_dir: OutOpt = None,
) -> None:
    """电话回访抽查：按人员抽取已走访对象；登记结果，不属实的由同一人员复访。"""
    from workers.commands import ledger as ledger_jobs

    if results is not None:
        count = ledger_jobs.record_spotchecks(campaign, results, getpass.getuser())
        out.print(
            t(
                f"已登记 {count} 条抽查结果；核实不属实的对象将在下次重排时由原人员复访",
                f"{count} results recorded; false visits are visited again at the next re-plan",
            )
        )
        return
    count, path = ledger_jobs.sample_spotchecks(campaign, share, seed, out_dir)
    out.print(
        t(
            f"抽取 {count} 户（每名人员约 {share:.0%}）：{path}",
            f"{count} sampled (about {share:.0%} per cadre): {path}",
        ),
        markup=False,
    )
