"""folium rendering only: plans and state in, maps out. Never solves, never reads input files."""

from maps.assets import fetch_assets
from maps.base import to_html
from maps.day import render_day_map
from maps.overview import STATUS, render_overview
from maps.tiles import get_tiles

__all__ = ["STATUS", "fetch_assets", "get_tiles", "render_day_map", "render_overview", "to_html"]
