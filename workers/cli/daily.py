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


def _notice(campaign: Path, out_dir: Path | None = None) -> None:
    """Say when the output files lag the store (a killed command, a full disk)."""
    from workers.commands import daily

    notice = daily.outputs_notice(campaign, out_dir)
    if notice:
        err.print(notice, style="yellow")


@app.command()
def record(
    campaign: CampaignArg,
    outcomes: Annotated[Path, typer.Argument(metavar="OUTCOMES", help="走访结果文件（CSV/XLSX）")],
    replace: Annotated[
        str | None,
        typer.Option(
            "--replace",
            metavar="REASON",
            help="更正已登记的结果：本文件的行取代同一对象同一天已登记的行（原因记入审计记录）",
        ),
    ] = None,
) -> None:
    """登记一天的走访结果；重复登记不会重复计入 / store one day's outcomes (idempotent).

    与已登记结果不同的行（同一对象同一天的另一结果、补充的诉求）会被列出并拒绝（退出码 2），
    确认是更正时用 --replace 原因。"""
    from workers.commands import daily

    if replace is not None and not replace.strip():
        raise typer.BadParameter("--replace 需要说明原因", param_hint="--replace")
    new, rows = daily.record(
        campaign, outcomes, replace=replace and replace.strip(), actor=getpass.getuser()
    )
    what = "新的或更正的" if replace else "新"
    out.print(f"已登记 {new} 条{what}结果（文件共 {rows} 条）/ {new} new")
    _notice(campaign)


@app.command()
def replan(
    campaign: CampaignArg,
    out_dir: OutOpt = None,
    day: Annotated[
        int | None, typer.Option("--day", help="以第几天为“今天”（默认：最后登记的一天）")
    ] = None,
    workers: WorkersOpt = None,
    maps: MapsOpt = True,
) -> None:
    """夜间重排剩余天数（只在本人责任区内）/ re-plan the remaining days inside each cadre's area."""
    from workers.commands import daily

    bar, advance = progress_bar("重排 / re-planning")
    with bar:
        summary = daily.replan(
            campaign, out_dir, day=day, workers=workers, progress=advance, maps=maps
        )
    out.print(
        f"第 {summary['plan_version']} 版计划（第 {summary['after_day']} 天之后）：覆盖率 "
        f"{summary['coverage']:.1%}，升级处理 {len(summary['escalated'])} 个，"
        f"待核实 {len(summary['corrections'])} 个，风险人员 {len(summary['at_risk'])} 名"
    )
    for risk in summary["at_risk"]:
        text = f"风险 {risk['cadre_id']}: 缺 {risk['missing_minutes']} 分钟 —— {risk['remedy']}"
        out.print(text, style="yellow", markup=False)
    timing = " ".join(f"{k}={v:.2f}s" for k, v in summary["timing"].items())
    out.print(f"重排 {summary['replanned_cadres']} 名人员；用时 / timing: {timing}", markup=False)


def _table(title: str, rows: dict[str, dict], first: str, extra: tuple[str, ...] = ()) -> Table:
    table = Table(title=title)
    for name in (first, "合计", "已完成", "待走访", "未遇待重访", "已升级", *extra):
        table.add_column(name, justify="left" if name == first else "right")
    for key, n in rows.items():
        values = [n.get(k, 0) for k in ("total", "done", "pending", "not_home", "escalated")]
        table.add_row(
            key,
            *(str(v) for v in values),
            *(str(n.get(k, "")) for k in ("projected_finish_day",) if extra),
        )
    return table


@app.command()
def status(
    campaign: CampaignArg,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """进度、覆盖率与风险人员 / progress, coverage and at-risk cadres."""
    from workers.commands import daily

    report = daily.status(campaign)
    _notice(campaign)
    if as_json:
        sys.stdout.write(json_text(report) + "\n")
        return
    out.print(
        f"{report['campaign']}：第 {report['plan_version']} 版计划，覆盖率 {report['coverage']:.1%}"
    )
    out.print(_table("按村/社区 / by village", report["by_village"], "村/社区"))
    out.print(_table("按走访人员 / by cadre", report["by_cadre"], "人员", ("预计完成日",)))
    for risk in report["at_risk"]:
        out.print(
            f"风险 {risk['cadre_id']}: 缺 {risk['missing_minutes']} 分钟 —— {risk['remedy']}",
            style="yellow",
            markup=False,
        )


@app.command()
def override(
    campaign: CampaignArg,
    target: Annotated[str, typer.Option("--target", help="对象编号")],
    to: Annotated[str, typer.Option("--to", help="接手的走访人员编号")],
    reason: Annotated[str, typer.Option("--reason", help="原因（记入审计记录）")],
) -> None:
    """协调员调整：把一个对象改由另一名人员走访（唯一的方式，留审计记录）/ audited reassignment."""
    from workers.commands import daily

    previous = daily.override(campaign, target, to, reason, getpass.getuser())
    out.print(f"已将 {target} 由 {previous} 调整给 {to}（原因：{reason}），下次重排生效")


@app.command()
def export(
    campaign: CampaignArg,
    out_dir: OutOpt = None,
    maps: MapsOpt = True,
    workers: WorkersOpt = None,
) -> None:
    """由库中数据重新生成全部输出文件（附件2、路线表、日路线、摘要、历史版本、地图、台账清单）/
    write every output file again from the store."""
    from workers.commands import daily

    version, written = daily.export(campaign, out_dir, maps=maps, workers=workers)
    out.print(f"已按第 {version} 版重新生成：{'、'.join(written)}")


@app.command()
def unlock(
    campaign: CampaignArg,
    reason: Annotated[str, typer.Option("--reason", help="原因（记入审计记录）")],
) -> None:
    """解除本活动的锁定（被中断的 plan/replan 通常会自动解除；记入审计记录）/ remove a lock."""
    from workers.commands import daily

    held = daily.unlock(campaign, getpass.getuser(), reason)
    if held is None:
        out.print("本活动没有锁定，已记录 / the campaign was not locked")
    else:
        out.print(f"已解除锁定：{held}（已记入审计记录）")


@app.command()
def worker(
    processes: Annotated[int, typer.Option(min=1, max=256, help="进程数")] = 2,
    threads: Annotated[
        int, typer.Option(min=1, max=64, help="每进程线程数（求解占用 GIL，建议 1）")
    ] = 1,
) -> None:
    """启动 Dramatiq 走访重排工作进程（需设置 ZOUFANG_BROKER）/ start Dramatiq workers."""
    from workers.tasks.config import current
    from workers.tasks.runner import run_workers

    config = current()
    if not config.broker_url:
        err.print("请先设置 ZOUFANG_BROKER=redis://… / set ZOUFANG_BROKER first")
        raise typer.Exit(2)
    if not config.db_url:
        err.print("工作进程需要与协调端共用的数据库：请设置 ZOUFANG_DB=postgresql://…")
        raise typer.Exit(2)

    out.print(f"走访重排工作进程：{processes} 个进程 × {threads} 线程，按 Ctrl+C 停止")
    run_workers(processes, threads)
