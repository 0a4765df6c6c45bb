"""Cadres → areas (走访人员与走访区域一一对应), with OR-Tools flow models.

1. Feasibility (``flows``): a max flow from classes of targets to the cadres who may visit them,
   each cadre capped at its capacity. A shortfall is a diagnosis from the minimum cut, not an
   exception.
2. Balance (``flows``): a min-cost flow whose cost per unit of work grows with the cadre's load
   ratio (a piecewise-linear convex cost), so ratios equalise; a small distance cost breaks ties.
3. Compact areas (``clustering``): capacitated clustering — a min-cost flow of co-located units
   to cadres at the balanced quotas, cost = distance to the cadre's area centre (+ a pull to the
   base), then centres move; repeated.
4. Rounding (``clustering``): every unit (an apartment building) goes whole to one cadre where
   the balance allows.
"""

from __future__ import annotations

import time

import numpy as np

from optimizer.assign.clustering import (
    area_centres,
    class_pairs_as_units,
    cluster_once,
    grid_shares,
    repair_balance,
    round_units,
)
from optimizer.assign.diagnosis import diagnose
from optimizer.assign.flows import balanced_quotas, feasibility
from optimizer.assign.instance import (
    Instance,
    area_commute_m,
    build_instance,
    capacities,
    eligibility_matrix,
    region_commute_m,
    seed_centres,
)
from optimizer.domain.model import Area, Assignment, Campaign


def _areas(inst: Instance, target_cadre: np.ndarray) -> tuple[Area, ...]:
    campaign = inst.campaign
    by_cadre: list[list[str]] = [[] for _ in campaign.cadres]
    for t, c in zip(campaign.targets, target_cadre, strict=True):
        by_cadre[c].append(t.id)
    width = max(3, len(str(len(campaign.cadres))))
    return tuple(
        Area(f"A{i + 1:0{width}d}", cadre.id, tuple(ids))
        for i, (cadre, ids) in enumerate(zip(campaign.cadres, by_cadre, strict=True))
    )


def _solve(inst: Instance, capacity, centres, iterations: int) -> tuple[np.ndarray, np.ndarray]:
    """Balanced quotas, then capacitated clustering from ``centres``; each target's cadre."""
    m = len(capacity)
    anchors = np.where(np.isfinite(centres), centres, inst.base_xy)
    pair_class, pair_cadre, pair_flow = balanced_quotas(inst, capacity, anchors)
    quotas = np.bincount(pair_cadre, weights=pair_flow, minlength=m)
    matrix = eligibility_matrix(inst)
    affinity = grid_shares(inst, *class_pairs_as_units(inst, pair_class, pair_cadre, pair_flow), m)
    for _ in range(iterations):
        arcs = cluster_once(inst, anchors, quotas, (pair_class, pair_cadre), affinity)
        anchors = area_centres(inst, *arcs, m)
        affinity = grid_shares(inst, *arcs, m)
    target_cadre = round_units(inst, *arcs, quotas)
    return repair_balance(inst, target_cadre, capacity, matrix), anchors


def assign_areas(campaign: Campaign, *, seed: int = 0, iterations: int = 5) -> Assignment:
    """Give every target to exactly one cadre, under the hard rules, balanced and compact.

    Parameters
    ----------
    campaign
        A validated campaign.
    seed
        Seeds the first area centres (k-means); the flow models are deterministic.
    iterations
        Rounds of capacitated clustering.

    Returns
    -------
    Assignment
        ``feasible=False`` with ``shortfalls`` when the cadres cannot cover the targets.
    """
    started = time.perf_counter()
    inst = build_instance(campaign)
    capacity = capacities(inst, region_commute_m(inst))
    flow, cut = feasibility(inst, capacity)
    if flow < inst.class_work.sum():
        shortfalls = diagnose(inst, capacity, cut)
        return Assignment((), False, shortfalls, solve_seconds=time.perf_counter() - started)
    centres = seed_centres(inst, seed)
    target_cadre, centres = _solve(inst, capacity, centres, iterations)
    if not inst.restricted.all():
        # Free cadres' commute depends on where their area landed: re-balance once with it.
        capacity = capacities(inst, area_commute_m(inst, target_cadre))
        flow, cut = feasibility(inst, capacity)
        if flow < inst.class_work.sum():
            shortfalls = diagnose(inst, capacity, cut)
            return Assignment((), False, shortfalls, solve_seconds=time.perf_counter() - started)
        target_cadre, centres = _solve(inst, capacity, centres, max(2, iterations // 2))
    load = np.bincount(target_cadre, weights=inst.work, minlength=len(capacity)) / 10
    ids = [c.id for c in campaign.cadres]
    return Assignment(
        areas=_areas(inst, target_cadre),
        workload_minutes=tuple(zip(ids, np.rint(load).astype(int).tolist(), strict=True)),
        capacity_minutes=tuple(zip(ids, (capacity // 10).tolist(), strict=True)),
        solve_seconds=time.perf_counter() - started,
    )
