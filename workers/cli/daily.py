"""The daily loop: ``record``, ``replan``, ``status``, ``override``, ``worker``."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from workers.cli.app import app, err, json_text, out
from workers.cli.options import CampaignArg, MapsOpt, OutOpt, WorkersOpt, progress_bar
from workers.cli.slack import print_slack
from workers.cli.text import t


def _notice(campaign: Path, out_dir: Path | None = None) -> None:
    """Say when the output files lag the store (a killed command, a full disk)."""
    from workers.commands import daily

    notice = daily.outputs_notice(campaign, out_dir)
    if notice:
        err.print(notice, style="yellow")


@app.command(short_help=t("登记一天的走访结果（含回访结果）", "record a day's outcomes"))
def record(
    campaign: CampaignArg,
    outcomes: Annotated[
        Path,
        typer.Argument(metavar="OUTCOMES", help=t("走访结果文件（CSV/XLSX）", "outcomes file")),
    ],
    day: Annotated[
        int | None,
        typer.Option(
            "--day",
            min=1,
            help=t("这份结果是第几天的（默认：文件中最晚的一天）", "the day this file records"),
        ),
    ] = None,
    replace: Annotated[
        str | None,
        typer.Option(
            "--replace",
            metavar="REASON",
            help=t(
                "更正已登记的结果：本文件的行取代同一对象同一天已登记的行（原因记入审计记录）",
                "correct recorded outcomes: this file's rows replace those of the same "
                "target and day (the reason is audited)",
            ),
        ),
    ] = None,
) -> None:
    """登记一天的走访结果（含回访结果）；同一文件重复登记不会重复计入。

    与已登记结果不同的行（同一对象同一天的另一结果、补充的诉求）会被列出并拒绝（退出码 2），
    确认是更正时用 --replace 原因。"""
    from workers.commands import daily

    if replace is not None and not replace.strip():
        raise typer.BadParameter(t("--replace 需要说明原因", "--replace needs a reason"))
    new, rows = daily.record(
        campaign, outcomes, day, replace=replace and replace.strip(), actor=getpass.getuser()
    )
    if replace:
        out.print(
            t(
                f"已登记 {new} 条新的或更正的结果（文件共 {rows} 条）",
                f"{new} new or corrected of {rows} rows",
            )
        )
    else:
        out.print(t(f"已登记 {new} 条新结果（文件共 {rows} 条）", f"{new} new of {rows} rows"))
    _notice(campaign)


TIMING_ZH = {
    "begin": "准备",
    "workers": "求解",
    "publish": "发布",
    "export": "写文件",
    "maps": "地图",
}


def print_risks(summary: dict) -> None:
    for risk in summary["at_risk"]:
        text = t(
            f"风险 {risk['cadre_id']}：缺 {risk['missing_minutes']} 分钟 —— {risk['remedy']}",
            f"at risk {risk['cadre_id']}: {risk['missing_minutes']} minutes short",
        )
        out.print(text, style="yellow", markup=False)


@app.command(short_help=t("夜间重排剩余天数", "re-plan the remaining days"))
def replan(
    campaign: CampaignArg,
    out_dir: OutOpt = None,
    day: Annotated[
        int | None,
        typer.Option(
            "--day",
            help=t("以第几天为“今天”（默认：最后登记的一天）", "today (default: last night)"),
        ),
    ] = None,
    workers: WorkersOpt = None,
    maps: MapsOpt = True,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help=t("确认发布一次会让多名人员已排任务排不下的重排", "publish a held re-plan"),
        ),
    ] = False,
    from_version: Annotated[
        int | None,
        typer.Option(
            "--from-version",
            min=1,
            help=t("先回退到第 N 版计划，再从它重排", "roll back to version N, then re-plan"),
        ),
    ] = None,
) -> None:
    """夜间重排剩余天数，每名人员只在本人责任区内。"""
    from workers.commands import daily

    bar, advance = progress_bar(t("重排", "re-planning"))
    with bar:
        summary = daily.replan(
            campaign,
            out_dir,
            day=day,
            workers=workers,
            progress=advance,
            maps=maps,
            force=force,
            from_version=from_version,
            actor=getpass.getuser(),
        )
    out.print(
        t(
            f"第 {summary['plan_version']} 版计划（第 {summary['after_day']} 天之后）：覆盖率 "
            f"{summary['coverage']:.1%}，升级处理 {len(summary['escalated'])} 个，"
            f"待核实 {len(summary['corrections'])} 个，风险人员 {len(summary['at_risk'])} 名",
            f"plan version {summary['plan_version']} (after day {summary['after_day']}): "
            f"coverage {summary['coverage']:.1%}, {len(summary['at_risk'])} cadres at risk",
        )
    )
    print_risks(summary)
    print_slack(summary, summary.get("cadre_names", {}))
    timing = summary["timing"]
    parts = "，".join(f"{TIMING_ZH.get(k, k)} {v:.2f} 秒" for k, v in timing.items())
    english = ", ".join(f"{k} {v:.2f} s" for k, v in timing.items())
    out.print(
        t(
            f"重排 {summary['replanned_cadres']} 名人员；用时：{parts}",
            f"{summary['replanned_cadres']} cadres re-planned; {english}",
        ),
        markup=False,
    )


FINISH_ZH = {"done": "已完成", "on_track": "第 {day} 天", "late": "期限内完不成"}


def _finish_text(n: dict) -> str:
    """预计完成日, honestly: finished, the day, or not by the deadline (and how many)."""
    finish = n.get("finish", {})
    if finish.get("state") == "done":
        return t("已完成", "done")
    if finish.get("state") == "late":
        return t(f"完不成（{finish['unscheduled']} 个排不下）", f"late ({finish['unscheduled']})")
    return t(f"第 {finish.get('day', 0)} 天", f"day {finish.get('day', 0)}")


def _table(title: str, rows: dict[str, dict], first: str, finish: bool = False) -> Table:
    table = Table(title=title)
    names = [first, *(t(zh, en) for zh, en in COLUMN_NAMES)]
    if finish:
        names.append(t("预计完成", "finish"))
    for name in names:
        table.add_column(name, justify="left" if name == first else "right", no_wrap=True)
    for key, n in rows.items():
        values = [str(n.get(k, 0)) for k in ("total", "done", "pending", "not_home", "escalated")]
        table.add_row(key, *values, *([_finish_text(n)] if finish else []))
    return table


COLUMN_NAMES = (
    ("合计", "total"),
    ("已完成", "done"),
    ("待走访", "pending"),
    ("未遇待重访", "not home"),
    ("已升级", "escalated"),
)


@app.command(short_help=t("进度、覆盖率、风险与未报告人员", "progress and risks"))
def status(
    campaign: CampaignArg,
    as_json: Annotated[bool, typer.Option("--json", help=t("输出 JSON", "print JSON"))] = False,
) -> None:
    """进度、覆盖率、风险人员，以及哪天哪些人员没有报告任何结果。"""
    from workers.commands import daily

    report = daily.status(campaign)
    _notice(campaign)
    if as_json:
        sys.stdout.write(json_text(report) + "\n")
        return
    out.print(
        t(
            f"{report['campaign']}：第 {report['plan_version']} 版计划，覆盖率 "
            f"{report['coverage']:.1%}，风险人员 {len(report['at_risk'])} 名",
            f"{report['campaign']}: plan version {report['plan_version']}, coverage "
            f"{report['coverage']:.1%}, {len(report['at_risk'])} at risk",
        )
    )
    out.print(_table(t("按村/社区", "by village"), report["by_village"], t("村/社区", "village")))
    out.print(_table(t("按走访人员", "by cadre"), report["by_cadre"], t("人员", "cadre"), True))
    print_risks(report)
    for night in report["silent"]:
        names = "、".join(f"{c['name']}（{c['cadre_id']}）" for c in night["cadres"])
        out.print(
            t(
                f"第 {night['day']} 天（{night['date']}）未报告任何结果：{names}",
                f"day {night['day']}: no outcome from {names}",
            ),
            style="yellow",
            markup=False,
        )


@app.command(short_help=t("协调员调整：一个对象改由另一名人员走访", "audited reassignment"))
def override(
    campaign: CampaignArg,
    target: Annotated[str, typer.Option("--target", help=t("对象编号", "target id"))],
    to: Annotated[str, typer.Option("--to", help=t("接手的走访人员编号", "the new cadre"))],
    reason: Annotated[
        str, typer.Option("--reason", help=t("原因（记入审计记录）", "reason (audited)"))
    ],
) -> None:
    """协调员调整：把一个对象改由另一名人员走访（唯一的方式，留审计记录），下次重排生效。"""
    from workers.commands import daily

    previous = daily.override(campaign, target, to, reason, getpass.getuser())
    out.print(
        t(
            f"已将 {target} 由 {previous} 调整给 {to}（原因：{reason}），下次重排生效",
            f"{target} moved from {previous} to {to}; effective at the next re-plan",
        ),
        markup=False,
    )


@app.command(short_help=t("由库中数据重新生成全部输出文件", "write every output again"))
def export(
    campaign: CampaignArg,
    out_dir: OutOpt = None,
    maps: MapsOpt = True,
    workers: WorkersOpt = None,
) -> None:
    """由库中数据重新生成全部输出文件（附件2、路线表、日路线、摘要、历史版本、地图、台账清单、回访安排、周调度报告）。"""
    from workers.commands import daily

    version, written = daily.export(campaign, out_dir, maps=maps, workers=workers)
    out.print(
        t(
            f"已按第 {version} 版重新生成：{'、'.join(written)}",
            f"version {version} written again: {', '.join(written)}",
        )
    )


@app.command(short_help=t("解除本活动的锁定（记入审计记录）", "remove a lock (audited)"))
def unlock(
    campaign: CampaignArg,
    reason: Annotated[
        str, typer.Option("--reason", help=t("原因（记入审计记录）", "reason (audited)"))
    ],
) -> None:
    """解除本活动的锁定（被中断的 plan/replan 通常会自动解除；记入审计记录）。"""
    from workers.commands import daily

    held = daily.unlock(campaign, getpass.getuser(), reason)
    if held is None:
        out.print(t("本活动没有锁定，已记录", "the campaign was not locked (noted)"))
    else:
        out.print(t(f"已解除锁定：{held}（已记入审计记录）", f"unlocked: {held} (audited)"))


@app.command(short_help=t("启动重排工作进程（Redis）", "start the re-plan workers"))
def worker(
    processes: Annotated[int, typer.Option(min=1, max=256, help=t("进程数", "processes"))] = 2,
    threads: Annotated[
        int,
        typer.Option(
            min=1, max=64, help=t("每进程线程数（求解占用 GIL，建议 1）", "threads per process")
        ),
    ] = 1,
) -> None:
    """启动 Dramatiq 走访重排工作进程（需设置 ZOUFANG_BROKER 和 ZOUFANG_DB）。"""
    from workers.tasks.config import current
    from workers.tasks.runner import run_workers

    config = current()
    if not config.broker_url:
        err.print(t("请先设置 ZOUFANG_BROKER=redis://…", "set ZOUFANG_BROKER first"))
        raise typer.Exit(2)
    if not config.db_url:
        err.print(
            t(
                "工作进程需要与协调端共用的数据库：请设置 ZOUFANG_DB=postgresql://…",
                "workers need the shared database: set ZOUFANG_DB",
            )
        )
        raise typer.Exit(2)

    out.print(
        t(
            f"走访重排工作进程：{processes} 个进程 × {threads} 线程，按 Ctrl+C 停止",
            f"re-plan workers: {processes} processes × {threads} threads; Ctrl+C stops",
        )
    )
    run_workers(processes, threads)
