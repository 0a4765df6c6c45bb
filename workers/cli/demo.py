"""``zoufang demo``: the whole job on a sample town, with no servers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.census import take_census
from optimizer.sample import SYNTHETIC_NOTE, generate_sample, write_sample
from optimizer.tables import read_campaign
from workers.cli.app import app, out
from workers.cli.inputs import print_census


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Argument(metavar="OUT", help="演示输出文件夹 / output folder")],
    town: Annotated[str, typer.Option(help="chaihudian 或 huangtun")] = "huangtun",
    targets: Annotated[int, typer.Option(min=50, help="走访对象数")] = 1200,
    seed: Annotated[int, typer.Option(help="随机种子")] = 1,
) -> None:
    """演示：生成样例镇并检查输入 / demo on a sample town, no servers needed."""
    campaign_dir = out_dir / "campaign"
    write_sample(campaign_dir, generate_sample(town, targets, seed))
    out.print(f"[bold]1. 样例活动[/bold] {campaign_dir}（{SYNTHETIC_NOTE}）")
    campaign = read_campaign(campaign_dir)
    print_census(take_census(campaign), campaign.warnings)
