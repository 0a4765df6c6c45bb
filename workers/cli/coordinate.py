"""``zoufang rebalance``: move the at-risk cadres' targets to cadres with time, audited."""

from __future__ import annotations

import getpass
import json
import sys
from collections import defaultdict
from typing import Annotated

import typer

from workers.cli.app import app, out
from workers.cli.options import CampaignArg
from workers.cli.text import t


@app.command(short_help=t("风险人员的移交方案：查看，一条命令执行", "rebalance the at-risk"))
def rebalance(
    campaign: CampaignArg,
    apply: Annotated[
        str | None,
        typer.Option(
            "--apply", metavar="方案编号", help=t("执行这个编号的方案（先查看）", "apply this key")
        ),
    ] = None,
    reason: Annotated[
        str, typer.Option("--reason", help=t("原因（记入审计记录）", "reason (audited)"))
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help=t("输出 JSON", "print JSON"))] = False,
) -> None:
    """风险人员期限内排不下的对象，交给可以走访、又有空余时间的人员：列出移交方案（哪些对象、
    交给谁、多少分钟）；--apply 方案编号 一次执行（每个对象一条审计记录），下次重排生效。"""
    from workers.commands import rebalance as jobs

    if apply is not None:
        done = jobs.apply(campaign, apply, reason, getpass.getuser())
        out.print(
            t(
                f"已按方案 {done.key} 调整 {len(done.moves)} 个对象（每个都记入审计记录）；"
                "运行 zoufang replan 后生效",
                f"proposal {done.key}: {len(done.moves)} targets moved; run zoufang replan",
            ),
            markup=False,
        )
        return
    campaign_data, proposal = jobs.proposal(campaign)
    if as_json:
        data = {
            "key": proposal.key,
            "moves": [_move(m) for m in proposal.moves],
            "stuck": [{"target_id": a, "cadre_id": b} for a, b in proposal.stuck],
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    if not proposal.moves and not proposal.stuck:
        out.print(t("没有风险人员，不需要调整", "nobody is at risk"))
        return
    _print_proposal(campaign_data, proposal, campaign)


def _move(m) -> dict:
    return {"target_id": m.target_id, "from": m.from_cadre, "to": m.to_cadre, "minutes": m.minutes}


def _print_proposal(campaign_data, proposal, folder) -> None:
    from optimizer.domain.privacy import mask_name

    cadres = campaign_data.cadre_index()
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for m in proposal.moves:
        groups[(m.from_cadre, m.to_cadre)].append(m)
    out.print(t(f"调整方案 {proposal.key}：", f"proposal {proposal.key}:"), markup=False)
    for (giver, taker), moves in groups.items():
        ids = "、".join(m.target_id for m in moves)
        minutes = sum(m.minutes for m in moves)
        out.print(
            f"  {mask_name(cadres[giver].name)}（{giver}）→ {mask_name(cadres[taker].name)}"
            f"（{taker}）：{len(moves)} 个对象，约 {minutes} 分钟：{ids}",
            markup=False,
        )
    stuck: dict[str, list[str]] = defaultdict(list)
    for target, cadre in proposal.stuck:
        stuck[cadre].append(target)
    for cadre, ids in stuck.items():
        shown = "、".join(ids[:5]) + (f" 等 {len(ids)} 个" if len(ids) > 5 else "")
        out.print(
            t(
                f"  {mask_name(cadres[cadre].name)}（{cadre}）：{shown} 没有可以接手又有空余"
                "时间的人员，需增加人员或每日时长",
                f"  {cadre}: {len(ids)} targets nobody can take",
            ),
            style="yellow",
            markup=False,
        )
    if proposal.moves:
        out.print(
            t(
                f'执行：zoufang rebalance {folder} --apply {proposal.key} --reason "原因"',
                f"apply: zoufang rebalance {folder} --apply {proposal.key}",
            ),
            markup=False,
        )
