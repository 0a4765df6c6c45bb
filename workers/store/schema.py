"""Tables of the store. Every write that a retried message may repeat has a natural key."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(300), nullable=False, unique=True),  # name|start_date
    Column("name", String(200), nullable=False),
    Column("folder", Text, nullable=False),
    Column("snapshot", Text, nullable=False),  # settings, targets, cadres (JSON)
    Column("snapshot_hash", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

assignment = Table(
    "assignment",
    metadata,
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), primary_key=True),
    Column("target_id", String(100), primary_key=True),
    Column("cadre_id", String(100), nullable=False, index=True),
    Column("area_id", String(40), nullable=False),
)

# Indexes added after the first release: ``Store`` creates them in older stores too.
ADDED_INDEXES = (
    Index("ix_assignment_area_of_cadre", assignment.c.campaign_id, assignment.c.cadre_id),
)
# Indexes dropped since (table, index): ``Store`` drops them from older stores.
# ix_outcomes_target (campaign_id, target_id) repeated the leading columns of the outcomes'
# unique key.
DROPPED_INDEXES = (("outcomes", "ix_outcomes_target"),)

publications = Table(  # the published assignment; one row per (re)assignment, audited
    "publications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("published_at", DateTime, nullable=False),
    Column("reason", Text, nullable=False),
    UniqueConstraint("campaign_id", "revision"),
)

plan_versions = Table(
    "plan_versions",
    metadata,
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("after_day", Integer, nullable=False),
    Column("base_version", Integer),
    # building | published | held (a re-plan the guard stopped) | withdrawn (rolled back)
    # | abandoned (a re-plan that failed before publishing)
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("published_at", DateTime),
    Column("summary", Text),
)

version_cadres = Table(  # what a version needs: a solve per changed cadre, a copy otherwise
    "version_cadres",
    metadata,
    Column("campaign_id", Integer, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("cadre_id", String(100), primary_key=True),
    Column("mode", String(10), nullable=False),  # solve | carry
)

cadre_results = Table(  # the idempotency key of a cadre's re-plan: (campaign, version, cadre)
    "cadre_results",
    metadata,
    Column("campaign_id", Integer, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("cadre_id", String(100), primary_key=True),
    Column("unscheduled", Text, nullable=False),  # JSON [[target_id, reason], …]
    Column("priority_late", Text, nullable=False),
    Column("solve_seconds", Float, nullable=False),
    Column("saved_at", DateTime, nullable=False),
)

stops = Table(
    "stops",
    metadata,
    Column("campaign_id", Integer, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("target_id", String(100), primary_key=True),  # a target is planned once per version
    Column("cadre_id", String(100), nullable=False),
    Column("day", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("arrive_min", Integer, nullable=False),
    Column("depart_min", Integer, nullable=False),
    Column("travel_min", Integer, nullable=False),
    Column("leave_min", Integer, nullable=False),  # the day's departure from the base
    Column("back_min", Integer, nullable=False),
    Column("travel_s", Integer, nullable=False),  # of the whole day route
    UniqueConstraint("campaign_id", "version", "cadre_id", "day", "seq"),
    Index("ix_stops_cadre", "campaign_id", "version", "cadre_id"),
)

outcomes = Table(  # append-only; identity (target, day, status, time)
    "outcomes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), nullable=False),
    Column("target_id", String(100), nullable=False),
    Column("day", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("time_key", Integer, nullable=False),  # minutes after midnight, -1 when not given
    Column("cadre_id", String(100), nullable=False),  # the target's own cadre at recording
    Column("category", String(10)),
    Column("request", Text),
    Column("satisfied", Boolean),
    Column("batch", String(64), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    # Its leading columns serve the look-ups by target too (campaign, target ids): a second
    # index on (campaign_id, target_id) only cost a third index entry for every outcome.
    UniqueConstraint("campaign_id", "target_id", "day", "status", "time_key"),
)

overrides = Table(  # the audit log of the one way a target changes cadre
    "overrides",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), nullable=False),
    Column("target_id", String(100), nullable=False),
    Column("from_cadre", String(100), nullable=False),
    Column("to_cadre", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime, nullable=False),
)

campaign_locks = Table(  # one plan or re-plan of a campaign at a time; a lease, renewed
    "campaign_locks",
    metadata,
    Column("campaign_id", Integer, primary_key=True),
    Column("token", String(64), nullable=False),  # the holder's own random token
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("pid_start", String(32), nullable=False),  # the process's start time (pid reuse)
    Column("purpose", String(20), nullable=False),  # plan | replan
    Column("acquired_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

audit = Table(  # coordinators' overrides of the system: unlock, record --replace, …
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), nullable=False),
    Column("action", String(40), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    Column("detail", Text, nullable=False),  # JSON: what was changed
    Column("at", DateTime, nullable=False),
)

requests = Table(  # 诉求: the ledger (states and events in ``request_events``)
    "requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), nullable=False),
    Column("outcome_id", Integer, ForeignKey("outcomes.id"), nullable=False, unique=True),
    Column("target_id", String(100), nullable=False),
    Column("cadre_id", String(100), nullable=False),
    Column("day", Integer, nullable=False),
    Column("responsibility", Integer, nullable=False),
    Column("subject", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("state", String(20), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("due", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

request_events = Table(
    "request_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("request_id", Integer, ForeignKey("requests.id"), nullable=False, index=True),
    Column("from_state", String(20)),
    Column("to_state", String(20), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("note", Text, nullable=False),
    Column("at", DateTime, nullable=False),
)

followups = Table(  # return-visit plans (回访): routes of the cadres who took the requests
    "followups",
    metadata,
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("start_date", DateTime, nullable=False),
    Column("days", Integer, nullable=False),
    Column("routes", Text, nullable=False),  # JSON rows of routes.csv
    Column("created_at", DateTime, nullable=False),
)

# Tables added after the first release need no migration step: ``create_all`` adds a missing
# table to an older store (SQLite and PostgreSQL alike), and an older row simply has none.

followup_sheets = Table(  # what a return-visit plan printed, so ``export`` prints it again
    "followup_sheets",
    metadata,
    Column("campaign_id", Integer, primary_key=True),
    Column("number", Integer, primary_key=True),  # of ``followups``
    Column("summary", Text, nullable=False),  # JSON: its summary.json
    # JSON {target_id: [[request_id, text, notes], …]}: the requests as they stood then
    Column("returns", Text, nullable=False),
)

week_reports = Table(  # the figures of each weekly report written (周调度), the last one per week
    "week_reports",
    metadata,
    Column("campaign_id", Integer, primary_key=True),
    Column("week", Integer, primary_key=True),
    Column("figures", Text, nullable=False),  # JSON of ``reports.weekly.WeekReport``
    Column("written_at", DateTime, nullable=False),
)

spotchecks = Table(  # phone spot checks of completed visits (电话回访 / 入户抽查)
    "spotchecks",
    metadata,
    Column("campaign_id", Integer, primary_key=True),
    Column("target_id", String(100), primary_key=True),
    Column("cadre_id", String(100), nullable=False),
    Column("sample_seed", Integer, nullable=False),
    Column("result", String(20)),  # confirmed | not_confirmed | None (pending)
    Column("note", Text),
    Column("checked_at", DateTime),
)

nights = Table(  # which campaign day each outcomes file records: the re-plan's "today"
    "nights",
    metadata,
    Column("campaign_id", Integer, primary_key=True),
    Column("batch", String(64), primary_key=True),  # the file's digest, as in ``outcomes``
    Column("night", Integer, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)

restores = Table(  # the audit log of roll-backs to an earlier plan version
    "restores",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), nullable=False),
    Column("to_version", Integer, nullable=False),
    Column("withdrawn", Text, nullable=False),  # JSON list of the versions set aside
    Column("actor", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", DateTime, nullable=False),
)

reopened_visits = Table(  # visits a phone spot check found false (不属实): to visit again
    "reopened_visits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), nullable=False),
    Column("target_id", String(100), nullable=False),
    # the visits of the target recorded up to this outcome no longer count
    Column("upto_outcome_id", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime, nullable=False),
    UniqueConstraint("campaign_id", "target_id", "upto_outcome_id"),
)
