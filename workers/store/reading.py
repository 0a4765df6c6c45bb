"""Plans read back from the store: a whole version, or one cadre's routes."""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import select

from optimizer.domain.model import CadrePlan, DayRoute, Plan, Stop, Unscheduled
from workers.store import schema as t
from workers.store.records import PUBLISHED


class PlanReadRepository:
    engine: object

    def plan(self, campaign_id: int, version: int) -> Plan:
        with self.engine.connect() as db:
            info = db.execute(
                select(t.plan_versions.c.after_day).where(
                    (t.plan_versions.c.campaign_id == campaign_id)
                    & (t.plan_versions.c.version == version)
                )
            ).scalar_one()
            rows = (
                db.execute(
                    select(t.stops)
                    .where((t.stops.c.campaign_id == campaign_id) & (t.stops.c.version == version))
                    .order_by(t.stops.c.cadre_id, t.stops.c.day, t.stops.c.seq)
                )
                .mappings()
                .all()
            )
            results = (
                db.execute(
                    select(t.cadre_results).where(
                        (t.cadre_results.c.campaign_id == campaign_id)
                        & (t.cadre_results.c.version == version)
                    )
                )
                .mappings()
                .all()
            )
        return Plan(version, _cadre_plans(rows, results), after_day=info)

    def planned_days(self, campaign_id: int, version: int) -> dict[str, set[int]]:
        """cadre → the days with stops in a version."""
        s = t.stops.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(s.cadre_id, s.day)
                .where((s.campaign_id == campaign_id) & (s.version == version))
                .distinct()
            ).all()
        days: dict[str, set[int]] = defaultdict(set)
        for cadre_id, day in rows:
            days[cadre_id].add(day)
        return dict(days)

    def cadre_routes(self, campaign_id: int, version: int, cadre_id: str) -> tuple[DayRoute, ...]:
        with self.engine.connect() as db:
            rows = (
                db.execute(
                    select(t.stops)
                    .where(
                        (t.stops.c.campaign_id == campaign_id)
                        & (t.stops.c.version == version)
                        & (t.stops.c.cadre_id == cadre_id)
                    )
                    .order_by(t.stops.c.day, t.stops.c.seq)
                )
                .mappings()
                .all()
            )
        return routes_of(rows)


def routes_of(rows) -> tuple[DayRoute, ...]:
    by_day: dict[tuple[str, int], list] = defaultdict(list)
    for r in rows:
        by_day[(r["cadre_id"], r["day"])].append(r)
    return tuple(
        DayRoute(
            cadre,
            day,
            stops[0]["leave_min"],
            stops[0]["back_min"],
            tuple(
                Stop(s["target_id"], s["arrive_min"], s["depart_min"], s["travel_min"])
                for s in stops
            ),
            stops[0]["travel_s"],
        )
        for (cadre, day), stops in sorted(by_day.items())
    )


def _cadre_plans(rows, results) -> tuple[CadrePlan, ...]:
    routes = defaultdict(list)
    for route in routes_of(rows):
        routes[route.cadre_id].append(route)
    return tuple(
        CadrePlan(
            r["cadre_id"],
            tuple(routes.get(r["cadre_id"], ())),
            tuple(
                Unscheduled(tid, r["cadre_id"], why) for tid, why in json.loads(r["unscheduled"])
            ),
            tuple(json.loads(r["priority_late"])),
            r["solve_seconds"],
        )
        for r in sorted(results, key=lambda r: r["cadre_id"])
    )


class VersionReadRepository:
    engine: object

    def published_versions(self, campaign_id: int) -> list[tuple[int, int | None]]:
        """(version, base version) of every published version, oldest first; a version
        without a base was made by ``plan`` (it holds the assignment's first routes)."""
        v = t.plan_versions.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(v.version, v.base_version)
                .where((v.campaign_id == campaign_id) & (v.status == PUBLISHED))
                .order_by(v.version)
            ).all()
        return [(r.version, r.base_version) for r in rows]
