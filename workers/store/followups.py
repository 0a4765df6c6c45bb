"""Return-visit plans (回访) in the store: their routes, and what their files printed.

A plan's sheet (``followup_sheets``: its summary and the requests each stop reports back on,
as they stood when it was planned) is written in the plan's own transaction, so ``export``
can print the plan's folder again long after those requests have moved on (回访 recorded,
销号). Planning again with the same start date and days replaces the plan and its sheet.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from workers.store import schema as t
from workers.store.records import FollowupPlan, now

#: A stop's requests to report back on: (request id, text, 办理情况).
ReturnRows = dict[str, list[tuple[int, str, str]]]


class FollowupRepository:
    engine: object

    def save_followup(
        self,
        campaign_id: int,
        start: dt.date,
        days: int,
        routes: list[dict],
        *,
        summary: dict,
        returns: ReturnRows,
    ) -> int:
        """Store a return-visit plan and its sheet; the same start date and days replace that
        plan (and keep its number). ``summary``: its summary.json without the plan's number,
        which is stored first in it (``"followup"``). Returns the number."""
        f = t.followups.c
        start = dt.datetime.combine(start, dt.time())  # the column is a DateTime
        routes_json = json.dumps(routes, ensure_ascii=False)
        with self.engine.begin() as db:
            number = db.execute(
                select(f.number).where(
                    (f.campaign_id == campaign_id) & (f.start_date == start) & (f.days == days)
                )
            ).scalar()
            if number is not None:
                db.execute(
                    t.followups.update()
                    .where((f.campaign_id == campaign_id) & (f.number == number))
                    .values(routes=routes_json, created_at=now())
                )
            else:
                last = db.execute(select(func.max(f.number)).where(f.campaign_id == campaign_id))
                number = (last.scalar() or 0) + 1
                db.execute(
                    t.followups.insert().values(
                        campaign_id=campaign_id,
                        number=number,
                        start_date=start,
                        days=days,
                        routes=routes_json,
                        created_at=now(),
                    )
                )
            self._save_sheet(db, campaign_id, number, summary, returns)
        return number

    def _save_sheet(self, db, campaign_id: int, number: int, summary: dict, returns) -> None:
        s = t.followup_sheets.c
        db.execute(
            t.followup_sheets.delete().where((s.campaign_id == campaign_id) & (s.number == number))
        )
        db.execute(
            t.followup_sheets.insert().values(
                campaign_id=campaign_id,
                number=number,
                summary=json.dumps({"followup": number, **summary}, ensure_ascii=False),
                returns=json.dumps(
                    {target: [list(item) for item in items] for target, items in returns.items()},
                    ensure_ascii=False,
                ),
            )
        )

    def followups(self, campaign_id: int) -> list[FollowupPlan]:
        """Every return-visit plan of the campaign, by number, with its sheet when stored."""
        f, s = t.followups.c, t.followup_sheets.c
        joined = t.followups.outerjoin(
            t.followup_sheets, (s.campaign_id == f.campaign_id) & (s.number == f.number)
        )
        with self.engine.connect() as db:
            rows = db.execute(
                select(f.number, f.start_date, f.days, f.routes, f.created_at, s.summary, s.returns)
                .select_from(joined)
                .where(f.campaign_id == campaign_id)
                .order_by(f.number)
            ).all()
        return [
            FollowupPlan(
                r.number,
                r.start_date.date(),
                r.days,
                json.loads(r.routes),
                r.created_at,
                summary=json.loads(r.summary) if r.summary is not None else None,
                returns=_returns(r.returns),
            )
            for r in rows
        ]


def _returns(text: str | None) -> ReturnRows | None:
    if text is None:
        return None
    return {
        target: [(int(i), str(words), str(notes)) for i, words, notes in items]
        for target, items in json.loads(text).items()
    }
