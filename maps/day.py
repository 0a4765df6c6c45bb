"""A cadre's route map for one day, made to be used on a phone.

Numbered stops in visiting order; stops at one point (the households of a building) are one
marker that says which numbers it holds (``3–14``), never a pile of markers hiding each
other; a priority stop among them shows on the marker. Colours say what the cadre must know:
red a daytime stop, blue an evening household (its window is the evening), orange a priority
target (重点). A legend, the stop list (number, time, 对象编号, masked name, address, a link
that opens AMap's navigation in GCJ-02), and the plan version are on the page.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from urllib.parse import quote

import folium

from maps.base import Call, LeanMap, add_box, h, new_map
from maps.coords import wgs84_to_gcj02
from maps.tiles import Tiles, get_tiles
from optimizer.domain.codes import TargetType
from optimizer.domain.model import Campaign, DayRoute, Target, Window, hhmm
from optimizer.domain.privacy import display_address, display_name, mask_free_text, mask_name

PRIORITY, EVENING, DAY = "priority", "evening", ""
LEGEND = (
    (DAY, "白天走访"),
    (EVENING, "晚间户（晚上在家）"),
    (PRIORITY, "重点对象"),
)


def stop_kind(target: Target, evening: Window | None) -> str:
    """Priority first; then an evening household: one whose own window is the evening."""
    if target.priority:
        return PRIORITY
    if evening and target.window and target.window.start_min >= evening.start_min:
        return EVENING
    return DAY


def navigation_url(target: Target, name: str) -> str:
    """AMap's navigation to the target, from where the phone is (coordinates in GCJ-02)."""
    lat, lon = wgs84_to_gcj02(target.lat, target.lon)
    return (
        f"https://uri.amap.com/navigation?to={float(lon):.6f},{float(lat):.6f},"
        f"{quote(name, safe='')}&mode=walk&src=zoufang&coordinate=gaode&callnative=1"
    )


def number_runs(numbers: list[int]) -> str:
    """[3, 4, 5, 9] → ``3–5、9``."""
    parts = []
    for _, run in itertools.groupby(enumerate(numbers), key=lambda p: p[1] - p[0]):
        values = [n for _, n in run]
        parts.append(str(values[0]) if len(values) == 1 else f"{values[0]}–{values[-1]}")
    return "、".join(parts)


def _stop(n: int, target: Target, stop, point, kind: str, note: str) -> dict:
    note = mask_free_text(note)  # a request's text may hold a phone number: never on a map
    name = display_name(target)
    popup = [
        f"<b>{n}. {h(name)}</b>（{h(target.type.zh)}）",
        f"对象编号 {h(target.id)}",
        f"计划 {hhmm(stop.arrive_min)}，约 {stop.depart_min - stop.arrive_min} 分钟"
        + (f"；只在 {h(str(target.window))} 可走访" if target.window else ""),
    ]
    if target.address:
        popup.append(h(display_address(target)))
    if kind == PRIORITY:
        popup.append("<b>重点对象</b>")
    elif kind == EVENING:
        popup.append("晚间户")
    if note:
        popup.append(h(note))
    flag = {PRIORITY: " <b>重点</b>", EVENING: " 晚间户"}.get(kind, "")
    return {
        "n": n,
        "lat": point[0],
        "lon": point[1],
        "kind": kind,
        "target_id": target.id,
        "id": h(target.id),
        "name": h(name),
        "type": h(target.type.zh),
        "time": hhmm(stop.arrive_min),
        "address": h(display_address(target)),
        "note": h(note),
        "nav": navigation_url(target, name),
        "popup": "<br>".join(popup),
        # one line in the popup of a place with several stops
        "line": f"{n}. {hhmm(stop.arrive_min)} {h(name)} {h(target.id)}{flag}",
    }


def _groups(stops: list[dict]) -> list[dict]:
    """Stops at one point as one marker: its numbers, and the most telling kind present."""
    at: dict[tuple[float, float], list[dict]] = {}
    for s in stops:
        at.setdefault((round(s["lat"], 6), round(s["lon"], 6)), []).append(s)
    groups = []
    for members in at.values():
        kinds = {s["kind"] for s in members}
        kind = PRIORITY if PRIORITY in kinds else EVENING if EVENING in kinds else DAY
        numbers = [s["n"] for s in members]
        address = members[0]["address"]
        many = f"<b>同一处 {len(members)} 处</b>（{address or '同一地点'}）<br>" + "<br>".join(
            s["line"] for s in members
        )
        groups.append(
            {
                "lat": members[0]["lat"],
                "lon": members[0]["lon"],
                "stops": numbers,
                "label": number_runs(numbers),
                "kind": kind,
                "mixed": len(kinds) > 1,
                "popup": members[0]["popup"] if len(members) == 1 else many,
            }
        )
    return groups


def render_day_map(
    campaign: Campaign,
    route: DayRoute,
    *,
    tiles: Tiles | None = None,
    geometry: list[list[tuple[float, float]]] | None = None,
    version: int | None = None,
    heading: str = "",
    notes: Mapping[str, str] | None = None,
) -> LeanMap:
    """The day's map. ``geometry`` holds each leg's path (roads), else legs are straight.

    ``version``: the plan version the route belongs to (shown); ``heading`` replaces "第N天"
    (a return-visit plan says 回访); ``notes`` adds a line per target (the request to report
    back on). Names are masked and phone numbers never appear; campaign text goes into the
    page's data island only (``maps.base``).
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
    notes = notes or {}
    markers = [
        _stop(
            n,
            target,
            stop,
            point,
            stop_kind(target, evening),
            notes.get(target.id, ""),
        )
        for n, (target, stop, point) in enumerate(
            zip(stops, route.stops, points, strict=True), start=1
        )
    ]
    m.island["route"] = {
        "base": list(home),
        "line": [list(p) for p in line],
        "stops": markers,
        "groups": _groups(markers),
        "legend": _legend(),
        "list_title": f"路线清单（{len(markers)} 处）",
    }
    group = folium.FeatureGroup(name="路线", control=False).add_to(m)
    Call("route").add_to(group)
    add_box(m, "title", _title(campaign, route, cadre, stops, version, heading), "topright")
    Call("stoplist").add_to(m)
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


def _title(campaign, route: DayRoute, cadre, stops, version: int | None, heading: str) -> str:
    households = sum(1 for t in stops if t.type is TargetType.HOUSEHOLD)
    km = route.travel_s / 3600 * campaign.settings.travel.speed_kmh
    date = campaign.settings.date_of(route.day)
    when = heading or f"第{route.day}天"
    parts = [
        f"{len(stops)} 处（{households} 户），",
        f"{hhmm(route.start_min)}–{hhmm(route.end_min)}，",
        f"约 {km:.1f} 公里",
    ]
    if version:
        parts.append(f"，第 {version} 版计划")
    # Each piece stays on one line: a phone breaks between them, never inside "第 3 版".
    line = "".join(f'<span class="nw">{p}</span>' for p in parts)
    return (
        f"<h3>{h(mask_name(cadre.name))}（{h(cadre.id)}）{h(when)} "
        f"{date.month}月{date.day}日</h3>{line}"
    )


def _legend() -> str:
    rows = "".join(
        f'<span class="zf-key"><span class="zf-dot {kind}"></span>{label}</span>'
        for kind, label in LEGEND
    )
    rows += '<span class="zf-key"><span class="zf-pill">3–5</span>同一处的几户</span>'
    return f'<div class="zf-legend">{rows}</div>'
