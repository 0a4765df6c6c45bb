"""Plan versions: built cadre by cadre (keyed writes), published once, read back as plans."""

from __future__ import annotations

import json

from sqlalchemy import func, literal, select
from sqlalchemy.exc import IntegrityError

from optimizer.domain.model import CadrePlan
from workers.store import schema as t
from workers.store.reading import routes_of
from workers.store.records import ABANDONED, BUILDING, PUBLISHED, CadreJob, VersionInfo, now


def _copy_rows(db, table, rows: list[dict]) -> None:
    """PostgreSQL's COPY: a cadre's stops in one stream, far cheaper for client and server
    than one INSERT per stop."""
    names = list(rows[0])
    cursor = db.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[n] for n in names])


def _driver_integrity_errors() -> tuple[type[Exception], ...]:
    """COPY reports a duplicate key in the driver's own terms, not SQLAlchemy's."""
    try:
        import psycopg
    except ImportError:
        return ()
    return (psycopg.IntegrityError,)


def _result_row(campaign_id: int, version: int, plan: CadrePlan) -> dict:
    return {
        "campaign_id": campaign_id,
        "version": version,
        "cadre_id": plan.cadre_id,
        "unscheduled": json.dumps(
            [[u.target_id, u.reason] for u in plan.unscheduled], ensure_ascii=False
        ),
        "priority_late": json.dumps(list(plan.priority_late)),
        "solve_seconds": plan.solve_seconds,
        "saved_at": now(),
    }


def _stop_rows(campaign_id: int, version: int, plan: CadrePlan) -> list[dict]:
    return [
        {
            "campaign_id": campaign_id,
            "version": version,
            "target_id": s.target_id,
            "cadre_id": plan.cadre_id,
            "day": r.day,
            "seq": k,
            "arrive_min": s.arrive_min,
            "depart_min": s.depart_min,
            "travel_min": s.travel_min,
            "leave_min": r.start_min,
            "back_min": r.end_min,
            "travel_s": r.travel_s,
        }
        for r in plan.routes
        for k, s in enumerate(r.stops, start=1)
    ]


class PlanRepository:
    engine: object

    # Plan versions ----------------------------------------------------------------------

    def current_version(self, campaign_id: int) -> tuple[int, int] | None:
        """(version, after_day) of the latest published plan."""
        with self.engine.connect() as db:
            row = db.execute(
                select(t.plan_versions.c.version, t.plan_versions.c.after_day)
                .where(
                    (t.plan_versions.c.campaign_id == campaign_id)
                    & (t.plan_versions.c.status == PUBLISHED)
                )
                .order_by(t.plan_versions.c.version.desc())
                .limit(1)
            ).first()
        return (row.version, row.after_day) if row else None

    def version_info(self, campaign_id: int, version: int) -> VersionInfo | None:
        with self.engine.connect() as db:
            row = db.execute(
                select(t.plan_versions).where(
                    (t.plan_versions.c.campaign_id == campaign_id)
                    & (t.plan_versions.c.version == version)
                )
            ).first()
        if row is None:
            return None
        return VersionInfo(
            row.version,
            row.after_day,
            row.base_version,
            row.status,
            row.created_at,
            row.published_at,
            row.summary,
        )

    def create_version(
        self, campaign_id: int, after_day: int, base: int | None, solve: list[str], carry: list[str]
    ) -> int:
        """A new version in state 'building': carried cadres' stops copied from ``base``."""
        with self.engine.begin() as db:
            # Older versions still building are abandoned (their late completion publishes
            # nothing); written first, so SQLite takes the write lock before reading.
            db.execute(
                t.plan_versions.update()
                .where(
                    (t.plan_versions.c.campaign_id == campaign_id)
                    & (t.plan_versions.c.status == BUILDING)
                )
                .values(status=ABANDONED)
            )
            latest = db.execute(
                select(func.max(t.plan_versions.c.version)).where(
                    t.plan_versions.c.campaign_id == campaign_id
                )
            ).scalar()
            version = (latest or 0) + 1
            db.execute(
                t.plan_versions.insert().values(
                    campaign_id=campaign_id,
                    version=version,
                    after_day=after_day,
                    base_version=base,
                    status=BUILDING,
                    created_at=now(),
                )
            )
            modes = [(c, "solve") for c in solve] + [(c, "carry") for c in carry]
            if modes:
                db.execute(
                    t.version_cadres.insert(),
                    [
                        {"campaign_id": campaign_id, "version": version, "cadre_id": c, "mode": m}
                        for c, m in modes
                    ],
                )
            if carry and base is not None:
                self._copy_stops(db, campaign_id, base, version, carry, after_day)
        return version

    def _copy_stops(self, db, campaign_id, base, version, cadres, after_day) -> None:
        """Carried cadres keep their remaining stops: copied inside the database."""
        columns = [c for c in t.stops.c if c.name != "version"]
        db.execute(
            t.stops.insert().from_select(
                [*(c.name for c in columns), "version"],
                select(*columns, literal(version)).where(
                    (t.stops.c.campaign_id == campaign_id)
                    & (t.stops.c.version == base)
                    & t.stops.c.cadre_id.in_(cadres)
                    & (t.stops.c.day > after_day)
                ),
            )
        )
        results = (
            db.execute(
                select(t.cadre_results).where(
                    (t.cadre_results.c.campaign_id == campaign_id)
                    & (t.cadre_results.c.version == base)
                    & t.cadre_results.c.cadre_id.in_(cadres)
                )
            )
            .mappings()
            .all()
        )
        known = {r["cadre_id"]: dict(r) for r in results}
        db.execute(
            t.cadre_results.insert(),
            [
                {
                    **known.get(
                        c, {"unscheduled": "[]", "priority_late": "[]", "solve_seconds": 0.0}
                    ),
                    "campaign_id": campaign_id,
                    "version": version,
                    "cadre_id": c,
                    "saved_at": now(),
                }
                for c in cadres
            ],
        )

    def save_cadre_plan(self, campaign_id: int, version: int, plan: CadrePlan) -> bool:
        """Store one cadre's routes for a version; a second save of the same key changes nothing."""
        return self.save_cadre_plans(campaign_id, version, [plan])

    def save_cadre_plans(self, campaign_id: int, version: int, plans: list[CadrePlan]) -> bool:
        """Store cadres' routes for a version in one transaction; False (nothing stored) if
        any of them was stored before."""
        if not plans:
            return True
        try:
            with self.engine.begin() as db:
                if self.dialect == "postgresql" and not self.recomputable:
                    # Recomputable on loss (the actor is idempotent): no need to wait for fsync.
                    db.exec_driver_sql("SET LOCAL synchronous_commit = off")
                db.execute(
                    t.cadre_results.insert(),
                    [_result_row(campaign_id, version, plan) for plan in plans],
                )
                rows = [row for plan in plans for row in _stop_rows(campaign_id, version, plan)]
                if rows and self.dialect == "postgresql":
                    _copy_rows(db, t.stops, rows)
                elif rows:
                    db.execute(t.stops.insert(), rows)
        except (IntegrityError, *_driver_integrity_errors()):
            return False  # delivered twice: the first save stands
        return True

    def is_complete(self, campaign_id: int, version: int) -> bool:
        """Whether every cadre to solve in a version has its result (carried ones have theirs
        from the start)."""
        done, total = self.version_counts(campaign_id, version)
        return done == total

    def cadre_job(self, campaign_id: int, version: int, cadre_id: str) -> CadreJob | None:
        """Everything a cadre's re-plan reads, in one connection; None if already done."""
        r, vc, c = t.cadre_results, t.plan_versions, t.campaigns
        done = (
            select(r.c.cadre_id)
            .where((r.c.campaign_id == campaign_id) & (r.c.version == version))
            .where(r.c.cadre_id == cadre_id)
            .exists()
        )
        with self.engine.connect() as db:
            row = db.execute(
                select(vc.c.after_day, vc.c.base_version, c.c.snapshot_hash, done.label("done"))
                .join(c, c.c.id == vc.c.campaign_id)
                .where((vc.c.campaign_id == campaign_id) & (vc.c.version == version))
            ).one()
            if row.done:
                return None
            area = tuple(
                db.execute(
                    select(t.assignment.c.target_id)
                    .where(
                        (t.assignment.c.campaign_id == campaign_id)
                        & (t.assignment.c.cadre_id == cadre_id)
                    )
                    .order_by(t.assignment.c.target_id)
                ).scalars()
            )
            routes = ()
            if row.base_version:
                rows = (
                    db.execute(
                        select(t.stops)
                        .where(
                            (t.stops.c.campaign_id == campaign_id)
                            & (t.stops.c.version == row.base_version)
                            & (t.stops.c.cadre_id == cadre_id)
                        )
                        .order_by(t.stops.c.day, t.stops.c.seq)
                    )
                    .mappings()
                    .all()
                )
                routes = routes_of(rows)
            outcomes = self.area_outcomes(campaign_id, cadre_id, db)
        return CadreJob(row.after_day, row.base_version, area, routes, outcomes, row.snapshot_hash)

    def results_of(self, campaign_id: int, version: int) -> list[str]:
        with self.engine.connect() as db:
            return list(
                db.execute(
                    select(t.cadre_results.c.cadre_id).where(
                        (t.cadre_results.c.campaign_id == campaign_id)
                        & (t.cadre_results.c.version == version)
                    )
                ).scalars()
            )

    def version_counts(self, campaign_id: int, version: int) -> tuple[int, int]:
        """(cadres solved, cadres to solve) of a building version: one query, to poll."""
        vc, cr = t.version_cadres, t.cadre_results
        joined = vc.outerjoin(
            cr,
            (cr.c.campaign_id == vc.c.campaign_id)
            & (cr.c.version == vc.c.version)
            & (cr.c.cadre_id == vc.c.cadre_id),
        )
        query = (
            select(func.count(cr.c.cadre_id), func.count())
            .select_from(joined)
            .where((vc.c.campaign_id == campaign_id) & (vc.c.version == version))
            .where(vc.c.mode == "solve")
        )
        with self.engine.connect() as db:
            done, total = db.execute(query).one()
        return done, total

    def version_progress(self, campaign_id: int, version: int) -> tuple[int, int, list[str]]:
        """(cadres done, cadres to solve, those still missing) of a building version."""
        with self.engine.connect() as db:
            need = (
                db.execute(
                    select(t.version_cadres.c.cadre_id).where(
                        (t.version_cadres.c.campaign_id == campaign_id)
                        & (t.version_cadres.c.version == version)
                        & (t.version_cadres.c.mode == "solve")
                    )
                )
                .scalars()
                .all()
            )
            done = set(
                db.execute(
                    select(t.cadre_results.c.cadre_id).where(
                        (t.cadre_results.c.campaign_id == campaign_id)
                        & (t.cadre_results.c.version == version)
                    )
                ).scalars()
            )
        missing = sorted(c for c in need if c not in done)
        return len(need) - len(missing), len(need), missing

    def publish_version(self, campaign_id: int, version: int, summary: dict) -> bool:
        """Make a complete version current; only the first call does anything."""
        with self.engine.begin() as db:
            result = db.execute(
                t.plan_versions.update()
                .where(
                    (t.plan_versions.c.campaign_id == campaign_id)
                    & (t.plan_versions.c.version == version)
                    & (t.plan_versions.c.status == BUILDING)
                )
                .values(
                    status=PUBLISHED,
                    published_at=now(),
                    summary=json.dumps(summary, ensure_ascii=False),
                )
            )
            return result.rowcount == 1
