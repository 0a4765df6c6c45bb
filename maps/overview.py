"""The coordinators' overview: areas, targets by status, village/grid labels, where requests
concentrate, a legend and a progress box; layers switch on and off."""

from __future__ import annotations

import html
from collections import Counter, defaultdict

import folium
import numpy as np
from scipy.spatial import ConvexHull, QhullError

from maps.base import Box, LocateButton, Popup, new_map
from maps.tiles import Tiles, get_tiles
from optimizer.model import SUBJECT_ZH, Assignment, Campaign
from optimizer.privacy import mask_name

AREA_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
)
STATUS = {  # key: (label, colour)
    "pending": ("待走访", "#9e9e9e"),
    "visited": ("已走访", "#2e7d32"),
    "not_home": ("未遇待重访", "#f9a825"),
    "escalated": ("已升级处理", "#c62828"),
    "refused": ("拒访", "#6a1b9a"),
    "correction": ("待核实（搬离/信息有误）", "#5d4037"),
}
SUBJECT_COLOURS = {
    1: "#00897b",
    2: "#3949ab",
    3: "#d81b60",
    4: "#fb8c00",
    5: "#43a047",
    6: "#8e24aa",
    7: "#757575",
}


def _points(tiles: Tiles, targets) -> np.ndarray:
    lat, lon = tiles.to_map([t.lat for t in targets], [t.lon for t in targets])
    return np.column_stack([np.atleast_1d(lat), np.atleast_1d(lon)])


def _area_layer(campaign, assignment, tiles) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name="责任区 / areas")
    targets = campaign.target_index()
    cadres = campaign.cadre_index()
    for i, area in enumerate(a for a in assignment.areas if a.target_ids):
        pts = np.unique(_points(tiles, [targets[t] for t in area.target_ids]), axis=0)
        colour = AREA_COLOURS[i % len(AREA_COLOURS)]
        who = f"{mask_name(cadres[area.cadre_id].name)}（{area.cadre_id}）"
        label = f"{area.id} {who}，{len(area.target_ids)} 个对象"
        try:
            hull = pts[ConvexHull(pts).vertices] if len(pts) >= 3 else pts
        except QhullError:  # all points on a line
            hull = pts
        if len(hull) >= 3:
            folium.Polygon(
                hull.tolist(), color=colour, weight=1.5, fill=True, fill_opacity=0.12, tooltip=label
            ).add_to(layer)
        else:
            folium.CircleMarker(hull[0].tolist(), radius=8, color=colour, tooltip=label).add_to(
                layer
            )
    return layer


def _status_layers(campaign, states: dict[str, str], tiles) -> list[folium.FeatureGroup]:
    by_status: dict[str, list] = defaultdict(list)
    for t in campaign.targets:
        by_status[states.get(t.id, "pending")].append(t)
    layers = []
    for key, (label, colour) in STATUS.items():
        members = by_status.get(key, [])
        if not members:
            continue
        pts = _points(tiles, members)
        data = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                    "properties": {},
                }
                for lat, lon in pts
            ],
        }
        layer = folium.FeatureGroup(name=f"{label}（{len(members)}）")
        folium.GeoJson(
            data,
            marker=folium.CircleMarker(
                radius=3, weight=0, fill=True, fill_color=colour, fill_opacity=0.85
            ),
        ).add_to(layer)
        layers.append(layer)
    return layers


def _label_layers(campaign, tiles) -> list[folium.FeatureGroup]:
    villages = folium.FeatureGroup(name="村/社区名称")
    grids = folium.FeatureGroup(name="网格名称", show=False)
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for t in campaign.targets:
        groups[(t.village, "")].append(t)
        if t.grid:
            groups[(t.village, t.grid)].append(t)
    for (village, grid), members in groups.items():
        centre = _points(tiles, members).mean(axis=0).tolist()
        text = html.escape(grid or village)
        folium.Marker(
            centre,
            icon=folium.DivIcon(
                html=f'<div class="zf-label">{text}</div>', icon_size=(80, 18), icon_anchor=(40, 9)
            ),
        ).add_to(grids if grid else villages)
    return [villages, grids]


def _request_layer(campaign, requests: list[tuple[str, int]], tiles) -> folium.FeatureGroup:
    """Requests summed per grid: a circle sized by count, coloured by the commonest subject."""
    layer = folium.FeatureGroup(name=f"诉求分布（{len(requests)}）")
    targets = campaign.target_index()
    per_grid: dict[tuple[str, str], Counter] = defaultdict(Counter)
    where: dict[tuple[str, str], list] = defaultdict(list)
    for target_id, subject in requests:
        t = targets[target_id]
        per_grid[t.grid_key][subject] += 1
        where[t.grid_key].append(t)
    for key, counts in per_grid.items():
        centre = _points(tiles, where[key]).mean(axis=0).tolist()
        top = counts.most_common(1)[0][0]
        lines = "<br>".join(f"{SUBJECT_ZH[s]} {n}" for s, n in counts.most_common())
        circle = folium.CircleMarker(
            centre,
            radius=6 + 3 * np.sqrt(sum(counts.values())),
            color=SUBJECT_COLOURS[top],
            weight=2,
            fill=True,
            fill_opacity=0.35,
        )
        Popup(f"<b>{html.escape(key[0] + key[1])}</b><br>{lines}", 220).add_to(circle)
        circle.add_to(layer)
    return layer


def _legend(requests_shown: bool) -> str:
    rows = "".join(
        f'<div><span class="zf-swatch" style="background:{c}"></span>{label}</div>'
        for label, c in STATUS.values()
    )
    if requests_shown:
        rows += "<div style='margin-top:4px'>诉求圆圈：颜色为最多的类别</div>"
        rows += "".join(
            f'<div><span class="zf-swatch" style="background:{c}"></span>{SUBJECT_ZH[s]}</div>'
            for s, c in SUBJECT_COLOURS.items()
        )
    return f"<b>图例</b>{rows}"


def render_overview(
    campaign: Campaign,
    assignment: Assignment,
    *,
    states: dict[str, str] | None = None,
    requests: list[tuple[str, int]] | None = None,
    progress: dict | None = None,
    tiles: Tiles | None = None,
) -> folium.Map:
    """The town at a glance. ``states`` maps target → a key of ``STATUS``; ``requests`` lists
    (target, subject 1–7); ``progress`` carries coverage and counts for the box."""
    tiles = tiles or get_tiles("amap")
    pts = _points(tiles, campaign.targets)
    m = new_map(tiles, tuple(pts.mean(axis=0)), zoom=13, canvas=True)
    _area_layer(campaign, assignment, tiles).add_to(m)
    for layer in _status_layers(campaign, states or {}, tiles):
        layer.add_to(m)
    for layer in _label_layers(campaign, tiles):
        layer.add_to(m)
    if requests:
        _request_layer(campaign, requests, tiles).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    progress = progress or {}
    box = (
        f"<h3>{html.escape(campaign.settings.name)}</h3>"
        f"第 {progress.get('plan_version', 1)} 版计划，"
        f"覆盖率 <b>{progress.get('coverage', 0.0):.1%}</b><br>"
        f"对象 {len(campaign.targets)}，人员 {len(campaign.cadres)}；"
        f"未遇 {progress.get('not_home', 0)}，升级 {progress.get('escalated', 0)}，"
        f"风险人员 {progress.get('at_risk', 0)}"
    )
    Box(box, "topright").add_to(m)
    Box(_legend(bool(requests)), "bottomleft").add_to(m)
    LocateButton(tiles.gcj02).add_to(m)
    m.fit_bounds([pts.min(axis=0).tolist(), pts.max(axis=0).tolist()])
    return m
