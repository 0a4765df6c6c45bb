"""Why the cadres cannot cover the targets by the deadline: where, by how much, and the remedy.

The minimum cut of the feasibility flow splits off groups of target classes whose eligible
cadres are all saturated. Each connected group is one shortfall: its targets' demand against
its cadres' capacity, and three equivalent remedies (more cadres, more days, more minutes a day).
"""

from __future__ import annotations

import math

import numpy as np

from optimizer.assign.instance import WORK_SCALE, Instance
from optimizer.domain.codes import TargetType
from optimizer.domain.model import Shortfall
from optimizer.workload import capacity_minutes


def _components(classes: list[int], inst: Instance, cut: set[int], offset: int) -> list[list[int]]:
    """Classes joined by a shared cadre inside the cut."""
    parent = {k: k for k in classes}

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    owner: dict[int, int] = {}
    for k in classes:
        for c in inst.eligible[k]:
            if c + offset in cut:
                if c in owner:
                    parent[find(k)] = find(owner[c])
                else:
                    owner[c] = k
    groups: dict[int, list[int]] = {}
    for k in classes:
        groups.setdefault(find(k), []).append(k)
    return list(groups.values())


def describe_scope(keys) -> str:
    """Human words for a set of (type, village, grid) classes: 高桥村1网格（户）, 全镇（企业）…"""
    kinds = sorted({k[0] for k in keys}, key=list(TargetType).index)
    villages = sorted({k[1] for k in keys})
    grids = sorted({(k[1], k[2]) for k in keys})
    if len(grids) == 1 and grids[0][1]:
        place = f"{grids[0][0]}{grids[0][1]}"
    elif len(villages) == 1:
        place = villages[0]
    elif len(villages) <= 3:
        place = "、".join(villages)
    else:
        place = f"{'、'.join(villages[:3])}等{len(villages)}个村"
    return f"{place}（{'、'.join(k.zh for k in kinds)}）"


def _remedies(deficit: float, cadres, settings) -> tuple[int, int, int]:
    """(extra cadres, extra days, extra minutes a day) that would each cover ``deficit`` minutes."""
    keep = 1.0 - settings.policy.retry_slack
    typical = np.median([capacity_minutes(c, settings) for c in cadres]) if cadres else 0
    if typical <= 0:
        typical = 240 * settings.days * keep
    extra_cadres = math.ceil(deficit / typical)
    per_day = sum(c.minutes_per_day for c in cadres) * keep
    extra_days = math.ceil(deficit / per_day) if per_day else -1
    work_days = sum(len(c.work_days(settings.days)) for c in cadres) * keep
    extra_minutes = math.ceil(deficit / work_days) if work_days else -1
    return extra_cadres, extra_days, extra_minutes


def diagnose(inst: Instance, capacity: np.ndarray, cut: set[int]) -> tuple[Shortfall, ...]:
    """Shortfalls from the source side of the feasibility flow's minimum cut."""
    k = len(inst.class_keys)
    classes = [c for c in range(k) if c in cut]
    campaign = inst.campaign
    result = []
    for group in _components(classes, inst, cut, k):
        cadre_idx = sorted({int(c) for g in group for c in inst.eligible[g] if c + k in cut})
        demand = int(inst.class_work[group].sum())
        supply = int(capacity[cadre_idx].sum())
        if demand <= supply:
            continue
        members = np.flatnonzero(np.isin(inst.target_class, group))
        cadres = [campaign.cadres[i] for i in cadre_idx]
        deficit = (demand - supply) / WORK_SCALE
        extra = _remedies(deficit, cadres, campaign.settings)
        result.append(
            Shortfall(
                scope=describe_scope([inst.class_keys[g] for g in group]),
                target_count=len(members),
                demand_minutes=round(demand / WORK_SCALE),
                capacity_minutes=round(supply / WORK_SCALE),
                cadre_ids=tuple(c.id for c in cadres),
                extra_cadres=extra[0],
                extra_days=extra[1],
                extra_minutes_per_day=extra[2],
                target_ids=tuple(campaign.targets[i].id for i in members),
            )
        )
    return tuple(sorted(result, key=lambda s: -s.missing_minutes))


def remedy_text(s: Shortfall) -> str:
    """需要增派约 N 名走访人员 / 或延长 D 天 / 或每日增加 M 分钟."""
    parts = [f"需要增派约 {s.extra_cadres} 名走访人员"]
    if s.extra_days >= 0:
        parts.append(f"或延长 {s.extra_days} 天")
    if s.extra_minutes_per_day >= 0:
        parts.append(f"或每日增加 {s.extra_minutes_per_day} 分钟")
    return " / ".join(parts)


def shortfall_text(s: Shortfall) -> str:
    who = f"{len(s.cadre_ids)} 名可走访人员" if s.cadre_ids else "没有可走访这些对象的人员"
    return (
        f"{s.scope}: {s.target_count} 个对象约需 {s.demand_minutes} 分钟，{who}能力 "
        f"{s.capacity_minutes} 分钟，缺 {s.missing_minutes} 分钟 —— {remedy_text(s)}"
    )
