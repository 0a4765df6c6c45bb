"""A seeded field simulator: what a day of visits along a plan brings back.

Per planned stop: the cadre may be absent that day (no rows at all), the resident not home
(by day at ``not_home``, in the evening a quarter of that — people are home at night, which is
why misses are retried then), refused, moved, or wrong data; visits bring a request (诉求)
now and then. Draws depend only on (seed, day, cadre, target), so two plans that send a cadre
to the same door on the same day see the same answer.

With ``work_ahead`` the day is walked minute by minute (``optimizer.sample.workday``): a miss
costs ``door_minutes`` at the door, and a cadre with time left goes on with their own next
planned stops. Without it (the default) the cadre does the day's list only, each stop at its
planned time, and a miss takes its whole planned visit — the stricter model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.model import Campaign, DayRoute, Outcome, Plan, RequestCategory
from optimizer.sample.workday import candidates, walk_day
from optimizer.travel import minutes_of, travel_model

REQUEST_TEXTS = {
    1: ("门前路灯不亮", "村内道路坑洼需修补", "垃圾清运不及时", "排水沟堵塞"),
    2: ("夜间有陌生车辆停放", "希望增加巡逻", "邻里纠纷需调解"),
    3: ("希望村卫生室延长开诊时间", "慢性病取药不方便", "希望上门体检"),
    4: ("希望增加健身器材", "文化广场灯光不足", "希望组织文艺活动"),
    5: ("孩子上学路远", "希望开设课后托管", "校车站点调整"),
    6: ("独居老人需要帮扶", "低保申请咨询", "残疾人补贴办理"),
    7: ("咨询政策", "农资价格问题", "网络信号差"),
}


@dataclass(frozen=True, slots=True)
class Field:
    not_home: float = 0.2
    evening_factor: float = 0.25
    absent: float = 0.05
    refused: float = 0.005
    moved: float = 0.002
    invalid: float = 0.002
    requests: float = 0.12
    work_ahead: bool = False  # go on with one's own next stops when the day's list is done
    door_minutes: int = 3  # a miss on site: knock, wait, leave the 联系卡 (work_ahead only)


def _draw(seed: int, *parts: object) -> np.random.Generator:
    digest = hashlib.blake2b(repr((seed, *parts)).encode(), digest_size=8).digest()
    return np.random.default_rng(int.from_bytes(digest, "little"))


def _status(rng, p_miss: float, field: Field) -> OutcomeStatus:
    u = rng.random()
    for status, p in (
        (OutcomeStatus.NOT_HOME, p_miss),
        (OutcomeStatus.REFUSED, field.refused),
        (OutcomeStatus.MOVED, field.moved),
        (OutcomeStatus.INVALID, field.invalid),
    ):
        if u < p:
            return status
        u -= p
    return OutcomeStatus.VISITED


def simulate_day(
    campaign: Campaign, plan: Plan, day: int, field: Field, seed: int
) -> list[Outcome]:
    """Outcomes of one day's visits along ``plan`` (no rows for an absent cadre's day)."""
    evening = campaign.settings.window("evening")
    later: dict[str, list[DayRoute]] = {}
    if field.work_ahead:
        for r in plan.routes:
            if r.day > day and r.stops:
                later.setdefault(r.cadre_id, []).append(r)
    walker = _Walker(campaign) if field.work_ahead else None
    outcomes = []
    for route in sorted(
        (r for r in plan.routes if r.day == day and r.stops), key=lambda r: r.cadre_id
    ):
        if _draw(seed, "absent", day, route.cadre_id).random() < field.absent:
            continue
        if walker:
            outcomes += walker.day(route, later.get(route.cadre_id, []), field, seed)
        else:
            outcomes += [
                _outcome(route, s.target_id, s.arrive_min, field, seed, evening)
                for s in route.stops
            ]
    return outcomes


def _p_miss(field: Field, evening, minute: int) -> float:
    at_night = evening is not None and evening.contains(minute)
    return field.not_home * (field.evening_factor if at_night else 1.0)


def _outcome(route: DayRoute, target_id, minute, field, seed, evening) -> Outcome:
    rng = _draw(seed, route.day, route.cadre_id, target_id)
    status = _status(rng, _p_miss(field, evening, minute), field)
    category, text = None, ""
    if status is OutcomeStatus.VISITED and rng.random() < field.requests:
        responsibility = int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1]))
        subject = int(rng.integers(1, 8))
        category = RequestCategory(responsibility, subject)
        text = str(rng.choice(REQUEST_TEXTS[subject]))
    return Outcome(target_id, route.day, status, minute, route.cadre_id, category, text)


class _Walker:
    """Walks cadres' days minute by minute over the campaign's travel model."""

    def __init__(self, campaign: Campaign):
        self.targets = campaign.target_index()
        self.cadres = campaign.cadre_index()
        self.model = travel_model(campaign.settings.travel, campaign.folder or None)
        self.evening = campaign.settings.window("evening")

    def day(self, route: DayRoute, later: list[DayRoute], field: Field, seed: int):
        """The outcomes of the day's doors in the order gone to: planned stops, work ahead."""
        cadre = self.cadres[route.cadre_id]
        ahead = candidates(cadre, later, self.targets, self.evening)
        ids = [s.target_id for s in route.stops] + [c.target.id for c in ahead]
        index = {t: i + 1 for i, t in enumerate(ids)}
        lats = [cadre.base_lat] + [self.targets[t].lat for t in ids]
        lons = [cadre.base_lon] + [self.targets[t].lon for t in ids]
        table = minutes_of(self.model.matrix(lats, lons).seconds)
        outcomes: list[Outcome] = []

        def minutes(a: str | None, b: str | None) -> int:
            return int(table[index.get(a, 0) if a else 0, index.get(b, 0) if b else 0])

        def at_home(target_id: str, minute: int) -> bool:
            # The door's outcome is drawn once, here, when the walk needs to know its length.
            outcomes.append(_outcome(route, target_id, minute, field, seed, self.evening))
            return outcomes[-1].status is not OutcomeStatus.NOT_HOME

        walk_day(
            route, cadre, self.targets, ahead, minutes, at_home, field.door_minutes, self.evening
        )
        return outcomes
