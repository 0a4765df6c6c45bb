"""The store: campaign snapshots, the published assignment, plan versions, outcomes, audit.

``Store`` is the facade the commands and workers use; each family of tables has its
repository (``assignment``, ``plans``, ``reading``, ``outcomes``, ``ledger``, ``followups``,
``reports``), and every read returns typed records (``records`` and the domain's own
types), never rows or dicts.

SQLite (WAL) inside the campaign folder by default; ``ZOUFANG_DB=postgresql://…`` to share one
store between machines. Writes a retried message may repeat are keyed: a cadre's plan by
(campaign, version, cadre), an outcome by (target, day, status, time).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import ClassVar

from sqlalchemy import create_engine, event, select
from sqlalchemy.exc import IntegrityError

from workers.store import schema as t
from workers.store.access import AccessRepository
from workers.store.assignment import AssignmentRepository
from workers.store.field import FieldRepository
from workers.store.field_reads import FieldReadRepository
from workers.store.followups import FollowupRepository
from workers.store.ledger import LedgerRepository
from workers.store.locks import LockRepository
from workers.store.outcomes import OutcomeRepository
from workers.store.plans import PlanRepository
from workers.store.publish import PublishRepository
from workers.store.reading import PlanReadRepository, VersionReadRepository
from workers.store.records import now
from workers.store.reports import ReportRepository
from workers.store.snapshot import dump_campaign, load_campaign_json, snapshot_hash
from workers.store.spotchecks import SpotCheckRepository
from workers.store.versions import VersionRepository


def default_url(campaign_dir: str | Path, db_url: str | None = None) -> str:
    """``db_url`` (``ZOUFANG_DB``) if set, else a SQLite file under ``CAMPAIGN/.zoufang/``
    (a folder only its owner may enter: 0700)."""
    if db_url:
        return db_url
    folder = Path(campaign_dir).resolve() / ".zoufang"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):  # another user's store: theirs to keep
        os.chmod(folder, 0o700)
    return f"sqlite:///{folder / 'zoufang.db'}"


def private_sqlite_file(database: str | None) -> None:
    """Make a SQLite store readable by its owner only (0600), before SQLite opens it: SQLite
    gives its -wal and -shm files the database file's own mode. Existing files (of older
    versions, made 0644) are narrowed too."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if part.stat().st_mode & 0o077:
                os.chmod(part, 0o600)


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
    PublishRepository,
    PlanReadRepository,
    VersionReadRepository,
    VersionRepository,
    OutcomeRepository,
    LedgerRepository,
    FollowupRepository,  # return-visit plans and what they printed
    ReportRepository,  # the weekly reports written
    SpotCheckRepository,
    LockRepository,
    AccessRepository,  # the field app: links, logins, sessions
    FieldRepository,  # the field app: phones' attempts and syncs
    FieldReadRepository,  # the field app: what it reads, scheduled re-plans
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
            private_sqlite_file(self.engine.url.database)
            event.listen(self.engine, "connect", _sqlite_pragmas)
        t.metadata.create_all(self.engine)
        with self.engine.begin() as db:  # indexes added or dropped since a store was created
            for index in t.ADDED_INDEXES:
                index.create(db, checkfirst=True)
            for _, name in t.DROPPED_INDEXES:  # one not there: nothing happens
                db.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")

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
        campaign_id = self.campaign_id_for(campaign)
        with self.engine.begin() as db:
            self.refresh_snapshot(db, campaign_id, campaign)
        return campaign_id

    def campaign_id_for(self, campaign) -> int:
        """The campaign's id, stored with its snapshot if it is new. An existing campaign's
        snapshot is left as it is: it changes only with a published plan
        (``publish_plan``), never by a plan that is refused or fails."""
        found = self.find_campaign(campaign)
        if found is not None:
            return found
        text = dump_campaign(campaign)
        values = dict(
            key=campaign_key(campaign),
            name=campaign.settings.name,
            folder=campaign.folder,
            snapshot=text,
            snapshot_hash=snapshot_hash(text),
            created_at=now(),
        )
        try:
            with self.engine.begin() as db:
                return db.execute(t.campaigns.insert().values(**values)).inserted_primary_key[0]
        except IntegrityError:  # another command stored it first
            return self.find_campaign(campaign)

    def refresh_snapshot(self, db, campaign_id: int, campaign) -> None:
        """Store the campaign's snapshot, in the caller's transaction (a write, always: the
        transaction takes its write lock here)."""
        text = dump_campaign(campaign)
        db.execute(
            t.campaigns.update()
            .where(t.campaigns.c.id == campaign_id)
            .values(snapshot=text, snapshot_hash=snapshot_hash(text), folder=campaign.folder)
        )

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
        if digest is not None:
            known = Store._cache.get((self.url, campaign_id, digest))
            if known is not None:
                return known
        with self.engine.connect() as db:
            digest = db.execute(
                select(t.campaigns.c.snapshot_hash).where(t.campaigns.c.id == campaign_id)
            ).scalar_one()
            cache_key = (self.url, campaign_id, digest)
            hit = Store._cache.get(cache_key)
            if hit is None:
                text = db.execute(
                    select(t.campaigns.c.snapshot).where(t.campaigns.c.id == campaign_id)
                ).scalar_one()
                hit = load_campaign_json(text)
                # One new dict, swapped in whole: threads of a server read the cache while
                # another fills it, and must never see it half-replaced.
                kept = {k: v for k, v in Store._cache.items() if k[:2] != cache_key[:2]}
                Store._cache = {**kept, cache_key: hit}
        return hit
