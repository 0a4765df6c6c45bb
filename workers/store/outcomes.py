"""Outcomes: append-only, keyed by (target, day, status, time); requests (诉求) come with them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select, tuple_

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.ledger import REGISTERED, UNCLASSIFIED
from optimizer.domain.model import Outcome, RequestCategory
from workers.store import schema as t
from workers.store.records import now


def _counted(rows, voided: dict[str, int]):
    """Rows without the visits a spot check found false (``spotchecks``)."""
    if not voided:
        return rows
    return [
        r
        for r in rows
        if not (
            r["status"] == OutcomeStatus.VISITED.value
            and r["satisfied"] is None
            and r["id"] <= voided.get(r["target_id"], 0)
        )
    ]


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
        *,
        night: int | None = None,
    ) -> int:
        """Store outcomes not stored before (the same row twice adds nothing); returns how many
        were new. ``owner`` maps target → its cadre; requests open in the ledger as 登记.
        ``night``: the campaign day the file records (None for a file of return visits only),
        kept with the batch: it is the next re-plan's "today"."""
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
            if night is not None:
                self._record_night(db, campaign_id, batch, night, len(items))
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
            raised = [k for k, o in fresh if o.category or o.request.strip()]
            self._open_requests(db, campaign_id, raised, due, stamp)
            # Only fresh rows move the ledger: recording a file again must not re-apply an
            # old "not satisfied" to a request resolved since.
            self._apply_return_visits(
                db, campaign_id, [o for _, o in fresh if o.satisfied is not None]
            )
        return len(fresh)

    def _open_requests(self, db, campaign_id: int, keys, due: dt.date, stamp) -> None:
        """A request for each row with a class or a text; text alone is filed as 待分类."""
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
            responsibility, subject = UNCLASSIFIED, UNCLASSIFIED
            if r["category"]:
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
        """All outcomes of the campaign (or of some targets), in recording order; a visit a
        spot check found false no longer counts."""
        query = select(t.outcomes).where(t.outcomes.c.campaign_id == campaign_id)
        rows = []
        with self.engine.connect() as db:
            voided = self.voided_visits(campaign_id, db)
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
        return [_row_outcome(r) for r in _counted(rows, voided)]

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
        rows = db.execute(query).mappings().all()
        return [_row_outcome(r) for r in _counted(rows, self.voided_visits(campaign_id, db))]

    def _record_night(self, db, campaign_id: int, batch: str, night: int, rows: int) -> None:
        """The file's night, once per file (the same file again keeps its first night)."""
        n = t.nights.c
        known = db.execute(
            select(n.night).where((n.campaign_id == campaign_id) & (n.batch == batch))
        ).first()
        if known is None:
            db.execute(
                t.nights.insert().values(
                    campaign_id=campaign_id, batch=batch, night=night, rows=rows, recorded_at=now()
                )
            )

    def last_night(self, campaign_id: int) -> int:
        """The latest campaign day recorded by an outcomes file: the re-plan's "today" (0
        before any). Never the largest day of any row: return visits (回访) and a mistyped day
        have no say. A store from before nights were kept falls back to its latest day of a
        campaign visit."""
        with self.engine.connect() as db:
            night = db.execute(
                select(func.max(t.nights.c.night)).where(t.nights.c.campaign_id == campaign_id)
            ).scalar()
            if night is not None:
                return night
            return (
                db.execute(
                    select(func.max(t.outcomes.c.day)).where(
                        (t.outcomes.c.campaign_id == campaign_id) & t.outcomes.c.satisfied.is_(None)
                    )
                ).scalar()
                or 0
            )

    def nights(self, campaign_id: int) -> list[int]:
        """Every recorded night, in order, once each."""
        n = t.nights.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(n.night).where(n.campaign_id == campaign_id).distinct().order_by(n.night)
            ).scalars()
            return list(rows)
