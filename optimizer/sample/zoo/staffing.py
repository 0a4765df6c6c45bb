"""The zoo town's cadres, in the roles of the notices, sized by the zoo's own workload measure.

Cadres are sized in units that share work: a 网格员 and their grid; a village's 村干部 and its
包村干部; the town-wide 包村干部 of the villages without cadres of their own; the 部门干部 of
each sector. Each unit's daily minutes make its workload ``utilization`` of its minutes; a
last pass scales everyone's minutes so the town as a whole is at ``utilization``
(``measure.utilization``). Day-only cadres are drawn among those a village can spare: its
cadres who work evenings keep evening minutes for its evening households with a third spare,
and take over (with the minutes they need) those of a 网格员 made day-only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from optimizer.domain.codes import TargetType
from optimizer.sample.names import NameMaker
from optimizer.sample.zoo.measure import away_minutes
from optimizer.sample.zoo.spec import ZooSpec

DAY_ONLY = "08:30-17:30"
EVENING_MIN = 150  # 18:00–20:30
EVENING_HEADROOM = 0.6  # evening work ÷ evening minutes of the evening cadres, at most
ALL_TYPES = ";".join(t.value for t in TargetType)
OTHER_TYPES = [t.value for t in TargetType if t is not TargetType.HOUSEHOLD]
SECTOR_GROUPS = {
    1: (tuple(OTHER_TYPES),),
    2: (("enterprise", "site"), ("shop", "school", "hospital", "institution", "market")),
    3: (("enterprise", "site"), ("shop", "market"), ("school", "hospital", "institution")),
    4: (("enterprise",), ("site", "institution"), ("shop", "market"), ("school", "hospital")),
    5: (("enterprise",), ("site",), ("shop",), ("market", "institution"), ("school", "hospital")),
}
SECTOR_UNITS = {
    "enterprise": "经济发展办",
    "site": "建设办",
    "shop": "市场监督管理所",
    "market": "市场监督管理所",
    "school": "社会事务办",
    "institution": "党政办",
}


@dataclass(slots=True)
class Unit:
    """Cadres sized together: what they may visit, its workload, where they start."""

    kind: str  # grid | village | orphans | sector
    types: str
    load_min: float
    evening_min: float = 0.0
    village: str = ""
    grid: str = ""
    base: tuple[float, float] | None = None
    minimum: int = 1
    cadres: list[dict[str, str]] = field(default_factory=list)


def _loads(targets, work, keep) -> tuple[float, float]:
    chosen = [i for i, t in enumerate(targets) if keep(t)]
    evening = sum(work[i] for i in chosen if targets[i]["window"] == "evening")
    return sum(work[i] for i in chosen), evening


def household_units(spec: ZooSpec, targets, work, villages, centres, rng) -> list[Unit]:
    """网格员 on some grids one person can do; 村干部 for the rest; orphan villages together."""
    sectors = spec.sector_cadres > 0
    orphans = {v.name for v in villages[len(villages) - spec.orphan_villages :]}
    units: list[Unit] = []
    low, high = (m * spec.utilization * spec.days for m in spec.minutes_per_day)
    for v in villages:
        if v.name in orphans:
            continue
        own = set()
        for grid in sorted({p[2] for p in v.points}):
            load, evening = _loads(
                targets,
                work,
                lambda t, g=grid, v=v: (
                    t["village"] == v.name and t["grid"] == g and t["type"] == "household"
                ),
            )
            if low <= load <= high and rng.random() < spec.grid_worker_share:
                units.append(Unit("grid", "household", load, evening, v.name, grid))
                own.add(grid)
        load, evening = _loads(
            targets,
            work,
            lambda t, v=v, own=own: (
                t["village"] == v.name
                and (t["grid"] not in own if t["type"] == "household" else not sectors)
            ),
        )
        if load > 0:
            types = "household" if sectors else ALL_TYPES
            units.append(Unit("village", types, load, evening, v.name, base=centres[v.name]))

    def orphan(t) -> bool:
        return t["village"] in orphans and (t["type"] == "household" or not sectors)

    load, evening = _loads(targets, work, orphan)
    if load > 0:
        # Their cadre comes from the seat every day: the commute is part of the load.
        load += away_minutes([t for t in targets if orphan(t)], centres[""], spec.days, tour=False)
        types = "household" if sectors else ALL_TYPES
        units.append(Unit("orphans", types, load, evening, base=centres[""]))
    return units


def sector_units(spec: ZooSpec, targets, seat, park) -> list[Unit]:
    """Town-wide 部门干部 by sector; at least ``sector_cadres`` of them in all."""
    if not spec.sector_cadres:
        return []
    groups = SECTOR_GROUPS[min(spec.sector_cadres, 5)]
    units = []
    for types in groups:
        base = park if "enterprise" in types and park else seat
        rows = [t for t in targets if t["type"] in types]
        load = away_minutes(rows, base, spec.days, tour=True)
        units.append(Unit("sector", ";".join(types), load, 0.0, base=base))
    for _ in range(spec.sector_cadres - len(groups)):  # extra cadres to the busiest
        max(units, key=lambda u: u.load_min / u.minimum).minimum += 1
    return [u for u in units if u.load_min > 0]


def unit_size(spec: ZooSpec, unit: Unit) -> tuple[int, float]:
    """(cadres, daily minutes) that put the unit at the spec's utilization."""
    low, high = spec.minutes_per_day
    need = unit.load_min / (spec.utilization * spec.days)  # cadre-minutes a day
    fewest, most = math.ceil(need / high), max(1, math.floor(need / low))
    # When no count keeps every cadre inside the range (need between one cadre's most and
    # two cadres' fewest), take the one more cadre: below the fewest minutes they take days
    # off (``Staff.off_days``), above the most they would be overloaded.
    count = max(unit.minimum, fewest, min(round(need / ((low + high) / 2)), most), 1)
    return count, need / count


class Staff:
    """Cadre rows in the making."""

    def __init__(self, spec: ZooSpec, title: str, rng, names: NameMaker):
        self.spec, self.title, self.rng, self.names = spec, title, rng, names
        self.rows: list[dict[str, str]] = []

    def off_days(self, minutes: float) -> str:
        """An off day now and then; more for a cadre whose unit needs less than the fewest
        minutes a day (they visit on fewer days instead)."""
        days, low = self.spec.days, self.spec.minutes_per_day[0]
        count = int(days >= 4 and self.rng.random() < self.spec.off_day_share)
        if minutes < low:
            count = max(count, round(days * (1 - minutes / low)))
        choices = np.arange(2, days + 1) if days > 2 else np.arange(1, days + 1)
        count = min(count, len(choices) - 1, days - 1)
        return ";".join(str(d) for d in sorted(self.rng.choice(choices, count, replace=False)))

    def add(self, role: str, unit: str, types: str, minutes: float, **place) -> dict[str, str]:
        off = self.off_days(minutes)
        if minutes >= self.spec.minutes_per_day[0] and off:
            # An off day drawn at random: the unit's work stays, spread over the other days.
            minutes *= self.spec.days / (self.spec.days - len(off.split(";")))
        row = {
            "id": f"C{len(self.rows) + 1:04d}",
            "name": self.names.person(),
            "role": role,
            "unit": unit,
            "phone": self.names.phone(),
            "types": types,
            "minutes_per_day": str(self.clip(minutes)),
            "window": "",
            "off_days": off,
            **{k: v for k, v in place.items() if v},
        }
        self.rows.append(row)
        return row

    def rescale(self, row: dict[str, str], factor: float) -> None:
        """Scale a cadre's minutes; below the fewest minutes a day, take days off instead."""
        minutes = int(row["minutes_per_day"]) * factor
        low = self.spec.minutes_per_day[0]
        row["minutes_per_day"] = str(self.clip(minutes))
        off = {int(d) for d in row["off_days"].split(";") if d}
        free = [d for d in range(2, self.spec.days + 1) if d not in off]
        extra = round((self.spec.days - len(off)) * (1 - minutes / low)) if minutes < low else 0
        extra = min(extra, len(free) - 1)
        if extra > 0:
            off |= {int(d) for d in self.rng.choice(free, extra, replace=False)}
            row["off_days"] = ";".join(str(d) for d in sorted(off))

    def clip(self, minutes: float) -> int:
        low, high = self.spec.minutes_per_day
        return int(np.clip(5 * round(minutes / 5), low, high))

    def base(self, unit: Unit) -> dict[str, str]:
        """The unit's base, or none for a village cadre given by village only."""
        by_village = unit.kind in ("grid", "village")
        if unit.base is None or (by_village and self.rng.random() < self.spec.bases_by_village):
            return {}
        lat, lon = unit.base
        jitter = self.rng.normal(0, 0.0004, 2) if by_village else (0.0, 0.0)  # the 村委会
        return {"base_lat": f"{lat + jitter[0]:.6f}", "base_lon": f"{lon + jitter[1]:.6f}"}

    def staff(self, unit: Unit) -> None:
        count, minutes = unit_size(self.spec, unit)
        for k in range(count):
            mine = minutes * self.rng.uniform(0.9, 1.1)
            place = {"village": unit.village, "grid": unit.grid, **self.base(unit)}
            role, office = _role(unit, k, count, self.title)
            unit.cadres.append(self.add(role, office, unit.types, mine, **place))

    def empty_grid(self, village, grid: str) -> None:
        minutes = self.rng.uniform(*self.spec.minutes_per_day)
        self.add("网格员", village, "household", minutes, village=village, grid=grid)


def _role(unit: Unit, k: int, count: int, title: str) -> tuple[str, str]:
    if unit.kind == "grid":
        return "网格员", unit.village
    if unit.kind == "village":
        if k == 0 and count > 1:
            return "包村干部", f"{title}人民政府"
        return "村干部", unit.village
    if unit.kind == "orphans":
        return "包村干部", f"{title}人民政府"
    return "部门干部", SECTOR_UNITS.get(unit.types.split(";")[0], "党政办")


def evening_capacity(row: dict[str, str], days: int) -> float:
    off = len([d for d in row["off_days"].split(";") if d])
    return min(EVENING_MIN, int(row["minutes_per_day"])) * (days - off)


def choose_day_only(spec: ZooSpec, units: list[Unit], rows, rng) -> None:
    """Mark ``day_only_share`` of the cadres 08:30–17:30 among those who can be spared."""
    needed: dict[str, float] = defaultdict(float)
    by_place: dict[str, list[dict[str, str]]] = defaultdict(list)
    for u in sorted(units, key=lambda u: u.kind != "village"):  # village cadres first
        needed[u.village or u.kind] += u.evening_min / EVENING_HEADROOM
        by_place[u.village or u.kind] += u.cadres
    required = set()
    for place, cadres in by_place.items():
        held = 0.0
        for c in cadres:
            if held >= needed[place]:
                break
            required.add(c["id"])
            held += evening_capacity(c, spec.days)
    spare = [r for r in rows if r["id"] not in required]
    count = round(spec.day_only_share * len(rows))
    for k in rng.permutation(len(spare))[:count]:
        spare[int(k)]["window"] = DAY_ONLY
    for u in units:
        if u.kind == "grid" and u.evening_min and u.cadres[0]["window"] == DAY_ONLY:
            _hand_over_evenings(spec, u, units)


def _hand_over_evenings(spec: ZooSpec, grid: Unit, units: list[Unit]) -> None:
    """A day-only 网格员's evening households go to the village's cadres who work evenings
    (the only others who may visit the grid): their minutes move with them, so neither side
    ends far from the town's utilization. Without such a cadre the 网格员 keeps evenings."""
    takers = [
        c
        for u in units
        if u.kind == "village" and u.village == grid.village and "household" in u.types
        for c in u.cadres
        if c["window"] != DAY_ONLY
    ]
    cadre = grid.cadres[0]
    if not takers:
        cadre["window"] = ""
        return
    low, high = spec.minutes_per_day
    moved = grid.evening_min / (spec.utilization * spec.days)
    cadre["minutes_per_day"] = str(int(np.clip(int(cadre["minutes_per_day"]) - moved, low, high)))
    for c in takers:
        share = int(c["minutes_per_day"]) + moved / len(takers)
        c["minutes_per_day"] = str(int(np.clip(5 * round(share / 5), low, high)))
