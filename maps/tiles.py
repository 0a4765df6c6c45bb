"""Base maps usable in China: AMap (高德, GCJ-02), Tianditu (天地图, needs a key), OpenStreetMap.

AMap is the default: it needs no key, loads quickly from inside China and shows village
streets and Chinese names that a township office knows; its tiles are in GCJ-02, so every
WGS-84 point is converted before it is drawn. Tianditu (the national platform) is WGS-84 and
needs a key (the command line passes ``ZOUFANG_TIANDITU_KEY``). OpenStreetMap is the fallback
outside China.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from maps.coords import wgs84_to_gcj02
from optimizer.domain.errors import ZoufangError

TIANDITU_KEY_ENV = "ZOUFANG_TIANDITU_KEY"


@dataclass(frozen=True, slots=True)
class Tiles:
    name: str
    layers: tuple[tuple[str, str], ...]  # (url template, label)
    attribution: str
    subdomains: str
    gcj02: bool

    def to_map(self, lat, lon):
        """Where a WGS-84 point is drawn on these tiles."""
        if self.gcj02:
            return wgs84_to_gcj02(lat, lon)
        return np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)


def tianditu_url(layer: str, key: str) -> str:
    return (
        f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        f"&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}"
        f"&TILECOL={{x}}&tk={key}"
    )


def get_tiles(name: str = "amap", tianditu_key: str = "") -> Tiles:
    """The tile source ``amap`` (default), ``tianditu`` (with its key) or ``osm``."""
    if name == "amap":
        url = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
        return Tiles("amap", ((url, "高德地图"),), "&copy; 高德地图 AutoNavi", "1234", True)
    if name == "tianditu":
        key = tianditu_key.strip()
        if not key:
            raise ZoufangError(f"天地图需要密钥：请设置 {TIANDITU_KEY_ENV} / Tianditu needs a key")
        if not re.fullmatch(r"[A-Za-z0-9]{4,128}", key):
            raise ZoufangError(f"{TIANDITU_KEY_ENV} 不是有效的天地图密钥（只含字母和数字）")
        layers = (
            (tianditu_url("vec", key), "天地图矢量"),
            (tianditu_url("cva", key), "天地图注记"),
        )
        return Tiles(
            "tianditu", layers, "&copy; 天地图 国家地理信息公共服务平台", "01234567", False
        )
    if name == "osm":
        url = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        return Tiles(
            "osm", ((url, "OpenStreetMap"),), "&copy; OpenStreetMap contributors", "", False
        )
    raise ZoufangError(f"未知的底图「{name}」，可选 amap、tianditu、osm")
