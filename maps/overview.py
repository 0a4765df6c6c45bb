"""The coordinators' overview: areas, targets by status, village/grid labels, where requests
concentrate, a legend and a progress box; layers switch on and off."""

from __future__ import annotations

from collections import Counter, defaultdict

import folium
import numpy as np

from maps.base import Call, LeanMap, add_box, h, new_map
from maps.tiles import Tiles, get_tiles
from optimizer.domain.codes import Progress
from optimizer.domain.ledger import subject_zh
from optimizer.domain.model import Assignment, Campaign
from optimizer.domain.privacy import mask_name

#: Area colours: blues, cyans, violet and pinks only. Reds, oranges, yellows, greens, browns
#: and greys are the progress and risk colours; an area drawn in one of them would read as a
#: status (a red-bordered label while no cadre is at risk). Any two, and each and a status
#: colour, differ by CIE76 ΔE ≥ 25 (tests/maps/test_palette.py).
AREA_COLOURS = (
    "#1f77b4",  # blue
    "#17becf",  # cyan
    "#393b79",  # indigo
    "#e377c2",  # pink
    "#7b61ff",  # violet
    "#ff4fd8",  # magenta
    "#a6d8ff",  # light blue
    "#004d57",  # dark teal
)
PROGRESS_COLOURS = {
    Progress.PENDING: "#9e9e9e",
    Progress.VISITED: "#2e7d32",
    Progress.NOT_HOME: "#f9a825",
    Progress.ESCALATED: "#c62828",
    Progress.REFUSED: "#6a1b9a",
    Progress.CORRECTION: "#5d4037",
}
#: A target's progress key → (label, colour) on the overview.
STATUS = {p.value: (p.zh, colour) for p, colour in PROGRESS_COLOURS.items()}
MAX_RISKS_SHOWN = 5
NEIGHBOURS = 4  # areas nearest to one that must not share its colour
SUBJECT_COLOURS = {
    1: "#00897b",
    2: "#3949ab",
    3: "#d81b60",
    4: "#fb8c00",
    5: "#43a047",
    6: "#8e24aa",
    7: "#757575",
    0: "#bdbdbd",  # 待分类
}


def _points(tiles: Tiles, targets) -> np.ndarray:
    lat, lon = tiles.to_map([t.lat for t in targets], [t.lon for t in targets])
    return np.column_stack([np.atleast_1d(lat), np.atleast_1d(lon)])


def _rounded(points: np.ndarray) -> list[list[float]]:
    return np.round(points, 6).tolist()


def _colours(centres: np.ndarray) -> list[str]:
    """A colour per area, never that of an area among its nearest neighbours or having it
    among theirs (greedy), so adjacent areas read apart on the map."""
    n = len(centres)
    if n == 0:
        return []
    distance = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=2)
    near = np.zeros((n, n), dtype=bool)
    rows = np.repeat(np.arange(n), min(NEIGHBOURS, n - 1))
    near[rows, np.argsort(distance, axis=1)[:, 1 : NEIGHBOURS + 1].ravel()] = True
    near |= near.T
    chosen: list[int] = []
    for i in range(n):
        before = np.flatnonzero(near[i, :i])
        free = [c for c in range(len(AREA_COLOURS)) if c not in {chosen[j] for j in before}]
        # more neighbours than colours: the farthest neighbour's colour is shared
        chosen.append(free[0] if free else chosen[before[np.argmax(distance[i, before])]])
    return [AREA_COLOURS[c] for c in chosen]


def _area_layer(m: LeanMap, campaign, assignment, tiles, at_risk: set[str]):
    """Areas as their targets' dots in the area's colour (outlines of interleaved areas
    cross into a tangle), each labelled with its cadre at its middle target; a cadre at
    risk is labelled ⚠ … 风险, in white on red."""
    layer = folium.FeatureGroup(name="责任区 / areas")
    targets = campaign.target_index()
    cadres = campaign.cadre_index()
    shown = [a for a in assignment.areas if a.target_ids]
    points = [_points(tiles, [targets[t] for t in a.target_ids]) for a in shown]
    centres = np.array([p.mean(axis=0) for p in points]) if points else np.zeros((0, 2))
    colours = _colours(centres)
    areas = []
    for area, pts, centre, colour in zip(shown, points, centres, colours, strict=True):
        middle = pts[int(np.argmin(np.linalg.norm(pts - centre, axis=1)))]
        who = f"{mask_name(cadres[area.cadre_id].name)} {area.cadre_id}"
        risk = area.cadre_id in at_risk
        areas.append(
            {
                "at": _rounded(pts),
                "colour": colour,
                "label_at": _rounded(middle[None, :])[0],
                "label": h(f"⚠ {who} 风险" if risk else who),
                "risk": risk,
                "tip": h(f"{area.id} {who}，{len(area.target_ids)} 个对象"),
            }
        )
    m.island["areas"] = areas
    Call("areas").add_to(layer)
    return layer


def _status_layers(m: LeanMap, campaign, states: dict[str, str], tiles) -> list:
    by_status: dict[str, list] = defaultdict(list)
    for t in campaign.targets:
        by_status[states.get(t.id, "pending")].append(t)
    layers, points = [], {}
    for key, (label, colour) in STATUS.items():
        members = by_status.get(key, [])
        if not members:
            continue
        points[key] = {"colour": colour, "at": _rounded(_points(tiles, members))}
        layer = folium.FeatureGroup(name=f"{label}（{len(members)}）")
        Call("points", key).add_to(layer)
        layers.append(layer)
    m.island["points"] = points
    return layers


def _label_layers(m: LeanMap, campaign, tiles) -> list[folium.FeatureGroup]:
    villages = folium.FeatureGroup(name="村/社区名称")
    grids = folium.FeatureGroup(name="网格名称", show=False)
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for t in campaign.targets:
        groups[(t.village, "")].append(t)
        if t.grid:
            groups[(t.village, t.grid)].append(t)
    labels: dict[str, list] = {"villages": [], "grids": []}
    for (village, grid), members in groups.items():
        centre = np.round(_points(tiles, members).mean(axis=0), 6).tolist()
        labels["grids" if grid else "villages"].append(
            {"at": centre, "html": h(grid or village), "n": len(members)}
        )
    m.island["labels"] = labels
    Call("labels", "villages").add_to(villages)
    Call("labels", "grids").add_to(grids)
    return [villages, grids]


def _request_layer(m: LeanMap, campaign, requests, tiles) -> folium.FeatureGroup:
    """Requests summed per grid: a circle sized by count, coloured by the commonest subject."""
    layer = folium.FeatureGroup(name=f"诉求分布（{len(requests)}）")
    targets = campaign.target_index()
    per_grid: dict[tuple[str, str], Counter] = defaultdict(Counter)
    where: dict[tuple[str, str], list] = defaultdict(list)
    for target_id, subject in requests:
        t = targets[target_id]
        per_grid[t.grid_key][subject] += 1
        where[t.grid_key].append(t)
    circles = []
    for key, counts in per_grid.items():
        top = counts.most_common(1)[0][0]
        lines = "<br>".join(f"{subject_zh(s)} {n}" for s, n in counts.most_common())
        circles.append(
            {
                "at": np.round(_points(tiles, where[key]).mean(axis=0), 6).tolist(),
                "radius": round(6 + 3 * float(np.sqrt(sum(counts.values()))), 1),
                "colour": SUBJECT_COLOURS[top],
                "popup": f"<b>{h(key[0] + key[1])}</b><br>{lines}",
            }
        )
    m.island["requests"] = circles
    Call("requests").add_to(layer)
    return layer


def _legend(requests_shown: bool) -> str:
    rows = "".join(
        f'<div><span class="zf-swatch" style="background:{c}"></span>{label}</div>'
        for label, c in STATUS.values()
    )
    if requests_shown:
        rows += "<div style='margin-top:4px'>诉求圆圈：颜色为最多的类别</div>"
        rows += "".join(
            f'<div><span class="zf-swatch" style="background:{c}"></span>{subject_zh(s)}</div>'
            for s, c in SUBJECT_COLOURS.items()
        )
    areas = (
        "<div style='margin-top:4px'>外圈颜色：各人员的责任区（一区一色，不用进度色）</div>"
        f"<div><span class='zf-area-label' style='border-color:{AREA_COLOURS[0]}'>张* C0001"
        "</span>人员标签</div>"
        f"<div><span class='zf-area-label risk' style='border-color:{AREA_COLOURS[0]}'>⚠ 风险"
        "</span>风险人员（期限内难以完成，红底白字）</div>"
    )
    return f"<b>图例</b><div>圆点中心：走访进度</div>{rows}{areas}"


def render_overview(
    campaign: Campaign,
    assignment: Assignment,
    *,
    states: dict[str, str] | None = None,
    requests: list[tuple[str, int]] | None = None,
    progress: dict | None = None,
    tiles: Tiles | None = None,
    at_risk: list[dict] | None = None,
) -> LeanMap:
    """The town at a glance. ``states`` maps target → a key of ``STATUS``; ``requests`` lists
    (target, subject 0–7, 0 = 待分类); ``progress`` carries coverage and counts for the box;
    ``at_risk`` the summary's at-risk cadres (named in the box and on the map)."""
    tiles = tiles or get_tiles("amap")
    pts = _points(tiles, campaign.targets)
    m = new_map(tiles, tuple(pts.mean(axis=0)), zoom=13, canvas=True)
    risks = at_risk or []
    _area_layer(m, campaign, assignment, tiles, {r["cadre_id"] for r in risks}).add_to(m)
    for layer in _status_layers(m, campaign, states or {}, tiles):
        layer.add_to(m)
    for layer in _label_layers(m, campaign, tiles):
        layer.add_to(m)
    if requests:
        _request_layer(m, campaign, requests, tiles).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    progress = progress or {}
    box = (
        f"<h3>{h(campaign.settings.name)}</h3>"
        f"第 {int(progress.get('plan_version', 1))} 版计划，"
        f"覆盖率 <b>{float(progress.get('coverage', 0.0)):.1%}</b><br>"
        f"对象 {len(campaign.targets)}，人员 {len(campaign.cadres)}；"
        f"<span class='nw'>未遇 {int(progress.get('not_home', 0))}，</span>"
        f"<span class='nw'>升级 {int(progress.get('escalated', 0))}，</span>"
        f"<span class='nw'>风险人员 {len(risks)}</span>"
    )
    cadres = campaign.cadre_index()
    for risk in risks[:MAX_RISKS_SHOWN]:
        cadre = cadres.get(risk["cadre_id"])
        name = mask_name(cadre.name) if cadre else ""
        short = int(risk["missing_minutes"])
        box += f"<br><b>风险</b> {h(name)}（{h(risk['cadre_id'])}）缺 {short} 分钟"
    if len(risks) > MAX_RISKS_SHOWN:
        box += f"<br>等 {len(risks)} 名，见 zoufang status"
    add_box(m, "progress", box, "topright")
    add_box(m, "legend", _legend(bool(requests)), "bottomleft", fold=True)
    Call("locate").add_to(m)
    m.fit_bounds([pts.min(axis=0).tolist(), pts.max(axis=0).tolist()])
    return m
