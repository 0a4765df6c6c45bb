"""One cadre's routing problem for the remaining days, built from the campaign (no solver here).

Node 0 is the cadre's base; nodes 1..n are the pending targets. Travel is in seconds (cost) and
whole minutes (time). A target that can never fit a day is set aside with its reason before any
solve. A not-home retry is routed in its retry window; ``fallback`` holds the wider window (any
time the cadre and the target allow) it is given when that window has no room on any day left.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from optimizer.domain.model import Cadre, Settings, Target, Unscheduled, Window
from optimizer.domain.pairing import visit_window
from optimizer.travel import TravelModel, minutes_of

REASON_WINDOW = "可走访时段短于走访时长或不在每日可走访时段内"
REASON_TOO_FAR = "往返路程加走访时长超过每日走访时长"
REASON_NO_DAYS = "剩余日期内没有可走访的日子"
REASON_CAPACITY = "期限内排不下（每日时长不足）"


@dataclass(frozen=True, slots=True)
class RouteProblem:
    cadre: Cadre
    days: tuple[int, ...]  # campaign days with a route (vehicles), ascending
    targets: tuple[Target, ...]
    windows: tuple[Window, ...]  # effective window per target (own ∩ cadre, or a retry window)
    travel_s: np.ndarray  # (n+1, n+1), node 0 = base
    travel_min: np.ndarray
    priority_until: int = 0  # priority targets belong on days ≤ this
    announced: tuple[tuple[int, tuple[str, ...]], ...] = ()  # warm start: day → target ids
    keep_day: int = 0  # the day whose announced route should change little (tomorrow)
    set_aside: tuple[Unscheduled, ...] = field(default=())
    retries: frozenset[str] = frozenset()  # targets missed before (not home): an attempt spent
    fallback: tuple[tuple[str, Window], ...] = ()  # retry → any time the cadre and target allow

    def __post_init__(self) -> None:
        n = len(self.targets) + 1
        if len(self.windows) != len(self.targets):
            raise ValueError("one window per target")
        if self.travel_s.shape != (n, n) or self.travel_min.shape != (n, n):
            raise ValueError(f"travel matrices of {self.travel_s.shape} for {n} nodes")
        if list(self.days) != sorted(set(self.days)):
            raise ValueError(f"days {self.days} are not ascending")
        # Frozen means frozen: the matrices are handed out read-only.
        self.travel_s.flags.writeable = False
        self.travel_min.flags.writeable = False

    @property
    def size(self) -> int:
        return len(self.targets)

    def is_retry(self, node: int) -> bool:
        """Whether node ``node`` (1..n) is a target missed before."""
        return self.targets[node - 1].id in self.retries


def effective_window(target: Target, cadre: Cadre, retry: Window | None = None) -> Window | None:
    """Where service may happen: the target's (or retry) window inside the cadre's day."""
    if retry is None:
        return visit_window(cadre, target)
    own = target.window or cadre.window
    return (own.intersect(retry) or own).intersect(cadre.window)


def build_problem(
    cadre: Cadre,
    targets: list[Target],
    settings: Settings,
    model: TravelModel,
    *,
    after_day: int = 0,
    retry_windows: dict[str, Window] | None = None,
    retries: frozenset[str] | set[str] = frozenset(),
    announced: dict[int, tuple[str, ...]] | None = None,
    keep_day: int = 0,
) -> RouteProblem:
    """The cadre's problem for days after ``after_day``; impossible targets are set aside.

    ``retries`` are the targets missed before (every key of ``retry_windows`` is one); a retry
    whose retry window is narrower than its plain one keeps the plain one as its fallback.
    """
    retry_windows = retry_windows or {}
    retries = frozenset(retries) | retry_windows.keys()
    days = cadre.work_days(settings.days, after=after_day)
    lats = [cadre.base_lat, *(t.lat for t in targets)]
    lons = [cadre.base_lon, *(t.lon for t in targets)]
    matrix = model.matrix(lats, lons)
    minutes = minutes_of(matrix.seconds)
    keep: list[int] = [0]
    windows: list[Window] = []
    fallback: list[tuple[str, Window]] = []
    aside: list[Unscheduled] = []
    for i, t in enumerate(targets, start=1):
        window = effective_window(t, cadre, retry_windows.get(t.id))
        reason = None
        if not days:
            reason = REASON_NO_DAYS
        elif window is None or window.length_min < t.service_minutes:
            reason = REASON_WINDOW
        elif minutes[0, i] + t.service_minutes + minutes[i, 0] > cadre.minutes_per_day:
            reason = REASON_TOO_FAR
        if reason or window is None:
            aside.append(Unscheduled(t.id, cadre.id, reason or REASON_WINDOW))
        else:
            keep.append(i)
            windows.append(window)
            plain = effective_window(t, cadre)
            if t.id in retry_windows and plain is not None and plain != window:
                fallback.append((t.id, plain))
    index = np.array(keep)
    kept = tuple(targets[i - 1] for i in keep[1:])
    return RouteProblem(
        cadre=cadre,
        days=days,
        targets=kept,
        windows=tuple(windows),
        travel_s=matrix.seconds[np.ix_(index, index)],
        travel_min=minutes[np.ix_(index, index)],
        priority_until=settings.policy.priority_days,
        announced=tuple(sorted((announced or {}).items())),
        keep_day=keep_day,
        set_aside=tuple(aside),
        retries=frozenset(t.id for t in kept) & retries,
        fallback=tuple(fallback),
    )
