"""The zoo town's places and targets: real villages, streets, grids, apartment blocks."""

from __future__ import annotations

import csv
import dataclasses

import numpy as np
from scipy.spatial import cKDTree

from optimizer.domain.codes import TargetType
from optimizer.sample import TOWNS, VILLAGES_DIR
from optimizer.sample.geography import (
    TownSpec,
    Village,
    build_households,
    place_villages,
    share_households,
    to_latlon,
)
from optimizer.sample.names import NameMaker
from optimizer.sample.places import place_others, type_counts
from optimizer.sample.zoo.spec import ZooSpec

FAR_OFF_DEG = 8.1  # ≈ 900 km north: a latitude typed with a wrong digit
DAY_TYPES = (TargetType.ENTERPRISE, TargetType.INSTITUTION)  # office hours only


def town_spec(spec: ZooSpec) -> TownSpec:
    base = TOWNS[spec.town]
    return dataclasses.replace(
        base,
        campaign=f"{base.title}联系服务群众大走访（动物园样例）",
        sectors=spec.sector_cadres > 0,
        urban=(),
    )


def village_names(town: TownSpec) -> list[tuple[str, str]]:
    """(code, short name) of the town's real villages."""
    with (VILLAGES_DIR / town.villages_csv).open(encoding="utf-8") as f:
        return [(row["code"], row["short_name"]) for row in csv.DictReader(f)]


def households_per_grid(spec: ZooSpec) -> int:
    """About one 网格员's work at the town's utilization (18 minutes a household)."""
    mean = sum(spec.minutes_per_day) / 2
    return max(20, round(spec.utilization * spec.days * mean / 18))


def make_villages(spec: ZooSpec, town: TownSpec, rng) -> tuple[list[Village], int]:
    """Villages with their households (streets and grids); returns them and the count of
    non-household targets still to place."""
    villages = place_villages(town, village_names(town), rng)
    villages = sorted(villages, key=lambda v: v.x**2 + v.y**2)[: spec.villages]
    for v in villages[: spec.apartment_blocks]:
        v.urban = True
    others = sum(type_counts(town, spec.targets).values())
    share_households(villages, max(len(villages), spec.targets - others), town, rng)
    for v in villages:
        build_households(v, households_per_grid(spec), rng)
    return villages, others


def _household_rows(spec, town, villages, rng, names) -> list[dict[str, str]]:
    points = [(v, p) for v in villages for p in v.points]
    evening = np.zeros(len(points), dtype=bool)
    evening[rng.permutation(len(points))[: round(spec.evening_share * len(points))]] = True
    priority = rng.random(len(points)) < spec.priority_share
    xy = np.array([(p[0], p[1]) for _, p in points])
    lat, lon = to_latlon(town, xy[:, 0], xy[:, 1])
    return [
        {
            "type": "household",
            "name": names.person(),
            "village": v.name,
            "grid": p[2],
            "lat": f"{lat[i]:.6f}",
            "lon": f"{lon[i]:.6f}",
            "address": p[3],
            "phone": names.phone(),
            "window": "evening" if evening[i] else "",
            "priority": "1" if priority[i] else "",
        }
        for i, (v, p) in enumerate(points)
    ]


def _other_rows(spec, town, villages, rng, names) -> list[dict[str, str]]:
    """Shops, enterprises, …: in the village and grid of the nearest household."""
    owners = [(v.name, p[2]) for v in villages for p in v.points]
    tree = cKDTree(np.array([(p[0], p[1]) for v in villages for p in v.points]))
    rows = []
    for kind, x, y, name in place_others(town, villages, spec.targets, rng, names):
        village, grid = owners[int(tree.query((x, y))[1])]
        lat, lon = to_latlon(town, x, y)
        rows.append(
            {
                "type": kind.value,
                "name": name,
                "village": village,
                "grid": grid,
                "lat": f"{float(lat):.6f}",
                "lon": f"{float(lon):.6f}",
                "address": f"{village}{name}",
                "phone": names.phone(),
                "window": "day" if kind in DAY_TYPES else "",
                "priority": "",
            }
        )
    return rows


def target_rows(spec: ZooSpec, town: TownSpec, villages, rng, names: NameMaker):
    """Every target row with its id; a far-off household among them when asked."""
    rows = _household_rows(spec, town, villages, rng, names)
    rows += _other_rows(spec, town, villages, rng, names)
    if spec.far_off:
        households = [r for r in rows if r["type"] == "household"]
        bad = dict(households[int(rng.integers(len(households)))])
        bad["lat"] = f"{float(bad['lat']) + FAR_OFF_DEG:.6f}"
        bad["name"], bad["phone"] = names.person(), names.phone()
        bad["address"] = bad["address"].split("街")[0] + f"街{int(rng.integers(90, 99))}号"
        rows.insert(int(rng.integers(len(rows))), bad)
    for i, row in enumerate(rows, start=1):
        row["id"] = f"Z{i:06d}"
    return rows


def village_centre(town: TownSpec, v: Village) -> tuple[float, float]:
    lat, lon = to_latlon(town, v.x, v.y)
    return float(lat), float(lon)
