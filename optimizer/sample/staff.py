"""Cadres of a sample town, in the roles the notices name, sized so the deadline has slack.

By area (柴胡店镇): 网格员 keep their own grid and visit households; 村两委 and
包村干部 keep their village and visit everything in it; 镇领导 go anywhere.
By sector (黄屯街道): 网格员 and 村两委 visit residents; the industrial-park committee
enterprises; enforcement and market supervision shops; social affairs schools and
clinics; the construction office sites; the party office institutions and markets.
Each cadre's daily minutes are sized so the estimated workload is about ``LOAD`` of
capacity.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from optimizer.domain.codes import TargetType
from optimizer.domain.model import Settings, Target
from optimizer.sample.geography import TownSpec, Village, to_latlon
from optimizer.sample.names import NameMaker
from optimizer.travel import great_circle_m
from optimizer.workload import workload_minutes

LOAD = 0.62  # estimated workload ÷ capacity the sample aims for
ALL_TYPES = ";".join(t.value for t in TargetType)
SECTORS = (
    # (types, unit, role, minutes per day)
    ("enterprise", "安全装备产业园管委会", "园区服务专员", 180),
    ("shop", "综合执法大队", "执法队员", 180),
    ("shop", "市场监督管理所", "市场监管员", 180),
    ("school;hospital", "社会事务办", "社会事务干部", 150),
    ("site", "建设办", "建设办干部", 150),
    ("institution;market", "党政办", "机关干部", 150),
)
VILLAGE_ROLES = ("村党支部书记", "村委会主任", "村两委委员", "村两委委员", "村两委委员")
LEADER_ROLES = ("党委书记", "主要负责人", "党委副书记", "副职领导", "副职领导", "人大工委主任")


@dataclass(frozen=True, slots=True)
class Sizing:
    days: int
    slack: float

    def exact_minutes(self, load: float, cadres: int) -> float:
        return load / max(1, cadres) / (self.days * (1 - self.slack) * LOAD)

    def minutes_for(self, load: float, cadres: int, commute: float = 0.0) -> int:
        """Daily minutes (to 5) that make ``load`` about ``LOAD`` of the cadres' capacity,
        plus ``commute`` minutes a day out to the area and back."""
        minutes = self.exact_minutes(load, cadres) + commute
        return int(np.clip(round(minutes / 5) * 5, 60, 330))

    def cadres_for(self, load: float, minutes: int) -> int:
        return max(1, round(load / (minutes * self.days * (1 - self.slack) * LOAD)))


class StaffMaker:
    def __init__(self, spec: TownSpec, settings: Settings, rng, names: NameMaker):
        self.spec, self.rng, self.names = spec, rng, names
        self.sizing = Sizing(settings.days, settings.policy.retry_slack)
        self.rows: list[dict[str, str]] = []

    def add(self, role: str, unit: str, types: str, minutes: int, **place) -> None:
        off = ""
        if self.sizing.days >= 5 and self.rng.random() < 0.1:
            off = str(int(self.rng.integers(2, self.sizing.days)))
            minutes = int(minutes * self.sizing.days / (self.sizing.days - 1) / 5 + 0.5) * 5
        self.rows.append(
            {
                "id": f"C{len(self.rows) + 1:04d}",
                "name": self.names.person(),
                "role": role,
                "unit": unit,
                "phone": self.names.phone(),
                "types": types,
                "minutes_per_day": str(min(minutes, 330)),
                "off_days": off,
                **{k: str(v) for k, v in place.items()},
            }
        )

    def village_staff(self, v: Village, loads: dict[str, float], shared: float, lat, lon) -> None:
        """网格员 on about half the grids; 村两委 / 包村干部 for the rest of the village.

        ``shared``: the village's other work these cadres visit, less what leaders take."""
        grids = sorted(loads, key=lambda g: int(g.removesuffix("网格")) if g[:-2].isdigit() else 0)
        # 专职网格员 on the built-up half of the village (grids are numbered by bisection, so
        # the first half is one side), where one person can do the whole grid.
        half = grids[: (len(grids) + 1) // 2] if len(grids) > 1 else []
        own = [g for g in half if 90 <= self.sizing.exact_minutes(loads[g], 1) <= 300]
        commute = self._commute(v, None)
        for grid in own:
            minutes = self.sizing.minutes_for(loads[grid], 1, self._commute(v, grid))
            self.add("专职网格员", v.name, "household", minutes, village=v.name, grid=grid)
        rest = sum(loads[g] for g in grids if g not in own) + shared
        if rest <= 0:
            return
        count = self.sizing.cadres_for(rest, 210)
        minutes = self.sizing.minutes_for(rest, count, commute)
        types = "household" if self.spec.sectors else ALL_TYPES
        for k in range(count):
            base = {}
            if self.rng.random() < 0.5:  # half give the 村委会 as base, half leave it blank
                base = {"base_lat": f"{lat:.6f}", "base_lon": f"{lon:.6f}"}
            if k == 0 and count > 1:
                unit = (
                    f"{self.spec.title}人民政府" if self.spec.key == "chaihudian" else "街道办事处"
                )
                self.add("包村干部", unit, types, minutes, village=v.name, **base)
            else:
                role = VILLAGE_ROLES[min(k, len(VILLAGE_ROLES) - 1)]
                self.add(role, v.name, types, minutes, village=v.name, **base)

    def _commute(self, v: Village, grid: str | None) -> float:
        """Minutes a day from the village centre out to its households and back."""
        points = np.array([(p[0], p[1]) for p in v.points if grid is None or p[2] == grid])
        if not len(points):
            return 0.0
        metres = float(np.mean(np.hypot(points[:, 0] - v.x, points[:, 1] - v.y)))
        return 2 * metres * 1.3 / 200  # detour 1.3 at 12 km/h (200 m a minute)

    def free_staff(self, role, unit, types, load, minutes, lat, lon, commute) -> None:
        """Cadres who may visit anywhere in the town, starting from their unit."""
        count = self.sizing.cadres_for(load, minutes)
        per_day = self.sizing.minutes_for(load, count) + 5 * round(commute / 5)
        for _ in range(count):
            self.add(role, unit, types, per_day, base_lat=f"{lat:.6f}", base_lon=f"{lon:.6f}")


def make_cadres(spec, villages, targets: list[Target], settings, rng, names, seat_latlon, park):
    """Cadre rows (canonical column names) for the sample's targets."""
    staff = StaffMaker(spec, settings, rng, names)
    work = workload_minutes(targets, settings)
    grid_load: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    other_load: dict[str, float] = defaultdict(float)
    type_load: dict[str, float] = defaultdict(float)
    for t, w in zip(targets, work, strict=True):
        type_load[t.type.value] += w
        if t.type is TargetType.HOUSEHOLD:
            grid_load[t.village][t.grid] += w
        elif not spec.sectors:
            other_load[t.village] += w
    seat_lat, seat_lon = seat_latlon
    leader_villages = _leader_villages(villages, grid_load, other_load, type_load, settings)
    for v in villages:
        lat, lon = (float(c) for c in to_latlon(spec, v.x, v.y))
        taken = 0.0
        for k in range(leader_villages.count(v.name)):  # 镇领导包村: a leader keeps a village
            commute = 2 * 1.3 * math.hypot(v.x, v.y) / 200  # from the seat at 12 km/h, min/day
            minutes = 120
            taken += (
                max(0, minutes - commute) * settings.days * (1 - settings.policy.retry_slack) * LOAD
            )
            unit = f"{spec.title}{'党工委' if spec.sectors else '党委'}"
            types = "household" if spec.sectors else ALL_TYPES
            role = LEADER_ROLES[k % len(LEADER_ROLES)]
            staff.add(
                role,
                unit,
                types,
                minutes,
                village=v.name,
                base_lat=f"{seat_lat:.6f}",
                base_lon=f"{seat_lon:.6f}",
            )
        staff.village_staff(v, grid_load[v.name], other_load[v.name] - taken, lat, lon)
    if spec.sectors:
        _sector_staff(staff, targets, work, seat_latlon, park, settings)
    return staff.rows


def _leader_villages(villages, grid_load, other_load, type_load, settings) -> list[str]:
    """The villages that town leaders keep (联系村), the biggest first, about 4 % of the work."""
    share = 0.04 * sum(type_load.values())
    count = max(1, round(share / (120 * settings.days * 0.85 * LOAD)))
    size = {v.name: sum(grid_load[v.name].values()) + other_load[v.name] for v in villages}
    ranked = sorted(size, key=lambda name: -size[name])
    return [ranked[k % len(ranked)] for k in range(count)]


def _sector_staff(staff: StaffMaker, targets, work, seat_latlon, park, settings) -> None:
    """Town-wide sector cadres, sized with their daily commute to their targets' centre."""
    shop_units = sum(1 for s in SECTORS if s[0] == "shop")
    for types, unit, role, minutes in SECTORS:
        kinds = set(types.split(";"))
        mine = [i for i, t in enumerate(targets) if t.type.value in kinds]
        load = float(sum(work[i] for i in mine)) / (shop_units if types == "shop" else 1)
        if load <= 0:
            continue
        lat, lon = park if types == "enterprise" and park else seat_latlon
        # Each cadre's area lies somewhere in the town: the mean distance to the targets.
        lats, lons = (
            np.array([targets[i].lat for i in mine]),
            np.array([targets[i].lon for i in mine]),
        )
        metres = float(np.mean(great_circle_m(lat, lon, lats, lons)))
        commute = 2 * metres * settings.travel.detour / (settings.travel.speed_kmh * 1000 / 60)
        staff.free_staff(role, unit, types, load, minutes, lat, lon, commute)
