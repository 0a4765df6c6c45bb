"""The store: campaign snapshots, the published assignment, plan versions, outcomes, audit.

``Store`` is the facade the commands and workers use; each family of tables has its
repository (``assignment``, ``plans``, ``reading``, ``outcomes``, ``ledger``), and every read
returns typed records (``records`` and the domain's own types), never rows or dicts.

SQLite (WAL) inside the campaign folder by default; ``ZOUFANG_DB=postgresql://…`` to share one
store between machines. Writes a retried message may repeat are keyed: a cadre's plan by
(campaign, version, cadre), an outcome by (target, day, status, time).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar

from sqlalchemy import create_engine, event, select
from sqlalchemy.exc import IntegrityError

from workers.store import schema as t
from workers.store.assignment import AssignmentRepository
from workers.store.ledger import LedgerRepository
from workers.store.outcomes import OutcomeRepository
from workers.store.plans import PlanRepository
from workers.store.reading import PlanReadRepository
from workers.store.records import now
from workers.store.snapshot import dump_campaign, load_campaign_json, snapshot_hash
from workers.store.spotchecks import SpotCheckRepository
from workers.store.versions import VersionRepository


def default_url(campaign_dir: str | Path, db_url: str | None = None) -> str:
    """``db_url`` (``ZOUFANG_DB``) if set, else a SQLite file under ``CAMPAIGN/.zoufang/``."""
    if db_url:
        return db_url
    folder = Path(campaign_dir).resolve() / ".zoufang"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'zoufang.db'}"


def campaign_key(campaign) -> str:
    return settings_key(campaign.settings)


def settings_key(settings) -> str:
    """A campaign's name and start date: how the store knows it."""
    return f"{settings.name}|{settings.start_date.isoformat()}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Store(
    AssignmentRepository,
    PlanRepository,
    PlanReadRepository,
    VersionRepository,
    OutcomeRepository,
    LedgerRepository,
    SpotCheckRepository,
):
    """One database; every method opens its own short transaction."""

    _cache: ClassVar[dict[tuple[str, int, str], object]] = {}
    _shared: ClassVar[dict[tuple[str, bool], Store]] = {}

    def __init__(self, url: str, *, recomputable: bool = False):
        """``recomputable``: this store only writes what can be computed again (a re-plan
        worker's results, keyed and idempotent), so PostgreSQL need not wait for the disk."""
        self.url = url
        self.recomputable = recomputable
        options = {}
        if recomputable and url.startswith("postgresql"):
            options["connect_args"] = {"options": "-c synchronous_commit=off"}
        # Connections are recycled after 30 min rather than pinged before each use: a re-plan
        # makes thousands of short queries and a ping doubles their round trips.
        self.engine = create_engine(url, future=True, pool_recycle=1800, **options)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        t.metadata.create_all(self.engine)
        with self.engine.begin() as db:  # indexes added since a store was first created
            for index in t.ADDED_INDEXES:
                index.create(db, checkfirst=True)

    def analyze(self) -> None:
        """Refresh the planner's statistics after the day's bulk writes (a fresh table has
        none, and PostgreSQL then picks plans for empty tables)."""
        with self.engine.begin() as db:
            for table in ("assignment", "outcomes", "stops", "cadre_results", "version_cadres"):
                db.exec_driver_sql(f"ANALYZE {table}")

    @classmethod
    def shared(cls, url: str, *, recomputable: bool = False) -> Store:
        """One Store (engine, caches) per database and process, for workers that serve many
        jobs: re-plan actors and map renderers."""
        key = (url, recomputable)
        if key not in cls._shared:
            cls._shared[key] = cls(url, recomputable=recomputable)
        return cls._shared[key]

    @classmethod
    def for_campaign(cls, campaign_dir: str | Path, db_url: str | None = None) -> Store:
        return cls(default_url(campaign_dir, db_url))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def ensure_campaign(self, campaign) -> int:
        """The campaign's id; its snapshot (settings, targets, cadres) refreshed when changed."""
        text = dump_campaign(campaign)
        digest = snapshot_hash(text)
        key = campaign_key(campaign)
        with self.engine.begin() as db:
            row = db.execute(
                select(t.campaigns.c.id, t.campaigns.c.snapshot_hash).where(
                    t.campaigns.c.key == key
                )
            ).first()
            if row is None:
                values = dict(
                    key=key,
                    name=campaign.settings.name,
                    folder=campaign.folder,
                    snapshot=text,
                    snapshot_hash=digest,
                    created_at=now(),
                )
                return db.execute(t.campaigns.insert().values(**values)).inserted_primary_key[0]
            if row.snapshot_hash != digest:
                db.execute(
                    t.campaigns.update()
                    .where(t.campaigns.c.id == row.id)
                    .values(snapshot=text, snapshot_hash=digest, folder=campaign.folder)
                )
            return row.id

    def find_campaign(self, campaign) -> int | None:
        return self.find_campaign_key(campaign.settings)

    def find_campaign_key(self, settings) -> int | None:
        with self.engine.connect() as db:
            return db.execute(
                select(t.campaigns.c.id).where(t.campaigns.c.key == settings_key(settings))
            ).scalar()

    def load_campaign(self, campaign_id: int, digest: str | None = None):
        """The stored campaign (cached per process while its snapshot is unchanged);
        ``digest``: the snapshot's hash when the caller has just read it."""
        if digest is not None and (self.url, campaign_id, digest) in Store._cache:
            return Store._cache[(self.url, campaign_id, digest)]
        with self.engine.connect() as db:
            digest = db.execute(
                select(t.campaigns.c.snapshot_hash).where(t.campaigns.c.id == campaign_id)
            ).scalar_one()
            cache_key = (self.url, campaign_id, digest)
            if cache_key not in Store._cache:
                text = db.execute(
                    select(t.campaigns.c.snapshot).where(t.campaigns.c.id == campaign_id)
                ).scalar_one()
                Store._cache = {k: v for k, v in Store._cache.items() if k[:2] != cache_key[:2]}
                Store._cache[cache_key] = load_campaign_json(text)
        return Store._cache[cache_key]

    def acquire_lock(self, campaign_id: int, owner: str, ttl_s: int = 1800) -> bool:
        """Take the campaign's re-plan lock; False if someone else holds a live one."""
        with self.engine.begin() as db:
            row = db.execute(
                select(t.locks).where(t.locks.c.campaign_id == campaign_id).with_for_update()
            ).first()
            expires = now() + dt.timedelta(seconds=ttl_s)
            if row is None:
                try:
                    with db.begin_nested():
                        db.execute(
                            t.locks.insert().values(
                                campaign_id=campaign_id, owner=owner, expires_at=expires
                            )
                        )
                except IntegrityError:  # another process inserted it first
                    return False
                return True
            if row.owner != owner and row.expires_at > now():
                return False
            db.execute(
                t.locks.update()
                .where(t.locks.c.campaign_id == campaign_id)
                .values(owner=owner, expires_at=expires)
            )
            return True

    def lock_owner(self, campaign_id: int) -> str | None:
        with self.engine.connect() as db:
            row = db.execute(select(t.locks).where(t.locks.c.campaign_id == campaign_id)).first()
        return row.owner if row and row.expires_at > now() else None

    def release_lock(self, campaign_id: int, owner: str | None = None) -> None:
        with self.engine.begin() as db:
            query = t.locks.delete().where(t.locks.c.campaign_id == campaign_id)
            if owner:
                query = query.where(t.locks.c.owner == owner)
            db.execute(query)
