"""Outcomes: append-only, keyed by (target, day, status, time); requests (诉求) come with them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select, tuple_

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.ledger import REGISTERED
from optimizer.domain.model import Outcome, RequestCategory
from workers.store import schema as t
from workers.store.records import now


def _row_outcome(r) -> Outcome:
    category = None
    if r["category"]:
        responsibility, subject = r["category"].split("-")
        category = RequestCategory(int(responsibility), int(subject))
    return Outcome(
        target_id=r["target_id"],
        day=r["day"],
        status=OutcomeStatus(r["status"]),
        time_min=None if r["time_key"] < 0 else r["time_key"],
        cadre_id=r["cadre_id"],
        category=category,
        request=r["request"] or "",
        satisfied=r["satisfied"],
    )


class OutcomeRepository:
    engine: object

    def record_outcomes(
        self,
        campaign_id: int,
        items: Iterable[Outcome],
        owner: dict[str, str],
        batch: str,
        due: dt.date,
    ) -> int:
        """Store outcomes not stored before (the same row twice adds nothing); returns how many
        were new. ``owner`` maps target → its cadre; requests open in the ledger as 登记."""
        items = list(items)
        keys = [
            (o.target_id, o.day, o.status.value, -1 if o.time_min is None else o.time_min)
            for o in items
        ]
        with self.engine.begin() as db:
            existing = set()
            targets = sorted({k[0] for k in keys})
            for i in range(0, len(targets), 500):
                existing |= set(
                    db.execute(
                        select(
                            t.outcomes.c.target_id,
                            t.outcomes.c.day,
                            t.outcomes.c.status,
                            t.outcomes.c.time_key,
                        ).where(
                            (t.outcomes.c.campaign_id == campaign_id)
                            & t.outcomes.c.target_id.in_(targets[i : i + 500])
                        )
                    ).all()
                )
            fresh = [
                (k, o) for k, o in dict(zip(keys, items, strict=True)).items() if k not in existing
            ]
            if not fresh:
                return 0
            stamp = now()
            db.execute(
                t.outcomes.insert(),
                [
                    {
                        "campaign_id": campaign_id,
                        "target_id": o.target_id,
                        "day": o.day,
                        "status": o.status.value,
                        "time_key": k[3],
                        # a return visit is made by the cadre who took the request
                        "cadre_id": o.cadre_id if o.satisfied is not None else owner[o.target_id],
                        "category": str(o.category) if o.category else None,
                        "request": o.request or None,
                        "satisfied": o.satisfied,
                        "batch": batch,
                        "recorded_at": stamp,
                    }
                    for k, o in fresh
                ],
            )
            self._open_requests(db, campaign_id, [k for k, o in fresh if o.category], due, stamp)
            # Only fresh rows move the ledger: recording a file again must not re-apply an
            # old "not satisfied" to a request resolved since.
            self._apply_return_visits(
                db, campaign_id, [o for _, o in fresh if o.satisfied is not None]
            )
        return len(fresh)

    def _open_requests(self, db, campaign_id: int, keys, due: dt.date, stamp) -> None:
        if not keys:
            return
        rows = []
        key_columns = tuple_(
            t.outcomes.c.target_id, t.outcomes.c.day, t.outcomes.c.status, t.outcomes.c.time_key
        )
        for i in range(0, len(keys), 500):
            rows += (
                db.execute(
                    select(t.outcomes).where(
                        (t.outcomes.c.campaign_id == campaign_id)
                        & key_columns.in_(keys[i : i + 500])
                    )
                )
                .mappings()
                .all()
            )
        due_at = dt.datetime.combine(due, dt.time())
        for r in rows:
            responsibility, subject = (int(x) for x in r["category"].split("-"))
            request_id = db.execute(
                t.requests.insert().values(
                    campaign_id=campaign_id,
                    outcome_id=r["id"],
                    target_id=r["target_id"],
                    cadre_id=r["cadre_id"],
                    day=r["day"],
                    responsibility=responsibility,
                    subject=subject,
                    text=r["request"] or "",
                    state=REGISTERED,
                    unit="",
                    due=due_at,
                    updated_at=stamp,
                )
            ).inserted_primary_key[0]
            db.execute(
                t.request_events.insert().values(
                    request_id=request_id,
                    from_state=None,
                    to_state=REGISTERED,
                    actor=r["cadre_id"],
                    note="走访记录登记",
                    at=stamp,
                )
            )

    def outcomes(self, campaign_id: int, target_ids: Iterable[str] | None = None) -> list[Outcome]:
        """All outcomes of the campaign (or of some targets), in recording order."""
        query = select(t.outcomes).where(t.outcomes.c.campaign_id == campaign_id)
        rows = []
        with self.engine.connect() as db:
            if target_ids is None:
                rows = db.execute(query.order_by(t.outcomes.c.id)).mappings().all()
            else:
                ids = sorted(set(target_ids))
                for i in range(0, len(ids), 500):
                    rows += (
                        db.execute(query.where(t.outcomes.c.target_id.in_(ids[i : i + 500])))
                        .mappings()
                        .all()
                    )
                rows.sort(key=lambda r: r["id"])
        return [_row_outcome(r) for r in rows]

    def area_outcomes(self, campaign_id: int, cadre_id: str, db=None) -> list[Outcome]:
        """Outcomes of the targets now in ``cadre_id``'s area, in recording order (one query
        whose text never changes, so the database plans it once); ``db``: a connection to
        read in."""
        a, o = t.assignment, t.outcomes
        query = (
            select(o)
            .join(a, (a.c.campaign_id == o.c.campaign_id) & (a.c.target_id == o.c.target_id))
            .where((a.c.campaign_id == campaign_id) & (a.c.cadre_id == cadre_id))
            .order_by(o.c.id)
        )
        if db is None:
            with self.engine.connect() as db:
                return self.area_outcomes(campaign_id, cadre_id, db)
        return [_row_outcome(r) for r in db.execute(query).mappings()]

    def last_outcome_day(self, campaign_id: int) -> int:
        with self.engine.connect() as db:
            return (
                db.execute(
                    select(func.max(t.outcomes.c.day)).where(
                        t.outcomes.c.campaign_id == campaign_id
                    )
                ).scalar()
                or 0
            )
