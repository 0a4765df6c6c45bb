"""Coordinates that cannot be right: a point outside the town, or a target far from all others.

Two checks, each a range rather than a judgement of where a town lies. A township is tens of
kilometres across, so a target or base farther than ``MAX_TOWN_RADIUS_KM`` from the targets'
median point is a wrong coordinate (another province). And the households, shops and
enterprises of a town sit in villages and streets: a target whose nearest other target is
farther than ``MAX_NEIGHBOUR_KM`` is a coordinate typed with a wrong digit (0.1° ≈ 11 km)
and would cost its cadre a day's travel. Both are input errors naming the row (exit 2), for
the planner would otherwise spend a cadre's minutes on them, or call the town infeasible.
"""

from __future__ import annotations

import math
import statistics

import numpy as np

from optimizer.domain.defaults import MAX_NEIGHBOUR_KM, MAX_TOWN_RADIUS_KM
from optimizer.domain.errors import InputProblem
from optimizer.domain.model import Cadre, Target
from optimizer.travel import project_m

Row = tuple[str, int, str]  # file, Excel row, column of the latitude


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle kilometres (the travel model's earth radius)."""
    (la1, lo1), (la2, lo2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def extent_problems(
    targets: list[Target], cadres: list[Cadre], target_rows: dict[str, Row], cadre_rows
) -> list[InputProblem]:
    """Points farther than ``MAX_TOWN_RADIUS_KM`` from the targets' median point."""
    if not targets:
        return []
    centre = (
        statistics.median(t.lat for t in targets),
        statistics.median(t.lon for t in targets),
    )
    points = [(target_rows[t.id], (t.lat, t.lon)) for t in targets]
    points += [(cadre_rows[c.id], (c.base_lat, c.base_lon)) for c in cadres if c.id in cadre_rows]
    problems = []
    for (file, row, column), point in points:
        km = _km(centre, point)
        if km > MAX_TOWN_RADIUS_KM:
            msg = f"经纬度 ({point[0]}, {point[1]}) 距全镇中位点 {km:.0f} 公里"
            expected = f"本镇范围内（距中位点不超过 {MAX_TOWN_RADIUS_KM:.0f} 公里）"
            problems.append(InputProblem(file, row, column, msg, expected))
    return problems


def isolation_problems(targets: list[Target], target_rows: dict[str, Row]) -> list[InputProblem]:
    """Targets whose nearest other target is farther than ``MAX_NEIGHBOUR_KM``.

    Points already beyond the town's radius are left to ``extent_problems`` (one problem a
    row), and so are their neighbours: a point 900 km off must not make a lone one near it
    look isolated, nor hide one.
    """
    if len(targets) < 2:
        return []
    centre = (
        statistics.median(t.lat for t in targets),
        statistics.median(t.lon for t in targets),
    )
    inside = [t for t in targets if _km(centre, (t.lat, t.lon)) <= MAX_TOWN_RADIUS_KM]
    if len(inside) < 2:
        return []
    xy = project_m([t.lat for t in inside], [t.lon for t in inside], *centre)
    from scipy.spatial import cKDTree  # SciPy costs 0.35 s at start: only this needs it

    distance, _ = cKDTree(xy).query(xy, k=2)
    nearest_km = distance[:, 1] / 1000
    problems = []
    for i in np.flatnonzero(nearest_km > MAX_NEIGHBOUR_KM):
        t = inside[i]
        file, row, column = target_rows[t.id]
        msg = (
            f"经纬度 ({t.lat}, {t.lon}) 距最近的其他走访对象 {nearest_km[i]:.1f} 公里，可能录入有误"
        )
        expected = f"与其他走访对象相距不超过 {MAX_NEIGHBOUR_KM:.0f} 公里（改正经纬度）"
        problems.append(InputProblem(file, row, column, msg, expected))
    return problems
