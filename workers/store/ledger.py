"""The 诉求 ledger in the store: requests and their moves (return-visit plans: ``followups``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.errors import LedgerError
from optimizer.domain.ledger import (
    RESOLVED,
    UNCLASSIFIED,
    Request,
    check_classifiable,
    manual_move,
    responsibility_zh,
    return_visit_move,
    subject_zh,
)
from optimizer.domain.model import Outcome, RequestCategory
from workers.store import schema as t
from workers.store.records import RequestEvent, now


def _request(r, notes: str = "") -> Request:
    return Request(
        id=r["id"],
        target_id=r["target_id"],
        cadre_id=r["cadre_id"],
        day=r["day"],
        responsibility=r["responsibility"],
        subject=r["subject"],
        text=r["text"],
        state=r["state"],
        unit=r["unit"],
        due=r["due"].date() if isinstance(r["due"], dt.datetime) else r["due"],
        updated_at=r["updated_at"],
        notes=notes,
    )


def _note_text(to_state: str, note: str, same: bool) -> str:
    return f"{'分类' if same else to_state}：{note}"


class LedgerRepository:
    engine: object

    def requests(
        self, campaign_id: int, state: str | None = None, responsibility: int | None = None
    ) -> list[Request]:
        query = select(t.requests).where(t.requests.c.campaign_id == campaign_id)
        if state:
            query = query.where(t.requests.c.state == state)
        if responsibility:
            query = query.where(t.requests.c.responsibility == responsibility)
        with self.engine.connect() as db:
            rows = db.execute(query.order_by(t.requests.c.id)).mappings().all()
            notes = self._notes(db, campaign_id)
        return [_request(r, notes.get(r["id"], "")) for r in rows]

    def _notes(self, db, campaign_id: int) -> dict[int, str]:
        """办理情况 of every request: the notes of its moves after registration, in order."""
        e, r = t.request_events.c, t.requests.c
        rows = db.execute(
            select(e.request_id, e.from_state, e.to_state, e.note)
            .join(t.requests, r.id == e.request_id)
            .where((r.campaign_id == campaign_id) & e.from_state.is_not(None) & (e.note != ""))
            .order_by(e.id)
        ).all()
        notes: dict[int, list[str]] = {}
        for request_id, before, after, note in rows:
            notes.setdefault(request_id, []).append(_note_text(after, note, before == after))
        return {k: "；".join(v) for k, v in notes.items()}

    def request_events(self, request_id: int) -> list[RequestEvent]:
        e = t.request_events.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(e.id, e.request_id, e.from_state, e.to_state, e.actor, e.note, e.at)
                .where(e.request_id == request_id)
                .order_by(e.id)
            ).all()
        return [RequestEvent(*r) for r in rows]

    def _move(self, db, row, to_state: str, actor: str, note: str, unit: str | None = None) -> None:
        values = {"state": to_state, "updated_at": now()}
        if unit:
            values["unit"] = unit
        db.execute(t.requests.update().where(t.requests.c.id == row["id"]).values(**values))
        db.execute(
            t.request_events.insert().values(
                request_id=row["id"],
                from_state=row["state"],
                to_state=to_state,
                actor=actor,
                note=note,
                at=now(),
            )
        )

    def update_request(
        self,
        campaign_id: int,
        request_id: int,
        to_state: str | None,
        actor: str,
        note: str,
        unit: str | None = None,
        category: RequestCategory | None = None,
    ) -> Request:
        """A coordinator's move (``to_state``) and/or classification (``category``, e.g. of a
        request filed as 待分类); an illegal one raises LedgerError and changes nothing."""
        with self.engine.begin() as db:
            row = (
                db.execute(
                    # locked (PostgreSQL): two coordinators cannot both move the same state
                    select(t.requests)
                    .where(
                        (t.requests.c.campaign_id == campaign_id) & (t.requests.c.id == request_id)
                    )
                    .with_for_update()
                )
                .mappings()
                .first()
            )
            if row is None:
                raise LedgerError(f"没有编号为 {request_id} 的诉求")
            row = dict(row)
            if category is not None:
                row = self._classify(db, row, category, actor)
            new = row["state"]
            if to_state:
                new = manual_move(row["state"], to_state, row["responsibility"] != UNCLASSIFIED)
                self._move(db, row, new, actor, note, unit)
        return _request({**row, "state": new, "unit": unit or row["unit"]})

    def _classify(self, db, row: dict, category: RequestCategory, actor: str) -> dict:
        check_classifiable(row["state"])
        before = f"{responsibility_zh(row['responsibility'])}·{subject_zh(row['subject'])}"
        db.execute(
            t.requests.update()
            .where(t.requests.c.id == row["id"])
            .values(responsibility=category.responsibility, subject=category.subject)
        )
        db.execute(
            t.request_events.insert().values(
                request_id=row["id"],
                from_state=row["state"],
                to_state=row["state"],
                actor=actor,
                note=f"{before} → {category.zh}",
                at=now(),
            )
        )
        return {**row, "responsibility": category.responsibility, "subject": category.subject}

    def return_takers(self, campaign_id: int) -> dict[str, str]:
        """target → the cadre who took its requests, for targets that may get a return visit:
        those with a resolved request, and those already visited back (so that recording the
        same file again is accepted and changes nothing)."""
        r, o = t.requests.c, t.outcomes.c
        with self.engine.connect() as db:
            resolved = db.execute(
                select(r.target_id, r.cadre_id).where(
                    (r.campaign_id == campaign_id) & (r.state == RESOLVED)
                )
            ).all()
            visited_back = db.execute(
                select(o.target_id, o.cadre_id).where(
                    (o.campaign_id == campaign_id) & o.satisfied.is_not(None)
                )
            ).all()
        return dict(visited_back) | dict(resolved)

    def _apply_return_visits(self, db, campaign_id: int, visits: list[Outcome]) -> int:
        """Move the resolved requests of each visited-back target taken by the visiting cadre:
        satisfied → 已回访, not satisfied → 办理中; returns how many moved."""
        moved = 0
        for v in visits:
            if v.status is not OutcomeStatus.VISITED:
                continue
            rows = (
                db.execute(
                    select(t.requests).where(
                        (t.requests.c.campaign_id == campaign_id)
                        & (t.requests.c.target_id == v.target_id)
                        & (t.requests.c.cadre_id == v.cadre_id)
                        & (t.requests.c.state == RESOLVED)
                    )
                )
                .mappings()
                .all()
            )
            note = f"第{v.day}天回访：{'满意' if v.satisfied else '不满意，重新办理'}"
            for row in rows:
                self._move(db, row, return_visit_move(row["state"], v.satisfied), v.cadre_id, note)
                moved += 1
        return moved
