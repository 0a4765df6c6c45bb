"""``zoufang maps`` and ``zoufang assets``."""

from __future__ import annotations

import time
from enum import StrEnum
from typing import Annotated

import typer

from workers.cli.app import app, out
from workers.cli.options import CampaignArg, OutOpt, WorkersOpt
from workers.cli.text import t


class TileName(StrEnum):
    amap = "amap"
    tianditu = "tianditu"
    osm = "osm"


@app.command("maps", short_help=t("重新生成当前计划的全部地图", "(re)render the maps"))
def maps_command(
    campaign: CampaignArg,
    out_dir: OutOpt = None,
    tiles: Annotated[
        TileName | None,
        typer.Option(help=t("底图：amap（默认，高德）、tianditu（需密钥）、osm", "base map")),
    ] = None,
    offline: Annotated[
        bool | None,
        typer.Option(
            "--offline/--online",
            help=t(
                "离线（默认）：Leaflet 内嵌进每张地图；在线：从 CDN 加载",
                "offline (default): Leaflet inlined; online: from the CDN",
            ),
        ),
    ] = None,
    workers: WorkersOpt = None,
) -> None:
    """重新生成当前计划的全部地图：每人每天一张，外加总览图。"""
    from workers.commands.campaign import default_out, open_campaign
    from workers.commands.maps import map_options, render_maps

    started = time.perf_counter()
    _, store, campaign_id = open_campaign(campaign)
    version, _ = store.current_version(campaign_id)
    target = default_out(campaign, out_dir)
    options = map_options(campaign)
    count = render_maps(
        store,
        campaign_id,
        version,
        target,
        tiles=tiles.value if tiles else options.tiles,
        offline=options.offline if offline is None else offline,
        workers=workers,
    )
    seconds = time.perf_counter() - started
    out.print(
        t(
            f"已生成 {count} 张路线图和总览图（{seconds:.1f} 秒）：{target / 'maps'}",
            f"{count} day maps and the overview ({seconds:.1f} s): {target / 'maps'}",
        ),
        markup=False,
    )


@app.command(short_help=t("下载离线地图所需的 Leaflet", "fetch the offline map assets"))
def assets() -> None:
    """下载离线地图所需的 Leaflet（npm 包，校验 sha512）；第一次生成地图时也会自动下载。"""
    from maps.assets import fetch_assets
    from workers.tasks.config import current

    config = current()
    written = fetch_assets(config.npm_registry, config.assets_dir)
    out.print(
        t(
            f"离线资源已就绪（新下载 {len(written)} 个文件）：{config.assets_dir}",
            f"offline assets ready ({len(written)} new files): {config.assets_dir}",
        ),
        markup=False,
    )
