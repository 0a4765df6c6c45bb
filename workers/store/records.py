"""Typed records the store hands out (the domain's own types where it has them: ``Plan``,
``Outcome``, ``ledger.Request``, ``ledger.SpotCheck``), and the store's clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.model import DayRoute, Outcome, RequestCategory

BUILDING = "building"
PUBLISHED = "published"
ABANDONED = "abandoned"  # a newer version started before this one was complete
HELD = "held"  # complete, but the re-plan guard stopped it: published only with --force
WITHDRAWN = "withdrawn"  # published once, set aside by a roll-back to an earlier version


def outcome_of(r) -> Outcome:
    """An outcome from its row of the ``outcomes`` table."""
    category = None
    if r["category"]:
        responsibility, subject = r["category"].split("-")
        category = RequestCategory(int(responsibility), int(subject))
    return Outcome(
        target_id=r["target_id"],
        day=r["day"],
        status=OutcomeStatus(r["status"]),
        time_min=None if r["time_key"] < 0 else r["time_key"],
        cadre_id=r["cadre_id"],
        category=category,
        request=r["request"] or "",
        satisfied=r["satisfied"],
    )


def now() -> dt.datetime:
    """Local time to the second: every timestamp the store writes."""
    return dt.datetime.now().replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One plan version: what it was built from and whether it is published."""

    version: int
    after_day: int
    base_version: int | None
    status: str  # building | published | held | withdrawn | abandoned
    created_at: dt.datetime
    published_at: dt.datetime | None
    summary: str | None  # summary.json text, once published

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED


@dataclass(frozen=True, slots=True)
class CadreJob:
    """Everything one cadre's re-plan reads, taken in one connection."""

    after_day: int
    base_version: int | None
    area: tuple[str, ...]
    routes: tuple[DayRoute, ...]
    outcomes: list[Outcome]
    snapshot: str  # the campaign snapshot's hash


@dataclass(frozen=True, slots=True)
class OverrideRecord:
    """An audited change of a target's cadre (the one exception to 一访到底)."""

    id: int
    target_id: str
    from_cadre: str
    to_cadre: str
    reason: str
    actor: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """One move of a request in the ledger, with who made it and why."""

    id: int
    request_id: int
    from_state: str | None
    to_state: str
    actor: str
    note: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class FollowupPlan:
    """A return-visit plan (回访): its days, its stored routes and what its files printed:
    ``summary`` (its summary.json) and ``returns`` (target → (request id, text, 办理情况)),
    both None for a plan stored before they were kept."""

    number: int
    start_date: dt.date
    days: int
    routes: list[dict]
    created_at: dt.datetime
    summary: dict | None = None
    returns: dict[str, list[tuple[int, str, str]]] | None = None


@dataclass(frozen=True, slots=True)
class RestoreRecord:
    """A roll-back to an earlier plan version: which versions it set aside, who, why."""

    id: int
    to_version: int
    withdrawn: tuple[int, ...]
    actor: str
    reason: str
    at: dt.datetime
