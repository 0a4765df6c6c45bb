"""Output files of the data contract: assignment.csv, routes.csv, summary.json."""

from __future__ import annotations

import csv
from pathlib import Path

from optimizer.domain.model import Area, Assignment, Campaign, Plan, hhmm
from optimizer.outputs.files import write_csv

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
    rows = ([tid, area.cadre_id, area.id] for area in assignment.areas for tid in area.target_ids)
    return write_csv(Path(folder) / "assignment.csv", ["target_id", "cadre_id", "area_id"], rows)


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
    return write_csv(Path(path), ROUTE_COLUMNS, route_rows(campaign, plan))


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
    rows = (
        [
            o.target_id,
            o.day,
            o.status.value,
            "" if o.time_min is None else hhmm(o.time_min),
            o.cadre_id or "",
            str(o.category) if o.category else "",
            o.request,
        ]
        for o in outcomes
    )
    return write_csv(Path(path), OUTCOME_COLUMNS, rows)
