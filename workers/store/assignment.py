"""The published assignment (locked once published) and the audited overrides."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from optimizer.domain.errors import PairingError
from optimizer.domain.model import Area, Assignment
from optimizer.domain.pairing import require_reassign_reason
from workers.store import schema as t
from workers.store.records import OverrideRecord, now


class AssignmentRepository:
    engine: object

    # The published assignment -------------------------------------------------------------

    def assignment(self, campaign_id: int) -> Assignment | None:
        with self.engine.connect() as db:
            rows = db.execute(
                select(t.assignment.c.area_id, t.assignment.c.cadre_id, t.assignment.c.target_id)
                .where(t.assignment.c.campaign_id == campaign_id)
                .order_by(t.assignment.c.area_id, t.assignment.c.target_id)
            ).all()
        if not rows:
            return None
        areas: dict[tuple[str, str], list[str]] = defaultdict(list)
        for area_id, cadre_id, target_id in rows:
            areas[(area_id, cadre_id)].append(target_id)
        return Assignment(tuple(Area(a, c, tuple(ids)) for (a, c), ids in sorted(areas.items())))

    def publish_assignment(
        self, campaign_id: int, assignment: Assignment, reason: str | None
    ) -> int:
        """Publish cadre ↔ area (一访到底). Once published it is locked: replacing it needs a
        recorded ``reason`` (``zoufang plan --reassign``)."""
        with self.engine.begin() as db:
            revision = db.execute(
                select(func.max(t.publications.c.revision)).where(
                    t.publications.c.campaign_id == campaign_id
                )
            ).scalar()
            # Checked again inside the transaction: two plans racing cannot both publish.
            require_reassign_reason(revision is not None, reason)
            db.execute(t.assignment.delete().where(t.assignment.c.campaign_id == campaign_id))
            rows = [
                {
                    "campaign_id": campaign_id,
                    "target_id": tid,
                    "cadre_id": a.cadre_id,
                    "area_id": a.id,
                }
                for a in assignment.areas
                for tid in a.target_ids
            ]
            if rows:
                db.execute(t.assignment.insert(), rows)
            revision = (revision or 0) + 1
            db.execute(
                t.publications.insert().values(
                    campaign_id=campaign_id,
                    revision=revision,
                    published_at=now(),
                    reason=reason or "首次发布",
                )
            )
            return revision

    def area_targets(self, campaign_id: int, cadre_id: str) -> list[str]:
        with self.engine.connect() as db:
            return list(
                db.execute(
                    select(t.assignment.c.target_id)
                    .where(
                        (t.assignment.c.campaign_id == campaign_id)
                        & (t.assignment.c.cadre_id == cadre_id)
                    )
                    .order_by(t.assignment.c.target_id)
                ).scalars()
            )

    def owners(self, campaign_id: int) -> dict[str, str]:
        """target → its cadre in the published assignment."""
        with self.engine.connect() as db:
            rows = db.execute(
                select(t.assignment.c.target_id, t.assignment.c.cadre_id).where(
                    t.assignment.c.campaign_id == campaign_id
                )
            ).all()
        return dict(rows)

    def override(
        self, campaign_id: int, target_id: str, to_cadre: str, reason: str, actor: str
    ) -> str:
        """Move one target to another cadre's area, with an audit record; returns the old cadre."""
        with self.engine.begin() as db:
            row = db.execute(
                select(t.assignment).where(
                    (t.assignment.c.campaign_id == campaign_id)
                    & (t.assignment.c.target_id == target_id)
                )
            ).first()
            if row is None:
                raise PairingError(f"对象 {target_id} 不在已发布的分片中")
            area = db.execute(
                select(t.assignment.c.area_id).where(
                    (t.assignment.c.campaign_id == campaign_id)
                    & (t.assignment.c.cadre_id == to_cadre)
                )
            ).scalar()
            db.execute(
                t.assignment.update()
                .where(
                    (t.assignment.c.campaign_id == campaign_id)
                    & (t.assignment.c.target_id == target_id)
                )
                .values(cadre_id=to_cadre, area_id=area or f"A-{to_cadre}")
            )
            db.execute(
                t.overrides.insert().values(
                    campaign_id=campaign_id,
                    target_id=target_id,
                    from_cadre=row.cadre_id,
                    to_cadre=to_cadre,
                    reason=reason,
                    actor=actor,
                    at=now(),
                )
            )
            return row.cadre_id

    def overrides(self, campaign_id: int) -> list[OverrideRecord]:
        o = t.overrides.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(o.id, o.target_id, o.from_cadre, o.to_cadre, o.reason, o.actor, o.at)
                .where(o.campaign_id == campaign_id)
                .order_by(o.id)
            ).all()
        return [OverrideRecord(*r) for r in rows]

    def is_published(self, campaign_id: int) -> bool:
        """Whether an assignment was ever published (and is therefore locked)."""
        with self.engine.connect() as db:
            return (
                db.execute(
                    select(func.count()).where(t.publications.c.campaign_id == campaign_id)
                ).scalar()
                > 0
            )
