"""A cadre's route map for one day: numbered stops in order, the route, the base, a title."""

from __future__ import annotations

import folium

from maps.base import Call, LeanMap, add_box, h, new_map
from maps.tiles import Tiles, get_tiles
from optimizer.domain.codes import TargetType
from optimizer.domain.model import Campaign, DayRoute, hhmm
from optimizer.domain.privacy import display_address, display_name, mask_name


def _stop_popup(target, stop, window: str) -> str:
    parts = [
        f"<b>{h(display_name(target))}</b>（{h(target.type.zh)}）",
        f"对象编号 {h(target.id)}",
        f"计划到达 {hhmm(stop.arrive_min)}，约 {stop.depart_min - stop.arrive_min} 分钟",
        f"可走访时段 {h(window)}",
    ]
    if target.address:
        parts.append(h(display_address(target)))
    if target.priority:
        parts.append("<b>重点对象</b>")
    return "<br>".join(parts)


def _fan(points: list[tuple[float, float]], i: int) -> tuple[int, int]:
    """Icon anchor that fans out stops at one point (a building's households) in rows of five,
    so every number stays visible and tappable."""
    k = 0
    while i - k - 1 >= 0 and points[i - k - 1] == points[i]:
        k += 1
    return 15 - 32 * (k % 5), 15 - 32 * (k // 5)


def render_day_map(
    campaign: Campaign,
    route: DayRoute,
    *,
    tiles: Tiles | None = None,
    geometry: list[list[tuple[float, float]]] | None = None,
) -> LeanMap:
    """The day's map. ``geometry`` holds each leg's path (roads), else legs are straight.

    Names are masked and phone numbers never appear; campaign text goes into the page's data
    island only (``maps.base``).
    """
    tiles = tiles or get_tiles("amap")
    targets = campaign.target_index()
    cadre = campaign.cadre_index()[route.cadre_id]
    stops = [targets[s.target_id] for s in route.stops]
    base = tiles.to_map(cadre.base_lat, cadre.base_lon)
    lats, lons = tiles.to_map([t.lat for t in stops], [t.lon for t in stops])
    points = [(float(a), float(b)) for a, b in zip(lats, lons, strict=True)]
    home = (float(base[0]), float(base[1]))
    m = new_map(tiles, points[0] if points else home)
    line = [home, *points, home]
    if geometry:
        line = [tuple(float(c) for c in tiles.to_map(*p)) for leg in geometry for p in leg]
    evening = campaign.settings.window("evening")
    markers = []
    for n, (target, stop, point) in enumerate(
        zip(stops, route.stops, points, strict=True), start=1
    ):
        kind = (
            "priority"
            if target.priority
            else "evening"
            if evening and evening.contains(stop.arrive_min)
            else ""
        )
        markers.append(
            {
                "n": n,
                "lat": point[0],
                "lon": point[1],
                "kind": kind,
                "anchor": list(_fan(points, n - 1)),
                "target_id": target.id,
                "popup": _stop_popup(target, stop, str(target.window or cadre.window)),
            }
        )
    m.island["route"] = {
        "base": list(home),
        "line": [list(p) for p in line],
        "stops": markers,
    }
    group = folium.FeatureGroup(name="路线", control=False).add_to(m)
    Call("route").add_to(group)
    households = sum(1 for t in stops if t.type is TargetType.HOUSEHOLD)
    km = route.travel_s / 3600 * campaign.settings.travel.speed_kmh
    date = campaign.settings.date_of(route.day).isoformat()
    title = (
        f"<h3>{h(mask_name(cadre.name))}（{h(cadre.id)}）第{route.day}天 {date}</h3>"
        f"{len(stops)} 处（{households} 户），{hhmm(route.start_min)}–{hhmm(route.end_min)}，"
        f"路程约 {km:.1f} 公里"
    )
    add_box(m, "title", title, "topright")
    Call("locate").add_to(m)
    if points:
        m.fit_bounds(
            [
                [min(p[0] for p in line), min(p[1] for p in line)],
                [max(p[0] for p in line), max(p[1] for p in line)],
            ],
            padding=(30, 30),
        )
    return m
