"""What phones send: attempts keyed by the id the phone made, and each phone's last sync.

An attempt and its outcome are written in one transaction. A resend of the same attempt id
finds it and is a duplicate; an attempt whose outcome (target, day, status, time) is in the
store already — from a file, or from another attempt — is a duplicate too, so neither a phone
nor ``zoufang record`` can count a visit twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from optimizer.domain.model import Outcome
from workers.store import schema as t
from workers.store.bulk import insert_many, open_requests
from workers.store.field_pg import attempt_columns, write_attempts
from workers.store.schema import metadata

field_attempts = Table(  # one row per attempt id a phone made; the outcome is in ``outcomes``
    "field_attempts",
    metadata,
    Column("campaign_id", Integer, primary_key=True),
    Column("attempt_id", String(64), primary_key=True),
    Column("cadre_id", String(100), nullable=False),
    Column("target_id", String(100), nullable=False),
    Column("day", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("time_key", Integer, nullable=False),
    Column("result", String(12), nullable=False),  # accepted | duplicate (of an outcome)
    Column("lat", Float),  # where the phone was when the outcome was saved, if it said
    Column("lon", Float),
    Column("accuracy_m", Float),
    Column("device_id", String(64), nullable=False),
    Column("received_at", DateTime, nullable=False),
)

device_syncs = Table(  # each phone's last contact and the unsent outcomes it reported then
    "device_syncs",
    metadata,
    Column("campaign_id", Integer, primary_key=True),
    Column("cadre_id", String(100), primary_key=True),
    Column("device_id", String(64), primary_key=True),
    Column("last_sync_at", DateTime, nullable=False),
    Column("backlog", Integer, nullable=False),
    Column("agent", String(120), nullable=False),
)


@dataclass(frozen=True, slots=True)
class Attempt:
    """An outcome as a phone sent it: its id, and where the phone was (when it said)."""

    attempt_id: str
    outcome: Outcome
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None


@dataclass(frozen=True, slots=True)
class SyncWrite:
    """One phone's sync, validated: whose, which phone, its attempts, its unsent count."""

    cadre_id: str
    device_id: str
    attempts: tuple[Attempt, ...]
    backlog: int = 0
    agent: str = ""


ATTEMPT_KEY = ("campaign_id", "attempt_id")
OUTCOME_KEY = ("campaign_id", "target_id", "day", "status", "time_key")


def _attempt_row(campaign_id: int, sync: SyncWrite, a: Attempt, stamp) -> dict:
    return {
        "campaign_id": campaign_id,
        "attempt_id": a.attempt_id,
        "cadre_id": sync.cadre_id,
        "target_id": a.outcome.target_id,
        "day": a.outcome.day,
        "status": a.outcome.status.value,
        "time_key": _time_key(a.outcome),
        "result": "accepted",
        "lat": a.lat,
        "lon": a.lon,
        "accuracy_m": a.accuracy_m,
        "device_id": sync.device_id,
        "received_at": stamp,
    }


def _sync_row(campaign_id: int, sync: SyncWrite) -> dict:
    return {
        "campaign_id": campaign_id,
        "cadre_id": sync.cadre_id,
        "device_id": sync.device_id,
        "last_sync_at": _now(),
        "backlog": max(0, sync.backlog),
        "agent": sync.agent[:120],
    }


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _taker(o: Outcome, owner: dict[str, str]) -> str:
    """The cadre an outcome is recorded for: a return visit is made by the cadre who took
    the request, any other visit by the target's own."""
    return o.cadre_id if o.satisfied is not None else owner[o.target_id]


def _time_key(o: Outcome) -> int:
    return -1 if o.time_min is None else o.time_min


class FieldRepository:
    engine: object
    dialect: str

    def _insert(self, table):
        return (postgresql if self.dialect == "postgresql" else sqlite).insert(table)

    def record_syncs(
        self, campaign_id: int, syncs: list[SyncWrite], owner: dict[str, str], due: dt.date
    ) -> list[dict[str, str]]:
        """Store the attempts of several phones' syncs in one transaction (one disk flush for
        all): per sync, attempt id → ``accepted`` or ``duplicate``; each phone's contact is
        noted with them.

        ``owner`` maps the attempts' targets to their cadres (validated before); requests
        open in the ledger and return visits move it exactly as ``record_outcomes`` does.
        """
        stamp = _now()
        first: dict[str, tuple[int, Attempt]] = {}  # attempt id → (sync, attempt): first wins
        for k, sync in enumerate(syncs):
            for a in sync.attempts:
                first.setdefault(a.attempt_id, (k, a))
        # One row a phone: its last sync of the burst.
        phones = [
            _sync_row(campaign_id, s)
            for s in {(s.cadre_id, s.device_id): s for s in syncs}.values()
        ]
        with self.engine.begin() as db:
            if self.dialect == "postgresql":
                accepted = self._write_pg(db, campaign_id, syncs, first, owner, phones, due, stamp)
            else:
                accepted = self._write_rows(db, campaign_id, syncs, first, owner, due, stamp)
                db.execute(self._sync_statement(), phones)
            kept = [a.outcome for _, a in first.values() if a.attempt_id in accepted]
            self._apply_return_visits(db, campaign_id, [o for o in kept if o.satisfied is not None])
        # An attempt id sent in two syncs of the burst is accepted in the first only.
        return [
            {
                a.attempt_id: "accepted"
                if a.attempt_id in accepted and first[a.attempt_id][0] == k
                else "duplicate"
                for a in sync.attempts
            }
            for k, sync in enumerate(syncs)
        ]

    def _write_pg(self, db, campaign_id, syncs, first, owner, phones, due, stamp) -> set[str]:
        """The attempts and the phones' contacts in one statement (``field_pg``): the attempt
        ids whose outcome was new."""
        burst = list(first.values())
        attempts = [a for _, a in burst]
        rows = attempt_columns(
            attempts,
            [syncs[k].cadre_id for k, _ in burst],
            [syncs[k].device_id for k, _ in burst],
            [_taker(a.outcome, owner) for a in attempts],
        )
        noted = [{k: p[k] for k in ("cadre_id", "device_id", "backlog", "agent")} for p in phones]
        stored = write_attempts(db, campaign_id, rows, noted, due, stamp)
        return {attempt_id for attempt_id, result in stored.items() if result == "accepted"}

    def _write_rows(self, db, campaign_id, syncs, first, owner, due, stamp) -> set[str]:
        """The attempts, their outcomes and requests, table by table: the attempt ids whose
        outcome was new."""
        fa = field_attempts.c
        rows = [_attempt_row(campaign_id, syncs[k], a, stamp) for k, a in first.values()]
        # The attempt ids this transaction owns; a concurrent resend waits for us and then
        # inserts nothing.
        owned = {
            r[0]
            for r in insert_many(
                db, self.dialect, field_attempts, rows, ATTEMPT_KEY, ("attempt_id",)
            )
        }
        fresh = [(syncs[k], a) for k, a in first.values() if a.attempt_id in owned]
        accepted, new_outcomes = self._insert_outcomes(db, campaign_id, fresh, owner, stamp)
        duplicates = [a.attempt_id for _, a in fresh if a.attempt_id not in accepted]
        if duplicates:
            db.execute(
                field_attempts.update()
                .where((fa.campaign_id == campaign_id) & fa.attempt_id.in_(duplicates))
                .values(result="duplicate")
            )
        open_requests(db, self.dialect, t, campaign_id, new_outcomes, due, stamp)
        return accepted

    def _insert_outcomes(self, db, campaign_id, fresh, owner, stamp) -> tuple[set[str], list]:
        """Insert the outcomes not stored before: the attempt ids whose outcome was new, and
        the new outcome rows (for the ledger)."""
        by_key: dict[tuple, str] = {}
        rows = []
        for sync, a in fresh:
            o = a.outcome
            key = (o.target_id, o.day, o.status.value, _time_key(o))
            if key in by_key:  # two attempts of one outcome in one batch: the first counts
                continue
            by_key[key] = a.attempt_id
            rows.append(
                {
                    "campaign_id": campaign_id,
                    "target_id": o.target_id,
                    "day": o.day,
                    "status": o.status.value,
                    "time_key": key[3],
                    "cadre_id": _taker(o, owner),
                    "category": str(o.category) if o.category else None,
                    "request": o.request or None,
                    "satisfied": o.satisfied,
                    "batch": f"web:{sync.device_id}"[:64],
                    "recorded_at": stamp,
                }
            )
        returned = ("target_id", "day", "status", "time_key", "id", "cadre_id", "category")
        inserted = insert_many(
            db, self.dialect, t.outcomes, rows, OUTCOME_KEY, (*returned, "request")
        )
        return {by_key[tuple(r)[:4]] for r in inserted}, inserted

    def note_sync(
        self, campaign_id: int, cadre_id: str, device_id: str, backlog: int, agent: str
    ) -> None:
        """A phone's contact: when, and how many outcomes it held unsent then."""
        sync = SyncWrite(cadre_id, device_id, (), backlog, agent)
        with self.engine.begin() as db:
            db.execute(self._sync_statement(), [_sync_row(campaign_id, sync)])

    def _sync_statement(self):
        statement = self._insert(device_syncs)
        return statement.on_conflict_do_update(
            index_elements=["campaign_id", "cadre_id", "device_id"],
            set_={k: statement.excluded[k] for k in ("last_sync_at", "backlog", "agent")},
        )

    def devices(self, campaign_id: int) -> list[dict]:
        d = device_syncs.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(device_syncs)
                .where(d.campaign_id == campaign_id)
                .order_by(d.cadre_id, d.last_sync_at.desc())
            ).mappings()
            return [dict(r) for r in rows]

    def attempts(self, campaign_id: int) -> list[dict]:
        """Every accepted attempt (for the quality flags), oldest first."""
        a = field_attempts.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(field_attempts)
                .where((a.campaign_id == campaign_id) & (a.result == "accepted"))
                .order_by(a.received_at)
            ).mappings()
            return [dict(r) for r in rows]
