"""Weekly reports (周调度) in the store: the figures of the last report written for each week.

A report says what was known when it was made (截至, 办结率 at that time, the at-risk list
of the plan then in force), so ``export`` prints it again from these figures, not from
today's data: the file that comes back is the one that went to the meeting.
"""

from __future__ import annotations

import dataclasses
import json

from sqlalchemy import select

from optimizer.reports.weekly import WeekReport
from workers.store import schema as t
from workers.store.records import now


def _tuples(value):
    """JSON arrays back into the report's tuples (its dicts stay dicts)."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def report_json(report: WeekReport) -> str:
    return json.dumps(dataclasses.asdict(report), ensure_ascii=False)


def report_of(text: str) -> WeekReport:
    """A stored report; fields added to ``WeekReport`` since it was stored take their
    defaults, and fields it no longer has are ignored."""
    known = {f.name for f in dataclasses.fields(WeekReport)}
    values = {k: _tuples(v) for k, v in json.loads(text).items() if k in known}
    return WeekReport(**values)


class ReportRepository:
    engine: object

    def save_week_report(self, campaign_id: int, report: WeekReport) -> None:
        """Keep the figures of ``report`` as its week's report (replacing an earlier one)."""
        w = t.week_reports.c
        with self.engine.begin() as db:
            db.execute(
                t.week_reports.delete().where(
                    (w.campaign_id == campaign_id) & (w.week == report.week)
                )
            )
            db.execute(
                t.week_reports.insert().values(
                    campaign_id=campaign_id,
                    week=report.week,
                    figures=report_json(report),
                    written_at=now(),
                )
            )

    def week_reports(self, campaign_id: int) -> list[WeekReport]:
        """The weeks reported so far, in week order, each as its last report said."""
        w = t.week_reports.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(w.figures).where(w.campaign_id == campaign_id).order_by(w.week)
            ).scalars()
            return [report_of(text) for text in rows]
