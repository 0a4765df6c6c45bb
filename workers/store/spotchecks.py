"""Phone spot checks (电话回访抽查) in the store, and the visits they reopen.

A check that finds a visit false (不属实) reopens it: the target's visits recorded until then
no longer count (``voided_visits``), so it is pending again and the next re-plan puts it on
a day of its own cadre (一访到底). Outcomes stay as recorded; the reopening is its own row.
"""

from __future__ import annotations

from sqlalchemy import func, select

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.ledger import SpotCheck
from workers.store import schema as t
from workers.store.records import now

NOT_CONFIRMED = "not_confirmed"


class SpotCheckRepository:
    engine: object

    def save_spotchecks(self, campaign_id: int, rows: list[tuple[str, str]], seed: int) -> int:
        """Add sampled visits (target, cadre) not sampled before; returns how many were new."""
        with self.engine.begin() as db:
            known = set(
                db.execute(
                    select(t.spotchecks.c.target_id).where(
                        t.spotchecks.c.campaign_id == campaign_id
                    )
                ).scalars()
            )
            fresh = [(tid, cadre) for tid, cadre in rows if tid not in known]
            if fresh:
                db.execute(
                    t.spotchecks.insert(),
                    [
                        {
                            "campaign_id": campaign_id,
                            "target_id": tid,
                            "cadre_id": c,
                            "sample_seed": seed,
                        }
                        for tid, c in fresh
                    ],
                )
        return len(fresh)

    def spotchecks(self, campaign_id: int) -> list[SpotCheck]:
        c = t.spotchecks.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(c.target_id, c.cadre_id, c.sample_seed, c.result, c.note, c.checked_at)
                .where(c.campaign_id == campaign_id)
                .order_by(c.target_id)
            ).all()
        return [SpotCheck(r[0], r[1], r[2], r[3], r[4] or "", r[5]) for r in rows]

    def record_spotcheck(
        self, campaign_id: int, target_id: str, result: str, note: str, actor: str = ""
    ) -> bool:
        """Store a check's result; 不属实 reopens the target's visit (once per visit)."""
        with self.engine.begin() as db:
            done = db.execute(
                t.spotchecks.update()
                .where(
                    (t.spotchecks.c.campaign_id == campaign_id)
                    & (t.spotchecks.c.target_id == target_id)
                )
                .values(result=result, note=note, checked_at=now())
            )
            if done.rowcount == 1 and result == NOT_CONFIRMED:
                self._reopen(db, campaign_id, target_id, note, actor)
            return done.rowcount == 1

    def _reopen(self, db, campaign_id: int, target_id: str, note: str, actor: str) -> None:
        o, r = t.outcomes.c, t.reopened_visits.c
        upto = db.execute(
            select(func.max(o.id)).where(
                (o.campaign_id == campaign_id)
                & (o.target_id == target_id)
                & (o.status == OutcomeStatus.VISITED.value)
                & o.satisfied.is_(None)
            )
        ).scalar()
        if upto is None:
            return
        known = db.execute(
            select(r.id).where(
                (r.campaign_id == campaign_id)
                & (r.target_id == target_id)
                & (r.upto_outcome_id == upto)
            )
        ).first()
        if known is None:
            db.execute(
                t.reopened_visits.insert().values(
                    campaign_id=campaign_id,
                    target_id=target_id,
                    upto_outcome_id=upto,
                    reason=f"电话抽查不属实{'：' + note if note else ''}",
                    actor=actor or "抽查",
                    at=now(),
                )
            )

    def voided_visits(self, campaign_id: int, db=None) -> dict[str, int]:
        """target → the last outcome id up to which its visits no longer count."""
        if db is None:
            with self.engine.connect() as db:
                return self.voided_visits(campaign_id, db)
        r = t.reopened_visits.c
        rows = db.execute(
            select(r.target_id, func.max(r.upto_outcome_id))
            .where(r.campaign_id == campaign_id)
            .group_by(r.target_id)
        ).all()
        return dict(rows)

    def reopened(self, campaign_id: int) -> list[tuple[str, str]]:
        """(target, reason) of every reopened visit, oldest first."""
        r = t.reopened_visits.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(r.target_id, r.reason).where(r.campaign_id == campaign_id).order_by(r.id)
            ).all()
        return [(a, b) for a, b in rows]
