"""A plan version's life after it is built: held by the re-plan guard, published, withdrawn
by a roll-back; and the audit of roll-backs.

Versions are never deleted: a roll-back sets the later ones aside (``withdrawn``) and makes
the earlier one current again, so its ``routes.csv`` is the same file as before.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select

from workers.errors import RestoreRefused
from workers.store import schema as t
from workers.store.records import (
    BUILDING,
    HELD,
    PUBLISHED,
    WITHDRAWN,
    RestoreRecord,
    VersionInfo,
    now,
)


def _info(row) -> VersionInfo:
    return VersionInfo(
        row.version,
        row.after_day,
        row.base_version,
        row.status,
        row.created_at,
        row.published_at,
        row.summary,
    )


class VersionRepository:
    engine: object

    def versions(self, campaign_id: int) -> list[VersionInfo]:
        """Every version of the campaign, oldest first, whatever its state."""
        v = t.plan_versions.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(t.plan_versions).where(v.campaign_id == campaign_id).order_by(v.version)
            ).all()
        return [_info(r) for r in rows]

    def hold_version(self, campaign_id: int, version: int, summary: dict) -> bool:
        """Keep a complete version out of use (the re-plan guard stopped it), with its summary
        and the guard's findings; only a building version can be held."""
        v = t.plan_versions.c
        with self.engine.begin() as db:
            result = db.execute(
                t.plan_versions.update()
                .where(
                    (v.campaign_id == campaign_id) & (v.version == version) & (v.status == BUILDING)
                )
                .values(status=HELD, summary=json.dumps(summary, ensure_ascii=False))
            )
        return result.rowcount == 1

    def publish_held(self, campaign_id: int, version: int, summary: dict) -> bool:
        """Publish a held version after all (``--force``): the same routes, no new solve."""
        v = t.plan_versions.c
        with self.engine.begin() as db:
            result = db.execute(
                t.plan_versions.update()
                .where((v.campaign_id == campaign_id) & (v.version == version) & (v.status == HELD))
                .values(
                    status=PUBLISHED,
                    published_at=now(),
                    summary=json.dumps(summary, ensure_ascii=False),
                )
            )
        return result.rowcount == 1

    def restore_version(self, campaign_id: int, version: int, actor: str, reason: str) -> list[int]:
        """Make published ``version`` current again; the published versions after it are
        withdrawn (kept, never deleted). Returns the withdrawn versions.

        Refused when the assignment changed since (a re-assignment or an override): the
        earlier routes would hand targets back to a cadre who no longer owns them.
        """
        v = t.plan_versions.c
        with self.engine.begin() as db:
            row = db.execute(
                select(t.plan_versions)
                .where((v.campaign_id == campaign_id) & (v.version == version))
                .with_for_update()
            ).first()
            if row is None or row.status not in (PUBLISHED, WITHDRAWN):
                state = "不存在" if row is None else f"未发布（{row.status}）"
                raise RestoreRefused(f"第 {version} 版计划{state}，不能回退到它")
            self._check_pairing_unchanged(db, campaign_id, row)
            later = list(
                db.execute(
                    select(v.version).where(
                        (v.campaign_id == campaign_id)
                        & (v.version > version)
                        & (v.status == PUBLISHED)
                    )
                ).scalars()
            )
            db.execute(
                t.plan_versions.update()
                .where((v.campaign_id == campaign_id) & v.version.in_(later))
                .values(status=WITHDRAWN)
            )
            db.execute(
                t.plan_versions.update()
                .where((v.campaign_id == campaign_id) & (v.version == version))
                .values(status=PUBLISHED)
            )
            db.execute(
                t.restores.insert().values(
                    campaign_id=campaign_id,
                    to_version=version,
                    withdrawn=json.dumps(later),
                    actor=actor,
                    reason=reason,
                    at=now(),
                )
            )
        return later

    def _check_pairing_unchanged(self, db, campaign_id: int, row) -> None:
        publications = t.publications.c
        assigned = db.execute(
            select(publications.published_at)
            .where(publications.campaign_id == campaign_id)
            .order_by(publications.revision.desc())
            .limit(1)
        ).scalar()
        if assigned is not None and assigned > row.created_at:
            raise RestoreRefused(
                f"第 {row.version} 版计划早于最近一次重新分片（{assigned:%Y-%m-%d %H:%M}），"
                "不能回退：那时的路线属于旧的分片"
            )
        overrides = t.overrides.c
        moved = db.execute(
            select(overrides.target_id).where(
                (overrides.campaign_id == campaign_id) & (overrides.at >= row.created_at)
            )
        ).scalars()
        moved = sorted(set(moved))
        if moved:
            raise RestoreRefused(
                f"第 {row.version} 版计划之后有 {len(moved)} 个对象经协调员调整（如 {moved[0]}），"
                "不能回退：回退会把它们交回原人员"
            )

    def planned_by_day(self, campaign_id: int, last_day: int) -> dict[int, dict[str, int]]:
        """Days 1..``last_day`` → cadre → stops planned that day, by the plan in force then
        (the latest published version made before the day)."""
        published = [(i.version, i.after_day) for i in self.versions(campaign_id) if i.published]
        s = t.stops.c
        planned: dict[int, dict[str, int]] = {}
        with self.engine.connect() as db:
            for day in range(1, last_day + 1):
                versions = [v for v, after in published if after < day]
                if not versions:
                    continue
                rows = db.execute(
                    select(s.cadre_id, func.count())
                    .where(
                        (s.campaign_id == campaign_id)
                        & (s.version == max(versions))
                        & (s.day == day)
                    )
                    .group_by(s.cadre_id)
                ).all()
                planned[day] = dict(rows)
        return planned

    def restores(self, campaign_id: int) -> list[RestoreRecord]:
        r = t.restores.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(r.id, r.to_version, r.withdrawn, r.actor, r.reason, r.at)
                .where(r.campaign_id == campaign_id)
                .order_by(r.id)
            ).all()
        return [
            RestoreRecord(
                x.id, x.to_version, tuple(json.loads(x.withdrawn)), x.actor, x.reason, x.at
            )
            for x in rows
        ]
