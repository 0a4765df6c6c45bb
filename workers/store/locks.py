"""The campaign lock: one ``plan`` or ``replan`` at a time, held by a process that is alive.

A lock is a short lease (``LEASE_S``) that its holder renews while it works
(``workers.tasks.lease``), naming the holder: host, process id and that process's start time.
A lock is stale, and taken over by the next command, when its lease ran out or when its holder
ran on this host and is gone — a killed ``plan`` or ``replan`` never wedges the campaign.
``zoufang unlock`` removes a lock by hand, with an audit record.

Taking a lock is one conditional write (insert, or update where the stale holder's token
still stands), so two commands racing for a stale lock cannot both win, on SQLite or
PostgreSQL, and no transaction reads before it writes (SQLite's WAL would refuse that write).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workers.store import schema as t
from workers.store.records import now

#: Seconds a lock lasts unless renewed; the holder renews it every ``LEASE_S / 4``.
LEASE_S = 60


def process_start(pid: int) -> str:
    """The start time of process ``pid`` (clock ticks after boot, from /proc), or ``""``."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return ""
    return "Z" if fields[0] in ("Z", "X") else fields[19]


def process_alive(pid: int, start: str) -> bool:
    """Whether process ``pid`` of this host is running and is the one that started at
    ``start`` (a pid is reused after its process ends)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    current = process_start(pid)
    return current != "Z" and (not start or not current or current == start)


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds a campaign's lock, and until when (unless renewed)."""

    token: str
    host: str
    pid: int
    pid_start: str
    purpose: str
    acquired_at: dt.datetime
    expires_at: dt.datetime

    def alive(self, at: dt.datetime | None = None) -> bool:
        """Whether the lock still stands: its lease runs, and (on this host) its holder runs."""
        if self.expires_at <= (at or now()):
            return False
        if self.host == socket.gethostname():
            return process_alive(self.pid, self.pid_start)
        return True

    def describe(self) -> str:
        return (
            f"{self.purpose}，进程 {self.pid}@{self.host}，"
            f"始于 {self.acquired_at:%Y-%m-%d %H:%M:%S}"
        )


def _holder(row) -> LockHolder:
    return LockHolder(
        row.token,
        row.host,
        row.pid,
        row.pid_start,
        row.purpose,
        row.acquired_at,
        row.expires_at,
    )


class LockRepository:
    engine: object

    def _lock_row(self, campaign_id: int) -> LockHolder | None:
        with self.engine.connect() as db:
            row = db.execute(
                select(t.campaign_locks).where(t.campaign_locks.c.campaign_id == campaign_id)
            ).first()
        return _holder(row) if row else None

    def acquire_lock(
        self, campaign_id: int, token: str, purpose: str = "replan", ttl_s: int = LEASE_S
    ) -> bool:
        """Take the campaign's lock for this process; False if a live holder has it. Taking
        it again with the same token renews it."""
        stamp = now()
        values = {
            "token": token,
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "pid_start": process_start(os.getpid()),
            "purpose": purpose,
            "acquired_at": stamp,
            "expires_at": stamp + dt.timedelta(seconds=ttl_s),
        }
        try:
            with self.engine.begin() as db:
                db.execute(t.campaign_locks.insert().values(campaign_id=campaign_id, **values))
            return True
        except IntegrityError:
            pass
        current = self._lock_row(campaign_id)
        if current is None:  # released meanwhile: try once more from the start
            return self.acquire_lock(campaign_id, token, purpose, ttl_s)
        if current.token != token and current.alive(stamp):
            return False
        if current.token == token:
            values.pop("acquired_at")
        with self.engine.begin() as db:
            done = db.execute(
                t.campaign_locks.update()
                .where(
                    (t.campaign_locks.c.campaign_id == campaign_id)
                    & (t.campaign_locks.c.token == current.token)
                    & (t.campaign_locks.c.expires_at == current.expires_at)
                )
                .values(**values)
            )
        return done.rowcount == 1

    def renew_lock(self, campaign_id: int, token: str, ttl_s: int = LEASE_S) -> bool:
        """Extend the lease of a lock this token holds; False if it is no longer ours."""
        with self.engine.begin() as db:
            done = db.execute(
                t.campaign_locks.update()
                .where(
                    (t.campaign_locks.c.campaign_id == campaign_id)
                    & (t.campaign_locks.c.token == token)
                )
                .values(expires_at=now() + dt.timedelta(seconds=ttl_s))
            )
        return done.rowcount == 1

    def lock_holder(self, campaign_id: int) -> LockHolder | None:
        """The live holder of the campaign's lock, or None (free, or stale)."""
        holder = self._lock_row(campaign_id)
        return holder if holder and holder.alive() else None

    def lock_owner(self, campaign_id: int) -> str | None:
        """A description of the live holder, for messages."""
        holder = self.lock_holder(campaign_id)
        return holder.describe() if holder else None

    def release_lock(self, campaign_id: int, token: str | None = None) -> None:
        """Release the lock (only if ``token`` holds it, when given)."""
        with self.engine.begin() as db:
            query = t.campaign_locks.delete().where(t.campaign_locks.c.campaign_id == campaign_id)
            if token:
                query = query.where(t.campaign_locks.c.token == token)
            db.execute(query)

    def force_unlock(self, campaign_id: int, actor: str, reason: str) -> LockHolder | None:
        """Remove whatever lock the campaign has, recording who did it and why; returns the
        holder that was removed (None if there was no lock)."""
        with self.engine.begin() as db:
            row = db.execute(
                select(t.campaign_locks).where(t.campaign_locks.c.campaign_id == campaign_id)
            ).first()
            db.execute(
                t.campaign_locks.delete().where(t.campaign_locks.c.campaign_id == campaign_id)
            )
            holder = _holder(row) if row else None
            detail = {"holder": holder.describe() if holder else None}
            if holder:
                detail["alive"] = holder.alive()
            self.add_audit(db, campaign_id, "unlock", actor, reason, detail)
        return holder

    def add_audit(self, db, campaign_id: int, action: str, actor: str, reason: str, detail):
        """One audit record, in the caller's transaction."""
        db.execute(
            t.audit.insert().values(
                campaign_id=campaign_id,
                action=action,
                actor=actor[:100],
                reason=reason,
                detail=json.dumps(detail, ensure_ascii=False, default=str),
                at=now(),
            )
        )

    def audit_log(self, campaign_id: int) -> list[dict]:
        """The audit records of a campaign, oldest first."""
        a = t.audit.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(a.action, a.actor, a.reason, a.detail, a.at)
                .where(a.campaign_id == campaign_id)
                .order_by(a.id)
            ).all()
        return [
            {
                "action": r.action,
                "actor": r.actor,
                "reason": r.reason,
                "detail": json.loads(r.detail),
                "at": r.at,
            }
            for r in rows
        ]
