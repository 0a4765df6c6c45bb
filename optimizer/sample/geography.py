"""Synthetic geography of a sample town: village sites, streets, buildings, grids.

Village names and codes are real (统计用区划代码 2023); every position is synthetic — no public
source gives village coordinates, boundaries or household counts for these places.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

M_PER_DEG_LAT = 111_195.0


@dataclass(frozen=True, slots=True)
class TownSpec:
    key: str
    title: str  # 柴胡店镇 / 黄屯街道
    villages_csv: str
    centre: tuple[float, float]  # synthetic town centre (lat, lon)
    radius_m: float
    seat: str  # the village that holds the town seat (镇驻地)
    urban: tuple[str, ...]  # villages with apartment buildings (社区-like)
    campaign: str
    sectors: bool  # visiting by sector (黄屯街道 notice) or by area (柴胡店镇 notice)
    park: tuple[float, float] | None = None  # industrial park offset from centre (m east, m north)


@dataclass(slots=True)
class Village:
    name: str
    code: str
    x: float
    y: float
    households: int = 0
    angle: float = 0.0
    grids: int = 1
    urban: bool = False
    points: list[tuple[float, float, str, str]] = field(default_factory=list)  # x, y, grid, addr


def to_latlon(spec: TownSpec, x, y) -> tuple[np.ndarray, np.ndarray]:
    lat0, lon0 = spec.centre
    lat = lat0 + np.asarray(y) / M_PER_DEG_LAT
    lon = lon0 + np.asarray(x) / (M_PER_DEG_LAT * math.cos(math.radians(lat0)))
    return lat, lon


def place_villages(spec: TownSpec, names: list[tuple[str, str]], rng) -> list[Village]:
    """Village sites spread over a disc, no two closer than a share of the mean spacing."""
    spacing = 0.7 * math.sqrt(math.pi * spec.radius_m**2 / max(1, len(names)))
    sites: list[tuple[float, float]] = []
    seat_first = sorted(names, key=lambda n: n[1] != spec.seat)
    for _ in seat_first:
        for attempt in range(400):
            if not sites:
                x, y = 0.0, 0.0
            else:
                r = spec.radius_m * math.sqrt(rng.random())
                a = 2 * math.pi * rng.random()
                x, y = r * math.cos(a), r * math.sin(a)
            limit = spacing * (0.97**attempt)
            if all((x - sx) ** 2 + (y - sy) ** 2 >= limit**2 for sx, sy in sites):
                break
        sites.append((x, y))
    villages = []
    for (code, name), (x, y) in zip(seat_first, sites, strict=True):
        angle = rng.uniform(0, math.pi)
        villages.append(Village(name, code, x, y, angle=angle, urban=name in spec.urban))
    return villages


def share_households(villages: list[Village], total: int, spec: TownSpec, rng) -> None:
    """Split ``total`` households over villages: log-normal sizes, a bigger town seat."""
    weights = rng.lognormal(0.0, 0.45, len(villages))
    for i, v in enumerate(villages):
        weights[i] *= 2.5 if v.name == spec.seat else (1.8 if v.urban else 1.0)
    counts = np.floor(weights / weights.sum() * total).astype(int)
    counts[: total - counts.sum()] += 1
    for v, n in zip(villages, counts, strict=True):
        v.households = int(n)


HOUSE_FRONT_M = 12.0  # frontage of one rural house plot (宅基地)
LANE_GAP_M = 45.0  # distance between parallel village lanes (胡同)


def _street_points(v: Village, n: int, rng) -> tuple[np.ndarray, list[str]]:
    """Houses in rows on both sides of parallel lanes (a North-China plain village), a few
    on the outskirts; addresses name the lane (街) and the house number."""
    if n == 0:
        return np.zeros((0, 2)), []
    lane_m = float(np.clip(40 * math.sqrt(n), 150, 420))
    per_lane = 2 * int(lane_m // HOUSE_FRONT_M)
    lanes = math.ceil(n / per_lane)
    k = np.arange(n)
    lane, slot = k // per_lane, k % per_lane
    along = (slot // 2) * HOUSE_FRONT_M - lane_m / 2 + rng.normal(0, 1.5, n)
    across = (lane - (lanes - 1) / 2) * LANE_GAP_M + np.where(slot % 2, 9.0, -9.0)
    outskirts = rng.random(n) < 0.05
    along[outskirts] = rng.normal(0, 0.7 * lane_m, outskirts.sum())
    across[outskirts] = rng.normal(0, 0.7 * max(lane_m, lanes * LANE_GAP_M), outskirts.sum())
    c, s = math.cos(v.angle), math.sin(v.angle)
    xy = np.column_stack([v.x + along * c - across * s, v.y + along * s + across * c])
    addresses = [f"{v.name}{lane[i] + 1}街{slot[i] // 2 + 1}号" for i in range(n)]
    return xy, addresses


def _buildings(v: Village, n: int, rng) -> tuple[np.ndarray, list[str]]:
    """Apartment buildings: many households at one point, with 楼/单元/室 addresses."""
    points, addresses, building = [], [], 0
    side = max(1, math.ceil(math.sqrt(n / 36)))
    while len(points) < n:
        building += 1
        size = min(int(rng.integers(12, 61)), n - len(points))
        col, row = (building - 1) % side, (building - 1) // side
        bx = v.x + 200 + col * 45 * math.cos(v.angle) - row * 45 * math.sin(v.angle)
        by = v.y + 200 + col * 45 * math.sin(v.angle) + row * 45 * math.cos(v.angle)
        for k in range(size):
            floor, room = k // 4 + 1, k % 4 + 1
            points.append((bx, by))
            addresses.append(f"{building}号楼{room // 3 + 1}单元{floor}0{room}室")
    return np.array(points), addresses


def _bisect(xy: np.ndarray, ids: np.ndarray, grids: int, first: int, labels: list[str]) -> None:
    """Recursive bisection along the longer side: compact grids of about equal size."""
    if grids == 1:
        for i in ids:
            labels[i] = f"{first}网格"
        return
    pts = xy[ids]
    axis = int(np.ptp(pts[:, 1]) > np.ptp(pts[:, 0]))
    order = ids[np.lexsort((pts[:, 1 - axis], pts[:, axis]))]
    left = grids // 2
    cut = round(len(order) * left / grids)
    # Never cut through one building: move the cut to the next change of position.
    while 0 < cut < len(order) and (xy[order[cut]] == xy[order[cut - 1]]).all():
        cut += 1
    _bisect(xy, order[:cut], left, first, labels)
    _bisect(xy, order[cut:], grids - left, first + left, labels)


def _grid_labels(xy: np.ndarray, grids: int) -> list[str]:
    """Cut the village into ``grids`` compact grids; one building stays in one grid."""
    labels = [""] * len(xy)
    _bisect(xy, np.arange(len(xy)), grids, 1, labels)
    return labels


def build_households(v: Village, per_grid: int, rng) -> None:
    """Fill ``v.points`` with its households: positions, grid, address."""
    n = v.households
    in_buildings = int(0.7 * n) if v.urban else 0
    xy_b, addr_b = _buildings(v, in_buildings, rng) if in_buildings else (np.zeros((0, 2)), [])
    xy_s, addr_s = _street_points(v, n - in_buildings, rng)
    xy = np.vstack([xy_b, xy_s]) if in_buildings else xy_s
    v.grids = max(1, round(n / per_grid))
    labels = _grid_labels(xy, v.grids) if n else []
    v.points = [
        (float(x), float(y), g, a)
        for (x, y), g, a in zip(xy, labels, [*addr_b, *addr_s], strict=True)
    ]
