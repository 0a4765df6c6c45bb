"""Publishing a plan: the assignment and its first routes in one transaction.

``zoufang plan`` killed at any point leaves either nothing or a complete published plan — never
a locked assignment without routes (every other command would say "plan first" while ``plan``
said "published"). The transaction opens with a write, so SQLite takes its write lock at once
(a WAL transaction that read first could not write after another writer).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import func, select

from optimizer.domain.model import Assignment, CadrePlan
from optimizer.domain.pairing import require_reassign_reason
from workers.store import schema as t
from workers.store.plans import _copy_rows, _result_row, _stop_rows
from workers.store.records import ABANDONED, BUILDING, PUBLISHED, now


class PublishRepository:
    engine: object
    dialect: str
    refresh_snapshot: Callable

    def publish_plan(
        self,
        campaign_id: int,
        campaign,
        assignment: Assignment,
        reason: str | None,
        after_day: int,
        plans: list[CadrePlan],
        summary: Callable[[int], dict],
    ) -> int:
        """Publish the campaign's snapshot, cadre ↔ area (一访到底) and every cadre's routes
        as the next version, with ``summary(version)`` as its summary, all or nothing;
        returns the version.

        A published assignment is locked: replacing it needs a recorded ``reason``
        (checked here, inside the transaction, so two plans cannot both publish)."""
        with self.engine.begin() as db:
            self.refresh_snapshot(db, campaign_id, campaign)
            db.execute(t.assignment.delete().where(t.assignment.c.campaign_id == campaign_id))
            revision = db.execute(
                select(func.max(t.publications.c.revision)).where(
                    t.publications.c.campaign_id == campaign_id
                )
            ).scalar()
            require_reassign_reason(revision is not None, reason)
            self._insert_assignment(db, campaign_id, assignment, (revision or 0) + 1, reason)
            version = (
                db.execute(
                    select(func.max(t.plan_versions.c.version)).where(
                        t.plan_versions.c.campaign_id == campaign_id
                    )
                ).scalar()
                or 0
            ) + 1
            abandon_building(db, campaign_id)
            db.execute(
                t.plan_versions.insert().values(
                    campaign_id=campaign_id,
                    version=version,
                    after_day=after_day,
                    base_version=None,
                    status=PUBLISHED,
                    created_at=now(),
                    published_at=now(),
                    summary=json.dumps(summary(version), ensure_ascii=False),
                )
            )
            self._insert_routes(
                db, campaign_id, version, [a.cadre_id for a in assignment.areas], plans
            )
        return version

    def abandon_version(self, campaign_id: int, version: int) -> bool:
        """Give up a version still being built (its re-plan failed): it is never published."""
        with self.engine.begin() as db:
            result = db.execute(
                t.plan_versions.update()
                .where(
                    (t.plan_versions.c.campaign_id == campaign_id)
                    & (t.plan_versions.c.version == version)
                    & (t.plan_versions.c.status == BUILDING)
                )
                .values(status=ABANDONED)
            )
            return result.rowcount == 1

    def _insert_assignment(self, db, campaign_id, assignment, revision, reason) -> None:
        rows = [
            {"campaign_id": campaign_id, "target_id": tid, "cadre_id": a.cadre_id, "area_id": a.id}
            for a in assignment.areas
            for tid in a.target_ids
        ]
        if rows:
            db.execute(t.assignment.insert(), rows)
        db.execute(
            t.publications.insert().values(
                campaign_id=campaign_id,
                revision=revision,
                published_at=now(),
                reason=reason or "首次发布",
            )
        )

    def _insert_routes(self, db, campaign_id, version, cadre_ids, plans) -> None:
        if cadre_ids:
            db.execute(
                t.version_cadres.insert(),
                [
                    {"campaign_id": campaign_id, "version": version, "cadre_id": c, "mode": "solve"}
                    for c in cadre_ids
                ],
            )
        if not plans:
            return
        db.execute(t.cadre_results.insert(), [_result_row(campaign_id, version, p) for p in plans])
        rows = [row for p in plans for row in _stop_rows(campaign_id, version, p)]
        if rows and self.dialect == "postgresql":
            _copy_rows(db, t.stops, rows)
        elif rows:
            db.execute(t.stops.insert(), rows)


def abandon_building(db, campaign_id: int) -> None:
    """Versions still being built when a newer one starts are abandoned: a late worker's
    completion step then publishes nothing (``publish_version`` needs 'building')."""
    db.execute(
        t.plan_versions.update()
        .where(
            (t.plan_versions.c.campaign_id == campaign_id) & (t.plan_versions.c.status == BUILDING)
        )
        .values(status=ABANDONED)
    )
