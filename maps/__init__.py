"""folium rendering only: plans and state in, maps out. Never solves, never reads input files.

Names are loaded on first use, so ``maps.assets`` (what the configuration needs) does not
import folium: every command starts faster, and one refused input is refused in seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimizer.domain.lazy import load

_API = {
    "fetch_assets": "maps.assets",
    "to_html": "maps.base",
    "render_day_map": "maps.day",
    "STATUS": "maps.overview",
    "render_overview": "maps.overview",
    "get_tiles": "maps.tiles",
}

__all__ = ["STATUS", "fetch_assets", "get_tiles", "render_day_map", "render_overview", "to_html"]


def __getattr__(name: str):
    return load(__name__, _API, name)


if TYPE_CHECKING:
    from maps.assets import fetch_assets
    from maps.base import to_html
    from maps.day import render_day_map
    from maps.overview import STATUS, render_overview
    from maps.tiles import get_tiles
