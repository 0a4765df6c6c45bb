"""Why the cadres cannot cover the targets by the deadline: where, by how much, and the remedy.

The minimum cut of the feasibility flow splits off groups of target classes whose eligible
cadres (or those cadres' evening minutes) are all saturated. Each connected group is one
shortfall: its targets' demand against the capacity that limits it, and equivalent remedies
(more cadres, more days, more minutes a day — or, for a window, more cadres working in it).
Capacity is all of every cadre's minutes: retry slack is never a reason to refuse a plan.
"""

from __future__ import annotations

import math

import numpy as np

from optimizer.assign.flows import class_arcs
from optimizer.assign.instance import WORK_SCALE, Instance
from optimizer.domain.codes import TargetType
from optimizer.domain.model import Shortfall, Window
from optimizer.workload import capacity_minutes


def _bottlenecks(inst: Instance, cut: set[int]) -> list[set[int]]:
    """Per class: the saturated nodes its work reaches inside the cut — cadres, or a cadre's
    window node where the cadre itself has room (its evening minutes are the limit)."""
    k, m = len(inst.class_keys), len(inst.campaign.cadres)
    arc_class, arc_cadre, arc_head = class_arcs(inst)
    reached: list[set[int]] = [set() for _ in range(k)]
    arcs = zip(arc_class.tolist(), arc_cadre.tolist(), arc_head.tolist(), strict=True)
    for cls, cadre, head in arcs:
        if cls not in cut:
            continue
        if k + cadre in cut:
            reached[cls].add(k + cadre)
        elif head >= k + m and head in cut:
            reached[cls].add(head)
    return reached


def _components(classes: list[int], reached: list[set[int]]) -> list[list[int]]:
    """Classes joined by a shared saturated node."""
    parent = {c: c for c in classes}

    def find(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    owner: dict[int, int] = {}
    for c in classes:
        for node in reached[c]:
            if node in owner:
                parent[find(c)] = find(owner[node])
            else:
                owner[node] = c
    groups: dict[int, list[int]] = {}
    for c in classes:
        groups.setdefault(find(c), []).append(c)
    return list(groups.values())


def describe_scope(keys, settings=None) -> str:
    """Human words for a set of (type, village, grid, window) classes: 高桥村1网格（户）,
    全镇（企业）, 高桥村（户，evening 时段）…"""
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
    windows = {k[3] for k in keys if len(k) > 3}
    when = ""
    if settings is not None and len(windows) == 1 and None not in windows:
        when = f"，{window_name(settings, next(iter(windows)))} 时段"
    return f"{place}（{'、'.join(k.zh for k in kinds)}{when}）"


def _remedies(deficit: float, cadres, settings) -> tuple[int, int, int]:
    """(extra cadres, extra days, extra minutes a day) that would each cover ``deficit`` minutes."""
    typical = np.median([capacity_minutes(c, settings) for c in cadres]) if cadres else 0
    if typical <= 0:
        typical = 240 * settings.days
    extra_cadres = math.ceil(deficit / typical)
    per_day = sum(c.minutes_per_day for c in cadres)
    extra_days = math.ceil(deficit / per_day) if per_day else -1
    work_days = sum(len(c.work_days(settings.days)) for c in cadres)
    extra_minutes = math.ceil(deficit / work_days) if work_days else -1
    return extra_cadres, extra_days, extra_minutes


def window_name(settings, window: Window) -> str:
    """A window's name in campaign.toml (evening, day, …), else its times."""
    names = {w: name for name, w in settings.windows}
    return names.get(window, str(window))


def diagnose(inst: Instance, capacity: np.ndarray, cut: set[int]) -> tuple[Shortfall, ...]:
    """Shortfalls from the source side of the feasibility flow's minimum cut."""
    k, m = len(inst.class_keys), len(capacity)
    classes = [c for c in range(k) if c in cut]
    campaign = inst.campaign
    reached = _bottlenecks(inst, cut)
    result = []
    for group in _components(classes, reached):
        nodes = set().union(*(reached[g] for g in group))
        cadre_nodes = sorted(n - k for n in nodes if n < k + m)
        window_nodes = sorted(n - k - m for n in nodes if n >= k + m)
        cadre_idx = sorted({*cadre_nodes, *(int(inst.windows.cadre[j]) for j in window_nodes)})
        demand = int(inst.class_work[group].sum())
        supply = int(capacity[cadre_nodes].sum() + inst.windows.capacity[window_nodes].sum())
        if demand <= supply:
            continue
        members = np.flatnonzero(np.isin(inst.target_class, group))
        cadres = [campaign.cadres[i] for i in cadre_idx]
        deficit = (demand - supply) / WORK_SCALE
        extra = _remedies(deficit, cadres, campaign.settings)
        limits = sorted(
            {window_name(campaign.settings, inst.windows.window[j]) for j in window_nodes}
        )
        if not cadres:  # nobody may visit: name the window when it is what rules them out
            windows = {inst.class_keys[g][3] for g in group}
            if None not in windows:
                limits = sorted(window_name(campaign.settings, w) for w in windows if w)
        result.append(
            Shortfall(
                scope=describe_scope([inst.class_keys[g] for g in group], campaign.settings),
                target_count=len(members),
                demand_minutes=round(demand / WORK_SCALE),
                capacity_minutes=round(supply / WORK_SCALE),
                cadre_ids=tuple(c.id for c in cadres),
                extra_cadres=extra[0],
                extra_days=extra[1],
                extra_minutes_per_day=-1 if limits else extra[2],
                target_ids=tuple(campaign.targets[i].id for i in members),
                window="、".join(limits),
            )
        )
    return tuple(sorted(result, key=lambda s: -s.missing_minutes))
