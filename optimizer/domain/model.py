"""Immutable domain types: campaign settings, targets, cadres, areas, routes, plans, outcomes.

Times of day are integer minutes after midnight; durations carry their unit in the name.
Plans refer to targets and cadres by id. Change a value with ``dataclasses.replace``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from optimizer.domain import defaults
from optimizer.domain.codes import (
    RESPONSIBILITY_ZH,
    SUBJECT_ZH,
    OutcomeStatus,
    TargetType,
)

TOWN_NAME = re.compile(r"^(.+?(?:街道|镇|乡))")


def hhmm(minutes: int) -> str:
    """Format minutes after midnight as ``HH:MM``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class Window:
    """A time window of one day, ``[start_min, end_min]`` in minutes after midnight."""

    start_min: int
    end_min: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_min < self.end_min <= 24 * 60:
            raise ValueError(f"window {self.start_min}-{self.end_min} is not inside one day")

    @property
    def length_min(self) -> int:
        return self.end_min - self.start_min

    def contains(self, minute: int) -> bool:
        return self.start_min <= minute <= self.end_min

    def intersect(self, other: Window) -> Window | None:
        start, end = max(self.start_min, other.start_min), min(self.end_min, other.end_min)
        return Window(start, end) if start < end else None

    def __str__(self) -> str:
        return f"{hhmm(self.start_min)}-{hhmm(self.end_min)}"


@dataclass(frozen=True, slots=True)
class TravelSettings:
    speed_kmh: float = defaults.SPEED_KMH
    detour: float = defaults.DETOUR
    roads: str | None = None  # path of a road graph, relative to the campaign folder

    def __post_init__(self) -> None:
        if not (self.speed_kmh > 0 and self.detour >= 1):
            raise ValueError(f"speed {self.speed_kmh} km/h, detour {self.detour}")


@dataclass(frozen=True, slots=True)
class Policy:
    max_attempts: int = defaults.MAX_ATTEMPTS
    priority_days: int = defaults.PRIORITY_DAYS
    retry_slack: float = defaults.RETRY_SLACK  # share of each cadre's minutes kept for retries
    not_home_rate: float = defaults.NOT_HOME_RATE  # expected share of attempts nobody is home

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.priority_days < 0 or not 0 <= self.retry_slack < 1:
            raise ValueError(f"policy {self}")
        if not 0 <= self.not_home_rate < 1:
            raise ValueError(f"policy not_home_rate {self.not_home_rate}")


@dataclass(frozen=True, slots=True)
class MapOptions:
    tiles: str = defaults.TILES  # amap | tianditu | osm
    # Inline Leaflet into every map (default): a CDN blocked or slow where the map is opened
    # must not leave a blank page. False loads Leaflet from the CDN (smaller files).
    offline: bool = True


DEFAULT_WINDOWS = tuple((name, Window(*span)) for name, span in defaults.WINDOWS.items())


@dataclass(frozen=True, slots=True)
class Settings:
    """What ``campaign.toml`` says."""

    name: str
    start_date: dt.date
    days: int
    day_window: Window
    travel: TravelSettings = TravelSettings()
    service_minutes: tuple[tuple[TargetType, int], ...] = tuple(defaults.SERVICE_MINUTES.items())
    windows: tuple[tuple[str, Window], ...] = DEFAULT_WINDOWS
    policy: Policy = Policy()
    close_date: dt.date | None = None  # 办结 date of the 诉求 ledger
    maps: MapOptions = MapOptions()
    replan_at_min: int | None = None  # [schedule] replan_at: the server's nightly re-plan
    town: str = ""  # the 镇/街道 (campaign.toml ``town``); "" = read from the name

    @property
    def town_name(self) -> str:
        """The town (所属镇街): ``town`` when given, else the name's leading 镇, 街道 or 乡
        (黄屯街道优化服务百日大走访 → 黄屯街道), else the whole name."""
        if self.town:
            return self.town
        match = TOWN_NAME.match(self.name)
        return match[1] if match else self.name

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"a campaign of {self.days} days")

    def date_of(self, day: int) -> dt.date:
        """Calendar date of campaign day ``day`` (day 1 = ``start_date``)."""
        return self.start_date + dt.timedelta(days=day - 1)

    @property
    def end_date(self) -> dt.date:
        return self.date_of(self.days)

    def service_for(self, kind: TargetType) -> int:
        return dict(self.service_minutes).get(kind, defaults.SERVICE_MINUTES[kind])

    def window(self, name: str) -> Window | None:
        return dict(self.windows).get(name)

    @property
    def ledger_due(self) -> dt.date:
        return self.close_date or self.end_date + dt.timedelta(
            days=defaults.LEDGER_DAYS_AFTER_DEADLINE
        )


@dataclass(frozen=True, slots=True)
class Target:
    id: str
    type: TargetType
    village: str
    lat: float
    lon: float
    service_minutes: int
    name: str = ""
    grid: str = ""
    address: str = ""
    phone: str = ""
    window: Window | None = None
    priority: bool = False

    def __post_init__(self) -> None:
        if self.service_minutes < 0 or not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValueError(f"target {self.id}: service {self.service_minutes} min, position")

    @property
    def grid_key(self) -> tuple[str, str]:
        """Grids are named within their village."""
        return (self.village, self.grid)


@dataclass(frozen=True, slots=True)
class Cadre:
    id: str
    name: str
    base_lat: float
    base_lon: float
    window: Window
    role: str = ""
    unit: str = ""
    phone: str = ""
    village: str = ""
    grid: str = ""
    types: frozenset[TargetType] = defaults.CADRE_TYPES
    minutes_per_day: int = defaults.MINUTES_PER_DAY
    off_days: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.minutes_per_day <= 0 or not self.types:
            raise ValueError(f"cadre {self.id}: {self.minutes_per_day} min a day, {self.types}")

    def work_days(self, days: int, after: int = 0) -> tuple[int, ...]:
        """Campaign days after ``after`` on which this cadre visits."""
        off = set(self.off_days)
        return tuple(d for d in range(after + 1, days + 1) if d not in off)


@dataclass(frozen=True, slots=True)
class Campaign:
    settings: Settings
    targets: tuple[Target, ...]
    cadres: tuple[Cadre, ...]
    folder: str = ""
    warnings: tuple[str, ...] = ()

    def target_index(self) -> Mapping[str, Target]:
        """id → target (built once per campaign object, read-only)."""
        return _index(self.targets)

    def cadre_index(self) -> Mapping[str, Cadre]:
        return _index(self.cadres)


_INDEXES: dict[int, tuple[tuple, Mapping]] = {}


def _index(items: tuple) -> Mapping:
    """A read-only id → item mapping of a tuple, cached while the tuple lives (a re-plan looks
    targets up thousands of times in a 15,000-target campaign)."""
    hit = _INDEXES.get(id(items))
    if hit is None or hit[0] is not items:
        if len(_INDEXES) > 16:
            _INDEXES.clear()
        hit = (items, MappingProxyType({item.id: item for item in items}))
        _INDEXES[id(items)] = hit
    return hit[1]


@dataclass(frozen=True, slots=True)
class Area:
    """The 责任田: the targets one cadre owns for the whole campaign."""

    id: str
    cadre_id: str
    target_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Shortfall:
    """Where the cadres cannot cover the targets by the deadline, and by how much."""

    scope: str  # human-readable: 全镇 / 类型 企业 / 高桥村 / 高桥村 1网格
    target_count: int
    demand_minutes: int
    capacity_minutes: int
    cadre_ids: tuple[str, ...]
    extra_cadres: int
    extra_days: int
    extra_minutes_per_day: int
    target_ids: tuple[str, ...] = ()
    window: str = ""  # the window whose minutes are short (evening), "" = the cadres' days

    @property
    def missing_minutes(self) -> int:
        return max(0, self.demand_minutes - self.capacity_minutes)


@dataclass(frozen=True, slots=True)
class Assignment:
    """Cadres → areas. ``feasible`` is False with ``shortfalls`` saying why."""

    areas: tuple[Area, ...]
    feasible: bool = True
    shortfalls: tuple[Shortfall, ...] = ()
    workload_minutes: tuple[tuple[str, int], ...] = ()  # estimated, per cadre
    capacity_minutes: tuple[tuple[str, int], ...] = ()
    solve_seconds: float = 0.0

    def cadre_of(self) -> dict[str, str]:
        """target_id → cadre_id."""
        return {tid: a.cadre_id for a in self.areas for tid in a.target_ids}

    def area_of_cadre(self) -> dict[str, Area]:
        return {a.cadre_id: a for a in self.areas}


@dataclass(frozen=True, slots=True)
class Stop:
    target_id: str
    arrive_min: int  # service starts (waiting comes before)
    depart_min: int
    travel_min: int  # from the previous stop or the base

    def __post_init__(self) -> None:
        if not 0 <= self.arrive_min <= self.depart_min or self.travel_min < 0:
            raise ValueError(f"stop {self}")


@dataclass(frozen=True, slots=True)
class DayRoute:
    cadre_id: str
    day: int
    start_min: int  # leaves the base
    end_min: int  # back at the base
    stops: tuple[Stop, ...]
    travel_s: int = 0

    def __post_init__(self) -> None:
        if self.end_min < self.start_min or self.travel_s < 0:
            raise ValueError(f"day route of {self.cadre_id} on day {self.day}")

    @property
    def duration_min(self) -> int:
        return self.end_min - self.start_min


@dataclass(frozen=True, slots=True)
class Unscheduled:
    target_id: str
    cadre_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CadrePlan:
    """One cadre's routes for the remaining days, as a solve returns them."""

    cadre_id: str
    routes: tuple[DayRoute, ...]
    unscheduled: tuple[Unscheduled, ...] = ()
    priority_late: tuple[str, ...] = ()
    solve_seconds: float = 0.0

    @property
    def travel_s(self) -> int:
        return sum(r.travel_s for r in self.routes)

    @property
    def finish_day(self) -> int:
        """Last day with a stop; 0 when nothing is planned."""
        return max((r.day for r in self.routes if r.stops), default=0)


@dataclass(frozen=True, slots=True)
class Plan:
    version: int
    cadre_plans: tuple[CadrePlan, ...]
    after_day: int = 0  # routes cover days after this one

    @property
    def routes(self) -> tuple[DayRoute, ...]:
        return tuple(r for cp in self.cadre_plans for r in cp.routes)

    @property
    def unscheduled(self) -> tuple[Unscheduled, ...]:
        return tuple(u for cp in self.cadre_plans for u in cp.unscheduled)


@dataclass(frozen=True, slots=True)
class RequestCategory:
    """诉求分类: responsibility class (1–3) × subject (1–7)."""

    responsibility: int
    subject: int

    def __post_init__(self) -> None:
        if self.responsibility not in RESPONSIBILITY_ZH or self.subject not in SUBJECT_ZH:
            raise ValueError(f"request class {self.responsibility}-{self.subject}")

    def __str__(self) -> str:
        return f"{self.responsibility}-{self.subject}"

    @property
    def zh(self) -> str:
        return f"{RESPONSIBILITY_ZH[self.responsibility]}·{SUBJECT_ZH[self.subject]}"


@dataclass(frozen=True, slots=True)
class Outcome:
    target_id: str
    day: int
    status: OutcomeStatus
    time_min: int | None = None
    cadre_id: str | None = None
    category: RequestCategory | None = None
    request: str = ""
    satisfied: bool | None = None  # return visits: was the resident satisfied

    @property
    def return_visit(self) -> bool:
        """A 回访 of a resolved request: outside the campaign-day clock (it never counts as an
        attempt, never says which night it is)."""
        return self.satisfied is not None

    @property
    def key(self) -> tuple[str, int, str, int | None]:
        """Identity: recording the same row again adds nothing."""
        return (self.target_id, self.day, self.status.value, self.time_min)
