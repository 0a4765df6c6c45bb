"""``record --replace``: a corrected file's rows stand for the (target, day) pairs it changes.

Stored rows are matched with the file's rows of the same (target, day) — the same visit first,
then a recorded 诉求 with a row that carries one — and updated in place, so a request keeps its
ledger history (its text and class follow the correction, with an event saying so). Nothing a
resident said is dropped: a correction that would leave a recorded request without a row
carrying one is refused, and so is one that would change a return visit (its move in the
ledger has happened; correct the ledger itself).
"""

from __future__ import annotations

from sqlalchemy import select

from optimizer.domain.ledger import UNCLASSIFIED
from optimizer.domain.model import Outcome
from optimizer.domain.recording import Change
from workers.store import schema as t
from workers.store.records import outcome_of


def pair_rows(stored: list[tuple[dict, Outcome]], incoming: list[Outcome]):
    """(stored row, incoming outcome) pairs, the stored rows left over, the incoming left over."""
    left = list(stored)
    pairs, rest = [], []
    for o in incoming:  # the same visit
        match = next((s for s in left if s[1].key == o.key), None)
        if match:
            left.remove(match)
            pairs.append((match[0], o))
        else:
            rest.append(o)
    unmatched = []
    for o in rest:  # a recorded request goes to a row that carries one, then any row
        match = next((s for s in left if s[0]["has_request"] and o.category), None)
        match = match or next((s for s in left if not s[0]["has_request"]), None)
        if match:
            left.remove(match)
            pairs.append((match[0], o))
        else:
            unmatched.append(o)
    return pairs, [s[0] for s in left], unmatched


def refusal(change: Change, pairs, leftover) -> str | None:
    """Why this change cannot be applied, or None."""
    if any(o.satisfied is not None for o in (*change.stored, *change.incoming)):
        return "回访结果会移动台账中的诉求，不能用 --replace 更正；请用 zoufang ledger update"
    if any(s["has_request"] for s in leftover) or any(
        s["has_request"] and o.category is None for s, o in pairs
    ):
        return "更正后的行缺少已登记的诉求；诉求只能在台账中办结，不能在重新登记时删除"
    return None


def stored_rows(db, campaign_id: int, change: Change) -> list[tuple[dict, Outcome]]:
    """The stored rows of a (target, day), each with whether a request hangs on it."""
    o, r = t.outcomes, t.requests
    rows = (
        db.execute(
            select(o, r.c.id.label("request_id"))
            .outerjoin(r, r.c.outcome_id == o.c.id)
            .where(
                (o.c.campaign_id == campaign_id)
                & (o.c.target_id == change.target_id)
                & (o.c.day == change.day)
            )
            .order_by(o.c.id)
        )
        .mappings()
        .all()
    )
    return [
        ({**row, "has_request": row["request_id"] is not None}, outcome_of(row)) for row in rows
    ]


def apply(db, campaign_id: int, pairs, leftover, batch: str, stamp) -> list[tuple[dict, Outcome]]:
    """Delete the leftover stored rows and rewrite the paired ones; returns the pairs whose
    request must follow (stored request) or open (new category)."""
    ids = [s["id"] for s in leftover]
    if ids:
        db.execute(t.outcomes.delete().where(t.outcomes.c.id.in_(ids)))
    # Two passes: a swap of identities between paired rows must not meet the unique key.
    for s, _ in pairs:
        db.execute(
            t.outcomes.update().where(t.outcomes.c.id == s["id"]).values(time_key=-2 - s["id"])
        )
    for s, o in pairs:
        db.execute(
            t.outcomes.update()
            .where(t.outcomes.c.id == s["id"])
            .values(
                status=o.status.value,
                time_key=-1 if o.time_min is None else o.time_min,
                category=str(o.category) if o.category else None,
                request=o.request or None,
                batch=batch,
                recorded_at=stamp,
            )
        )
    return pairs


def follow_requests(db, pairs, actor: str, stamp) -> list[tuple]:
    """Requests of corrected rows take the corrected text and class (an event says so);
    returns the keys of rows that raise a request (a class, or a text alone: 待分类) but had
    none yet (to open)."""
    to_open = []
    for s, o in pairs:
        if not s["has_request"]:
            if o.category or o.request.strip():
                to_open.append((o.target_id, o.day, o.status.value, _time_key(o)))
            continue
        klass = (o.category.responsibility, o.category.subject) if o.category else None
        responsibility, subject = klass or (UNCLASSIFIED, UNCLASSIFIED)
        values = {
            "responsibility": responsibility,
            "subject": subject,
            "text": o.request or "",
            "updated_at": stamp,
        }
        db.execute(t.requests.update().where(t.requests.c.id == s["request_id"]).values(**values))
        state = db.execute(
            select(t.requests.c.state).where(t.requests.c.id == s["request_id"])
        ).scalar_one()
        db.execute(
            t.request_events.insert().values(
                request_id=s["request_id"],
                from_state=state,
                to_state=state,
                actor=actor[:100],
                note=f"走访记录更正（record --replace）：{o.category or '待分类'} {o.request}"[
                    :2000
                ],
                at=stamp,
            )
        )
    return to_open


def _time_key(o: Outcome) -> int:
    return -1 if o.time_min is None else o.time_min
