"""``zoufang demo``: the whole job on a sample town, with no servers."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from optimizer.domain.errors import ZoufangError
from workers.cli.app import app, out
from workers.cli.inputs import Town
from workers.cli.text import t

DEMO_MARKER = ".zoufang-demo"


@app.command(short_help=t("演示：样例镇的一天，无需服务器", "the whole job on a sample town"))
def demo(
    out_dir: Annotated[
        Path, typer.Argument(metavar="OUT", help=t("演示输出文件夹", "output folder"))
    ],
    town: Annotated[
        Town, typer.Option(help=t("chaihudian 或 huangtun", "chaihudian or huangtun"))
    ] = Town.huangtun,
    targets: Annotated[int, typer.Option(min=50, help=t("走访对象数", "targets"))] = 1200,
    seed: Annotated[int, typer.Option(help=t("随机种子", "random seed"))] = 1,
) -> None:
    """演示：样例镇 → 分片与路线 → 模拟一天 → 登记 → 夜间重排 → 进度（无需任何服务器）。"""
    from optimizer.outputs.files import write_json
    from optimizer.outputs.routes import write_outcomes_csv
    from optimizer.sample import SYNTHETIC_NOTE, generate_sample, write_sample
    from optimizer.sample.field import Field, simulate_day
    from workers.commands import daily, plan
    from workers.commands.campaign import open_campaign

    campaign_dir = Path(out_dir) / "campaign"
    if campaign_dir.exists():
        # Rebuilt every run, but only a folder the demo made itself (it leaves a marker).
        if not (campaign_dir / DEMO_MARKER).is_file():
            raise ZoufangError(
                f"{campaign_dir} 已存在且不是演示生成的文件夹，未做任何改动；请换一个输出文件夹"
            )
        shutil.rmtree(campaign_dir)
    write_sample(campaign_dir, generate_sample(town.value, targets, seed))
    (campaign_dir / DEMO_MARKER).write_text("zoufang demo\n", encoding="utf-8")
    out.print(f"1. 样例活动 {campaign_dir}（{SYNTHETIC_NOTE}）")
    result = plan.plan_campaign(campaign_dir)
    s = result.summary
    out.print(
        f"2. 分片与路线 {s['targets']} 个对象、{s['cadres']} 名人员；负荷最大/平均 "
        f"{s['workload_max_over_mean']}；最晚第 {max(s['projected_finish_day'].values())} 天完成"
    )
    _, store, campaign_id = open_campaign(campaign_dir)
    campaign = store.load_campaign(campaign_id)
    day1 = simulate_day(campaign, store.plan(campaign_id, 1), 1, Field(), seed)
    outcomes_file = write_outcomes_csv(campaign_dir / "outcomes-day1.csv", day1)
    new, _ = daily.record(campaign_dir, outcomes_file)
    out.print(f"3. 模拟第 1 天并登记 {new} 条结果（{outcomes_file.name}）")
    summary = daily.replan(campaign_dir)
    out.print(
        f"4. 夜间重排 第 {summary['plan_version']} 版计划，"
        f"覆盖率 {summary['coverage']:.1%}，风险人员 {len(summary['at_risk'])} 名"
    )
    status = daily.status(campaign_dir)
    out.print(f"5. 进度 覆盖率 {status['coverage']:.1%}；按村：")
    for village, n in status["by_village"].items():
        out.print(f"   {village}: 已完成 {n['done']}/{n['total']}，未遇待重访 {n['not_home']}")
    outputs = campaign_dir / "out"
    out.print(f"输出：{outputs}（附件2、路线表、日路线、地图 maps/overview.html）", markup=False)
    write_json(outputs / "demo-status.json", status)
