"""Outcomes: keyed by (target, day, status, time); requests (诉求) come with them.

Recording is all or nothing (one transaction). A file that changes what is recorded for a
(target, day) needs ``replace`` (``workers.store.corrections``, ``optimizer.domain.recording``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select, tuple_

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.ledger import REGISTERED, UNCLASSIFIED
from optimizer.domain.model import Outcome
from optimizer.domain.recording import compare
from workers.errors import RecordConflict
from workers.store import corrections
from workers.store import schema as t
from workers.store.records import now, outcome_of


def _as_stored(o: Outcome, owner: dict[str, str]) -> Outcome:
    """The outcome as the store records it: by the target's own cadre (a return visit: by the
    cadre who took the request), so that the same fact compares equal."""
    return dataclasses.replace(
        o, cadre_id=o.cadre_id if o.satisfied is not None else owner[o.target_id]
    )


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


def _raises_request(o: Outcome) -> bool:
    """A class, or a text alone (filed as 待分类): nothing a resident said is dropped."""
    return bool(o.category or o.request.strip())


def _key(o: Outcome) -> tuple:
    return (o.target_id, o.day, o.status.value, -1 if o.time_min is None else o.time_min)


def _row(campaign_id: int, o: Outcome, batch: str, stamp) -> dict:
    return {
        "campaign_id": campaign_id,
        "target_id": o.target_id,
        "day": o.day,
        "status": o.status.value,
        "time_key": -1 if o.time_min is None else o.time_min,
        "cadre_id": o.cadre_id,
        "category": str(o.category) if o.category else None,
        "request": o.request or None,
        "satisfied": o.satisfied,
        "batch": batch,
        "recorded_at": stamp,
    }


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
        replace: str | None = None,
        actor: str = "",
        night: int | None = None,
    ) -> int:
        """Store a file's outcomes; returns how many rows were new or corrected.

        The same row twice adds nothing. A row that says something else about a (target,
        day) already recorded raises ``RecordConflict`` (nothing stored) unless ``replace``
        gives the reason for the correction: the file's rows then stand for those pairs
        (``corrections``), with an audit record. ``owner`` maps target → its cadre; requests
        open in the ledger as 登记. ``night``: the campaign day the file records (None for a
        file of return visits only), kept with the batch: it is the next re-plan's "today"."""
        items = [_as_stored(o, owner) for o in items]
        with self.engine.begin() as db:
            # A write first: SQLite takes its write lock now, PostgreSQL locks the campaign's
            # row, so two files of the same day are compared one after the other.
            db.execute(
                t.campaigns.update()
                .where(t.campaigns.c.id == campaign_id)
                .values(snapshot_hash=t.campaigns.c.snapshot_hash)
            )
            stored = self.outcomes_in(db, campaign_id, {o.target_id for o in items})
            new, changes = compare(stored, items)
            stamp = now()
            corrected = self._correct(db, campaign_id, changes, replace, actor, batch, stamp)
            if night is not None:
                self._record_night(db, campaign_id, batch, night, len(items))
            fresh = [items[i] for i in new]
            if fresh:
                db.execute(t.outcomes.insert(), [_row(campaign_id, o, batch, stamp) for o in fresh])
            keys = [_key(o) for o in fresh if _raises_request(o)] + corrected
            self._open_requests(db, campaign_id, keys, due, stamp)
            # Only fresh rows move the ledger: recording a file again must not re-apply an
            # old "not satisfied" to a request resolved since.
            self._apply_return_visits(
                db, campaign_id, [o for o in fresh if o.satisfied is not None]
            )
        return len(fresh) + sum(len(c.incoming) for c in changes)

    def _correct(self, db, campaign_id, changes, replace, actor, batch, stamp) -> list[tuple]:
        """Apply ``--replace`` to the changes (or refuse them); returns request keys to open."""
        if not changes:
            return []
        if not replace:
            raise RecordConflict(changes)
        plans, refusals = [], {}
        for i, change in enumerate(changes):
            rows = corrections.stored_rows(db, campaign_id, change)
            pairs, leftover, unmatched = corrections.pair_rows(rows, list(change.incoming))
            why = corrections.refusal(change, pairs, leftover)
            if why:
                refusals[i] = why
            plans.append((pairs, leftover, unmatched))
        if refusals:
            raise RecordConflict(changes, refusals)
        to_open = []
        for pairs, leftover, unmatched in plans:
            corrections.apply(db, campaign_id, pairs, leftover, batch, stamp)
            to_open += corrections.follow_requests(db, pairs, actor or "record", stamp)
            if unmatched:
                db.execute(
                    t.outcomes.insert(), [_row(campaign_id, o, batch, stamp) for o in unmatched]
                )
                to_open += [_key(o) for o in unmatched if _raises_request(o)]
        detail = [{"target_id": c.target_id, "day": c.day, "change": c.describe()} for c in changes]
        self.add_audit(db, campaign_id, "record --replace", actor or "record", replace, detail)
        return to_open

    def outcomes_in(self, db, campaign_id: int, target_ids) -> list[Outcome]:
        """The stored outcomes of some targets, read in the caller's transaction."""
        ids = sorted(target_ids)
        rows = []
        for i in range(0, len(ids), 500):
            rows += (
                db.execute(
                    select(t.outcomes).where(
                        (t.outcomes.c.campaign_id == campaign_id)
                        & t.outcomes.c.target_id.in_(ids[i : i + 500])
                    )
                )
                .mappings()
                .all()
            )
        return [outcome_of(r) for r in rows]

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
        return [outcome_of(r) for r in _counted(rows, voided)]

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
        return [outcome_of(r) for r in _counted(rows, self.voided_visits(campaign_id, db))]

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
