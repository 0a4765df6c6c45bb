"""How busy a zoo town is, measured without the planner's own estimates.

**Workload** = every target's service minutes (the campaign's defaults by type) plus, for each
village, a nearest-neighbour tour through the village's targets that starts and ends at their
mean point, at the campaign's speed with its detour over straight lines (a local flat
projection, which at a town's scale is the great circle to 0.1 %). The targets of a town-wide
sector (部门干部 visiting, say, every enterprise) count a tour through the sector instead,
from and back to its base: the cadres who visit them cross the town. A bad-data point farther
than ``OUTLIER_KM`` from the town's median point is left out: no one plans to walk there.

**Capacity** = Σ over cadres of ``minutes_per_day`` × their working days (the campaign's days
less their off days), counting only cadres who have something they may visit (a 网格员 whose
grid holds no targets has nothing).

**Utilization** = workload ÷ capacity.
"""

from __future__ import annotations

import math
import tomllib
from collections import defaultdict

import numpy as np

from optimizer.domain.codes import TargetType
from optimizer.domain.defaults import SERVICE_MINUTES

OUTLIER_KM = 100.0
M_PER_DEG = 111_195.0
SPEED_KMH, DETOUR = 12.0, 1.3  # the campaign.toml the sample writes


def tour_metres(xy: np.ndarray) -> float:
    """A nearest-neighbour tour from the points' mean point through every point and back."""
    if not len(xy):
        return 0.0
    left = np.ones(len(xy), dtype=bool)
    here = xy.mean(axis=0)
    start, metres = here, 0.0
    for _ in range(len(xy)):
        d = np.hypot(xy[:, 0] - here[0], xy[:, 1] - here[1])
        d[~left] = np.inf
        k = int(np.argmin(d))
        metres += float(d[k])
        left[k] = False
        here = xy[k]
    return metres + float(np.hypot(*(here - start)))


def _xy(rows: list[dict[str, str]]) -> np.ndarray:
    lat = np.array([float(r["lat"]) for r in rows])
    lon = np.array([float(r["lon"]) for r in rows])
    lat0 = float(np.median(lat)) if len(lat) else 0.0
    return np.column_stack([lon * M_PER_DEG * math.cos(math.radians(lat0)), lat * M_PER_DEG])


def is_outlier(rows: list[dict[str, str]]) -> list[bool]:
    """Rows farther than ``OUTLIER_KM`` from the median point (bad data, not workload)."""
    xy = _xy(rows)
    if not len(xy):
        return []
    centre = np.median(xy, axis=0)
    return list(np.hypot(*(xy - centre).T) > OUTLIER_KM * 1000)


def target_minutes(
    rows: list[dict[str, str]], speed_kmh: float = SPEED_KMH, detour: float = DETOUR
) -> list[float]:
    """Each target's share of the workload: its service plus its share of its village's tour
    (the tour split evenly over the village's targets); 0 for an outlier."""
    per_minute_m = speed_kmh * 1000 / 60 / detour
    outlier = is_outlier(rows)
    villages: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if not outlier[i]:
            villages[r["village"]].append(i)
    minutes = [0.0] * len(rows)
    xy = _xy(rows)
    for members in villages.values():
        travel = tour_metres(xy[members]) / per_minute_m / len(members)
        for i in members:
            minutes[i] = SERVICE_MINUTES[TargetType(rows[i]["type"])] + travel
    return minutes


def away_minutes(
    rows: list[dict[str, str]],
    base: tuple[float, float],
    days: int,
    *,
    tour: bool,
    speed_kmh: float = SPEED_KMH,
    detour: float = DETOUR,
) -> float:
    """What targets cost cadres based away from them: every working day a round trip from the
    base to the targets' mean point, and with ``tour`` service plus a nearest-neighbour tour
    through them all (a town-wide sector: the village tours of ``target_minutes`` pass a shop
    or a factory on the way through a village; a sector cadre crosses the town from one to
    the next, which costs far more). Without ``tour``, the commute alone."""
    kept = [r for r, far in zip(rows, is_outlier(rows), strict=True) if not far]
    if not kept:
        return 0.0
    per_minute_m = speed_kmh * 1000 / 60 / detour
    xy = _xy([*kept, {"lat": str(base[0]), "lon": str(base[1])}])
    metres = days * 2 * float(np.hypot(*(xy[:-1].mean(axis=0) - xy[-1])))
    if not tour:
        return metres / per_minute_m
    service = sum(SERVICE_MINUTES[TargetType(r["type"])] for r in kept)
    return service + (tour_metres(xy[:-1]) + metres) / per_minute_m


def working_days(row: dict[str, str], days: int) -> int:
    off = {int(d) for d in row.get("off_days", "").split(";") if d}
    return days - len(off)


def capacity_minutes(cadres: list[dict[str, str]], targets: list[dict[str, str]], days: int):
    """Σ minutes × working days of the cadres who have something to visit."""
    grids = {(r["village"], r["grid"]) for r in targets}
    return sum(
        int(c["minutes_per_day"]) * working_days(c, days)
        for c in cadres
        if not c.get("grid") or (c.get("village", ""), c["grid"]) in grids
    )


def town_minutes(
    targets: list[dict[str, str]],
    cadres: list[dict[str, str]],
    days: int,
    speed_kmh: float = SPEED_KMH,
    detour: float = DETOUR,
) -> float:
    """The town's workload: village tours (``target_minutes``), except that the targets of a
    town-wide sector (types a cadre without a village visits, households aside) cost the
    sector's own tour from its cadre's base, and the villages without a cadre of their own
    add the daily commute of the town-wide cadre who visits them (``away_minutes``)."""
    speed = {"speed_kmh": speed_kmh, "detour": detour}
    work = target_minutes(targets, speed_kmh, detour)
    total = sum(work)
    own = {c.get("village") for c in cadres if c.get("village")}
    seen: set[frozenset[str]] = set()
    for c in cadres:
        types = frozenset(c["types"].split(";"))
        if c.get("village") or not c.get("base_lat") or types in seen:
            continue
        seen.add(types)
        base = (float(c["base_lat"]), float(c["base_lon"]))
        if "household" not in types:
            members = [i for i, t in enumerate(targets) if t["type"] in types]
            total -= sum(work[i] for i in members)
            rows = [targets[i] for i in members]
            total += away_minutes(rows, base, days, tour=True, **speed)
        else:
            rows = [t for t in targets if t["village"] not in own and t["type"] in types]
            total += away_minutes(rows, base, days, tour=False, **speed)
    return total


def utilization(town) -> float:
    """Workload ÷ capacity of a written zoo town (a ``SampleTown``), by the definitions above."""
    settings = tomllib.loads(town.toml)
    travel = settings.get("travel", {})
    work = town_minutes(
        town.targets,
        town.cadres,
        settings["days"],
        travel.get("speed_kmh", SPEED_KMH),
        travel.get("detour", DETOUR),
    )
    return work / capacity_minutes(town.cadres, town.targets, settings["days"])
