"""Estimated workload of targets and capacity of cadres, in minutes.

A target's workload is its service time plus an estimate of the travel it causes: 1.25 × the
distance to its nearest neighbour of the same type (a tour through n random points is about 1.4
× the sum of nearest-neighbour distances; same-type, because sector cadres visit only their own
types), × detour, at the campaign speed. A cadre's capacity is ``minutes_per_day`` × working
days, less the daily commute: all of the cadre's minutes, for the hard rules are judged with
them (DESIGN §5). The retry slack (``[policy].retry_slack``) is a goal the plan reports on
(``optimizer.reports.slack``), never a reason to refuse it.
"""

from __future__ import annotations

import numpy as np

from optimizer.domain.model import Cadre, Settings, Target
from optimizer.travel import great_circle_m, project_m

TOUR_FACTOR = 1.25
MAX_TRAVEL_MIN = 30.0


def town_origin(targets: tuple[Target, ...] | list[Target]) -> tuple[float, float]:
    lat = float(np.mean([t.lat for t in targets])) if targets else 0.0
    lon = float(np.mean([t.lon for t in targets])) if targets else 0.0
    return lat, lon


def travel_share_minutes(targets, settings: Settings) -> np.ndarray:
    """Per target: estimated travel minutes its visit adds to a tour."""
    from scipy.spatial import cKDTree  # SciPy costs 0.35 s at start: only this needs it

    if not targets:
        return np.zeros(0)
    lat0, lon0 = town_origin(targets)
    xy = project_m([t.lat for t in targets], [t.lon for t in targets], lat0, lon0)
    kinds = np.array([t.type.value for t in targets])
    result = np.zeros(len(targets))
    speed_m_per_min = settings.travel.speed_kmh * 1000 / 60
    for kind in np.unique(kinds):
        idx = np.flatnonzero(kinds == kind)
        if len(idx) < 2:
            result[idx] = MAX_TRAVEL_MIN / 2
            continue
        distance, _ = cKDTree(xy[idx]).query(xy[idx], k=2)
        metres = distance[:, 1] * settings.travel.detour * TOUR_FACTOR
        result[idx] = np.minimum(metres / speed_m_per_min, MAX_TRAVEL_MIN)
    return result


def workload_minutes(targets, settings: Settings) -> np.ndarray:
    """Per target: service + travel share, in minutes (float)."""
    service = np.array([t.service_minutes for t in targets], dtype=float)
    return service + travel_share_minutes(targets, settings)


def commute_minutes(cadre: Cadre, lat: float, lon: float, settings: Settings) -> float:
    """Round trip from the cadre's base to a point, in minutes."""
    metres = float(great_circle_m(cadre.base_lat, cadre.base_lon, lat, lon))
    return 2 * metres * settings.travel.detour / (settings.travel.speed_kmh * 1000 / 60)


def capacity_minutes(cadre: Cadre, settings: Settings, commute_min: float = 0.0) -> int:
    """Visiting minutes the cadre can give by the deadline, the commute set aside."""
    days = len(cadre.work_days(settings.days))
    daily = max(0.0, cadre.minutes_per_day - commute_min)
    return int(daily * days)
