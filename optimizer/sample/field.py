"""A seeded field simulator: what a day of visits along a plan brings back.

Per planned stop: the cadre may be absent that day (no rows at all), the resident not home
(by day at ``not_home``, in the evening a quarter of that — people are home at night, which is
why misses are retried then), refused, moved, or wrong data; visits bring a request (诉求)
now and then. Draws depend only on (seed, day, cadre, target), so two plans that send a cadre
to the same door on the same day see the same answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.model import Campaign, Outcome, Plan, RequestCategory

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
    outcomes = []
    for route in sorted(
        (r for r in plan.routes if r.day == day and r.stops), key=lambda r: r.cadre_id
    ):
        if _draw(seed, "absent", day, route.cadre_id).random() < field.absent:
            continue
        for stop in route.stops:
            rng = _draw(seed, day, route.cadre_id, stop.target_id)
            at_night = evening is not None and evening.contains(stop.arrive_min)
            status = _status(
                rng, field.not_home * (field.evening_factor if at_night else 1.0), field
            )
            category, text = None, ""
            if status is OutcomeStatus.VISITED and rng.random() < field.requests:
                responsibility = int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1]))
                subject = int(rng.integers(1, 8))
                category = RequestCategory(responsibility, subject)
                text = str(rng.choice(REQUEST_TEXTS[subject]))
            outcomes.append(
                Outcome(
                    stop.target_id, day, status, stop.arrive_min, route.cadre_id, category, text
                )
            )
    return outcomes
