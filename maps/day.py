"""A cadre's route map for one day: numbered stops in order, the route, the base, a title."""

from __future__ import annotations

import html

import folium

from maps.base import Box, LocateButton, Popup, new_map
from maps.tiles import Tiles, get_tiles
from optimizer.model import Campaign, DayRoute, TargetType, hhmm
from optimizer.privacy import display_name, mask_name


def _stop_popup(target, stop, window: str) -> str:
    parts = [
        f"<b>{html.escape(display_name(target))}</b>（{target.type.zh}）",
        f"计划到达 {hhmm(stop.arrive_min)}，约 {stop.depart_min - stop.arrive_min} 分钟",
        f"可走访时段 {window}",
    ]
    if target.address:
        parts.append(html.escape(target.address))
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
) -> folium.Map:
    """The day's map. ``geometry`` holds each leg's path (roads), else legs are straight.

    Names are masked and phone numbers never appear.
    """
    tiles = tiles or get_tiles("amap")
    targets = campaign.target_index()
    cadre = campaign.cadre_index()[route.cadre_id]
    stops = [targets[s.target_id] for s in route.stops]
    base = tiles.to_map(cadre.base_lat, cadre.base_lon)
    lats, lons = tiles.to_map([t.lat for t in stops], [t.lon for t in stops])
    points = [(float(a), float(b)) for a, b in zip(lats, lons, strict=True)]
    m = new_map(tiles, points[0] if points else (float(base[0]), float(base[1])))
    home = (float(base[0]), float(base[1]))
    line = [home, *points, home]
    if geometry:
        line = [tuple(float(c) for c in tiles.to_map(*p)) for leg in geometry for p in leg]
    folium.PolyLine(line, color="#c0392b", weight=4, opacity=0.8, class_name="zf-route").add_to(m)
    folium.Marker(
        home,
        icon=folium.DivIcon(
            html='<div class="zf-base">出发</div>', icon_size=(34, 34), icon_anchor=(17, 17)
        ),
        tooltip="出发点 / 返回点",
    ).add_to(m)
    evening = campaign.settings.window("evening")
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
        marker = folium.Marker(
            point,
            icon=folium.DivIcon(
                html=f'<div class="zf-stop {kind}">{n}</div>',
                icon_size=(30, 30),
                icon_anchor=_fan(points, n - 1),
                class_name="zf-stop-icon",
            ),
        )
        Popup(_stop_popup(target, stop, str(target.window or cadre.window))).add_to(marker)
        marker.add_to(m)
    households = sum(1 for t in stops if t.type is TargetType.HOUSEHOLD)
    km = route.travel_s / 3600 * campaign.settings.travel.speed_kmh
    date = campaign.settings.date_of(route.day).isoformat()
    title = (
        f"<h3>{html.escape(mask_name(cadre.name))}（{cadre.id}）第{route.day}天 {date}</h3>"
        f"{len(stops)} 处（{households} 户），{hhmm(route.start_min)}–{hhmm(route.end_min)}，"
        f"路程约 {km:.1f} 公里"
    )
    Box(title, "topright").add_to(m)
    LocateButton(tiles.gcj02).add_to(m)
    if points:
        m.fit_bounds(
            [
                [min(p[0] for p in line), min(p[1] for p in line)],
                [max(p[0] for p in line), max(p[1] for p in line)],
            ],
            padding=(30, 30),
        )
    return m
