"""Recompute a routes.csv with the travel model and list every broken rule.

Independent of the solver: reads the published file, rebuilds each day from the stop order and
checks windows, service time, the daily window and minutes, off days, priority days, the
pairing, and that no target is planned twice. Travel legs may differ by ±1 minute (rounding).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from optimizer.domain.model import Assignment, Campaign
from optimizer.inputs.cells import parse_time
from optimizer.travel import minutes_of, travel_model

TOLERANCE_MIN = 1


def _read(path: Path) -> dict[tuple[str, int], list[dict[str, str]]]:
    days: dict[tuple[str, int], list[dict[str, str]]] = defaultdict(list)
    with Path(path).open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            days[(row["cadre_id"], int(row["day"]))].append(row)
    for rows in days.values():
        rows.sort(key=lambda r: int(r["seq"]))
    return days


def _check_day(campaign, cadre, day, rows, model, targets) -> list[str]:
    where = f"{cadre.id} day {day}"
    problems = []
    stops = [targets[r["target_id"]] for r in rows]
    lats = [cadre.base_lat, *(t.lat for t in stops)]
    lons = [cadre.base_lon, *(t.lon for t in stops)]
    legs = minutes_of(model.matrix(lats, lons).seconds)
    if day in cadre.off_days:
        problems.append(f"{where}: planned on an off day")
    if not 1 <= day <= campaign.settings.days:
        problems.append(f"{where}: outside the campaign")
    arrive = [parse_time(r["arrive"]) for r in rows]
    depart = [parse_time(r["depart"]) for r in rows]
    clock = arrive[0] - int(legs[0, 1])
    leave = clock
    for i, (t, a, d, r) in enumerate(zip(stops, arrive, depart, rows, strict=True), start=1):
        window = t.window or cadre.window
        if d - a != t.service_minutes:
            problems.append(f"{where}: {t.id} service {d - a} ≠ {t.service_minutes} min")
        if a < window.start_min or d > window.end_min:
            problems.append(f"{where}: {t.id} at {r['arrive']}-{r['depart']} outside {window}")
        if a + TOLERANCE_MIN < clock + int(legs[i - 1, i]):
            problems.append(f"{where}: {t.id} reached before travel allows")
        if abs(int(r["travel_min"]) - int(legs[i - 1, i])) > TOLERANCE_MIN:
            problems.append(f"{where}: {t.id} travel_min {r['travel_min']} ≠ {legs[i - 1, i]}")
        clock = d
    back = clock + int(legs[len(stops), 0])
    if (
        leave < cadre.window.start_min - TOLERANCE_MIN
        or back > cadre.window.end_min + TOLERANCE_MIN
    ):
        problems.append(f"{where}: day outside the cadre's window {cadre.window}")
    if back - leave > cadre.minutes_per_day + TOLERANCE_MIN * (len(stops) + 1):
        problems.append(f"{where}: {back - leave} min > {cadre.minutes_per_day} a day")
    return problems


def route_violations(
    campaign: Campaign, assignment: Assignment, routes_csv: Path, *, strict_priority: bool = True
) -> list[str]:
    """Every rule a routes.csv breaks (empty when the plan is feasible)."""
    targets = campaign.target_index()
    cadres = campaign.cadre_index()
    owner = assignment.cadre_of()
    model = travel_model(campaign.settings.travel, campaign.folder or None)
    problems: list[str] = []
    seen: dict[str, tuple[str, int]] = {}
    for (cadre_id, day), rows in sorted(_read(routes_csv).items()):
        cadre = cadres[cadre_id]
        for r in rows:
            tid = r["target_id"]
            if tid in seen:
                problems.append(f"{tid} planned twice ({seen[tid]} and {(cadre_id, day)})")
            seen[tid] = (cadre_id, day)
            if owner.get(tid) != cadre_id:
                problems.append(f"{tid} planned for {cadre_id}, but its cadre is {owner.get(tid)}")
            if (
                strict_priority
                and targets[tid].priority
                and day > campaign.settings.policy.priority_days
            ):
                problems.append(f"{tid} is a priority target planned on day {day}")
        problems += _check_day(campaign, cadre, day, rows, model, targets)
    return problems
