"""``zoufang maps`` and ``zoufang assets``."""

from __future__ import annotations

import time
from enum import StrEnum
from typing import Annotated

import typer

from workers.cli.app import app, out
from workers.cli.options import CampaignArg, OutOpt, WorkersOpt


class TileName(StrEnum):
    amap = "amap"
    tianditu = "tianditu"
    osm = "osm"


@app.command("maps")
def maps_command(
    campaign: CampaignArg,
    out_dir: OutOpt = None,
    tiles: Annotated[
        TileName | None, typer.Option(help="底图：amap（默认，高德）、tianditu（需密钥）、osm")
    ] = None,
    offline: Annotated[
        bool | None, typer.Option("--offline/--online", help="把 Leaflet 内嵌进每张地图")
    ] = None,
    workers: WorkersOpt = None,
) -> None:
    """重新生成当前计划的全部地图（每人每天一张，外加总览图）/ (re)render the maps."""
    from workers.commands.campaign import default_out, open_campaign
    from workers.commands.maps import render_maps

    started = time.perf_counter()
    _, store, campaign_id = open_campaign(campaign)
    version, _ = store.current_version(campaign_id)
    target = default_out(campaign, out_dir)
    count = render_maps(
        store,
        campaign_id,
        version,
        target,
        tiles=tiles.value if tiles else None,
        offline=offline,
        workers=workers,
    )
    seconds = time.perf_counter() - started
    out.print(f"已生成 {count} 张路线图和总览图（{seconds:.1f} 秒）：{target / 'maps'}")


@app.command()
def assets() -> None:
    """下载离线地图所需的 Leaflet（npm 包，校验 sha512）/ fetch offline map assets."""
    from maps.assets import fetch_assets
    from workers.tasks.config import current

    config = current()
    written = fetch_assets(config.npm_registry, config.assets_dir)
    out.print(f"离线资源已就绪（新下载 {len(written)} 个文件）：{config.assets_dir}")
