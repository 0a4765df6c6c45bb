"""Output files of the data contract: assignment.csv, routes.csv, summary.json."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from optimizer.model import Area, Assignment, Campaign, Plan, hhmm

ROUTE_COLUMNS = [
    "plan_version",
    "cadre_id",
    "day",
    "date",
    "seq",
    "target_id",
    "arrive",
    "depart",
    "travel_min",
]


def write_assignment_csv(folder: Path, assignment: Assignment) -> Path:
    """``target_id,cadre_id,area_id``, one row per target, areas in cadre order."""
    path = Path(folder) / "assignment.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["target_id", "cadre_id", "area_id"])
        for area in assignment.areas:
            for tid in area.target_ids:
                writer.writerow([tid, area.cadre_id, area.id])
    return path


def route_rows(campaign: Campaign, plan: Plan) -> list[list[object]]:
    rows = []
    for route in sorted(plan.routes, key=lambda r: (r.cadre_id, r.day)):
        date = campaign.settings.date_of(route.day).isoformat()
        for seq, stop in enumerate(route.stops, start=1):
            rows.append(
                [
                    plan.version,
                    route.cadre_id,
                    route.day,
                    date,
                    seq,
                    stop.target_id,
                    hhmm(stop.arrive_min),
                    hhmm(stop.depart_min),
                    stop.travel_min,
                ]
            )
    return rows


def write_routes_csv(path: Path, campaign: Campaign, plan: Plan) -> Path:
    """The contract's routes.csv: one row per planned stop."""
    with Path(path).open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(ROUTE_COLUMNS)
        writer.writerows(route_rows(campaign, plan))
    return Path(path)


def write_json(path: Path, data: dict) -> Path:
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Path(path)


def read_assignment_csv(path: Path) -> Assignment:
    """An assignment.csv back into areas (area order as in the file)."""
    areas: dict[tuple[str, str], list[str]] = {}
    with Path(path).open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            areas.setdefault((row["area_id"], row["cadre_id"]), []).append(row["target_id"])
    return Assignment(tuple(Area(a, c, tuple(ids)) for (a, c), ids in areas.items()))


OUTCOME_COLUMNS = ["target_id", "day", "status", "time", "cadre_id", "category", "request"]


def write_outcomes_csv(path: Path, outcomes) -> Path:
    """An outcomes file as a field office would hand it in (the contract's columns)."""
    with Path(path).open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(OUTCOME_COLUMNS)
        for o in outcomes:
            writer.writerow(
                [
                    o.target_id,
                    o.day,
                    o.status.value,
                    "" if o.time_min is None else hhmm(o.time_min),
                    o.cadre_id or "",
                    str(o.category) if o.category else "",
                    o.request,
                ]
            )
    return Path(path)
