"""Compact areas: capacitated clustering at the balanced quotas, rounding, balance repair."""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.spatial import cKDTree

from optimizer.assign.flows import BAND
from optimizer.assign.instance import Instance

BASE_PULL = 0.1  # weight of the distance to the cadre's base against the area centre
GRID_PENALTY = 60.0  # metres-equivalent for taking a unit from a grid the cadre barely holds
CANDIDATES = 12  # nearest eligible area centres offered to each unit (measured)
SLACK = 0.004  # quota tolerance in clustering (share of the quota)
ROUND_TOLERANCE = 0.015  # how far from its quota rounding may push a cadre


def _nearest_eligible(inst: Instance, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit → cadre arcs to the ``CANDIDATES`` nearest centres among the cadres who may visit
    the unit. Units are grouped by their eligible cadres (a sector, a village, a grid), so a
    shop is offered the nearest shop inspectors even where household cadres crowd around it."""
    finite = np.isfinite(centres).all(axis=1)
    groups: dict[tuple[int, ...], list[int]] = {}
    for k, cadres in enumerate(inst.eligible):
        groups.setdefault(tuple(cadres[finite[cadres]].tolist()), []).append(k)
    units_of_class = np.split(
        np.argsort(inst.unit_class, kind="stable"),
        np.cumsum(np.bincount(inst.unit_class, minlength=len(inst.class_keys)))[:-1],
    )
    tails, heads = [], []
    for pool, classes in groups.items():
        units = np.concatenate([units_of_class[k] for k in classes])
        if not pool or not len(units):
            continue
        ids = np.array(pool)
        count = min(CANDIDATES, len(ids))
        _, near = cKDTree(centres[ids]).query(inst.unit_xy[units], k=count)
        near = ids[np.asarray(near).reshape(len(units), count)]
        tails.append(np.repeat(units, count))
        heads.append(near.ravel())
    if not tails:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(tails), np.concatenate(heads)


def _candidate_arcs(inst: Instance, centres: np.ndarray, quota_pairs):
    """Unit → cadre arcs: the nearest eligible centres, plus the balance's pairs."""
    near_unit, near_cadre = _nearest_eligible(inst, centres)
    pair_class, pair_cadre = quota_pairs
    order = np.argsort(inst.unit_class, kind="stable")
    starts = np.searchsorted(inst.unit_class[order], np.arange(len(inst.class_keys) + 1))
    counts = starts[pair_class + 1] - starts[pair_class]
    first = np.repeat(starts[pair_class], counts)
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    pair_units = order[first + within]
    arc_unit = np.concatenate([near_unit, pair_units]).astype(np.int64)
    arc_cadre = np.concatenate([near_cadre, np.repeat(pair_cadre, counts)]).astype(np.int64)
    key = np.sort(arc_unit * len(centres) + arc_cadre)
    key = key[np.r_[True, key[1:] != key[:-1]]]  # (sort + diff beats np.unique's hashing here)
    return key // len(centres), key % len(centres)


def cluster_once(
    inst: Instance, centres, quotas, quota_pairs, affinity
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One round of capacitated clustering; returns arcs and their flows.

    Cost of a unit with a cadre: distance to the cadre's area centre, a pull to its base, and
    ``GRID_PENALTY`` × the share of the unit's grid that the cadre does not hold already.
    """
    arc_unit, arc_cadre = _candidate_arcs(inst, centres, quota_pairs)
    units, m = len(inst.unit_work), len(quotas)
    sink = units + m
    anchor = np.where(np.isfinite(centres), centres, inst.base_xy)
    cost = np.linalg.norm(inst.unit_xy[arc_unit] - anchor[arc_cadre], axis=1)
    cost += BASE_PULL * np.linalg.norm(inst.unit_xy[arc_unit] - inst.base_xy[arc_cadre], axis=1)
    cost += GRID_PENALTY * (1.0 - affinity[inst.unit_grid[arc_unit], arc_cadre])
    # Each cadre takes its quota within ±SLACK: the lower bound is the cadre node's own demand.
    low = np.floor(quotas * (1 - SLACK)).astype(np.int64)
    high = np.ceil(quotas * (1 + SLACK)).astype(np.int64) + 1
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([arc_unit, np.arange(m) + units]),
        np.concatenate([arc_cadre + units, np.full(m, sink)]),
        np.concatenate([inst.unit_work[arc_unit], high - low]),
        np.concatenate([np.rint(cost), np.zeros(m)]).astype(np.int64),
    )
    total = int(inst.unit_work.sum())
    nodes = np.concatenate([np.arange(units), np.arange(m) + units, [sink]])
    supplies = np.concatenate([inst.unit_work, -low, [low.sum() - total]]).astype(np.int64)
    mcf.set_nodes_supplies(nodes, supplies)
    if mcf.solve() != mcf.OPTIMAL:
        raise RuntimeError("clustering flow failed")
    return arc_unit, arc_cadre, mcf.flows(np.arange(len(arc_unit)))


def class_pairs_as_units(
    inst: Instance, pair_class, pair_cadre, pair_flow
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spread the balance's class flows over the class's units, pro rata (for grid shares)."""
    share = pair_flow / inst.class_work[pair_class]
    rows = [np.flatnonzero(inst.unit_class == k) for k in pair_class]
    arc_unit = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    lengths = np.array([len(r) for r in rows])
    arc_cadre = np.repeat(pair_cadre, lengths)
    flow = inst.unit_work[arc_unit] * np.repeat(share, lengths)
    return arc_unit, arc_cadre, flow


def grid_shares(inst: Instance, arc_unit, arc_cadre, flow, m: int) -> np.ndarray:
    """``share[g, c]``: the part of grid group g's work that cadre c holds."""
    share = np.zeros((inst.grid_count, m))
    np.add.at(share, (inst.unit_grid[arc_unit], arc_cadre), flow)
    return share / np.maximum(share.sum(axis=1, keepdims=True), 1)


def area_centres(inst: Instance, arc_unit, arc_cadre, flow, m: int) -> np.ndarray:
    weight = np.bincount(arc_cadre, weights=flow, minlength=m)
    centres = np.full((m, 2), np.nan)
    has = weight > 0
    for d in (0, 1):
        total = np.bincount(arc_cadre, weights=flow * inst.unit_xy[arc_unit, d], minlength=m)
        centres[has, d] = total[has] / weight[has]
    return centres


def round_units(inst: Instance, arc_unit, arc_cadre, flow, quotas) -> np.ndarray:
    """Each target's cadre: a unit split by the flow goes whole to one of its cadres when that
    keeps every cadre involved within ``ROUND_TOLERANCE`` of its quota, else it is shared."""
    positive = flow > 0
    arc_unit, arc_cadre, flow = arc_unit[positive], arc_cadre[positive], flow[positive]
    arcs_per_unit = np.bincount(arc_unit, minlength=len(inst.unit_work))
    whole = arcs_per_unit[arc_unit] == 1
    unit_cadre = np.full(len(inst.unit_work), -1)
    unit_cadre[arc_unit[whole]] = arc_cadre[whole]
    target_cadre = unit_cadre[inst.unit_of]
    load = np.bincount(arc_cadre, weights=flow, minlength=len(quotas)).astype(float)
    scale = np.maximum(quotas, 1.0)
    split_arcs = np.flatnonzero(~whole)
    order = split_arcs[np.argsort(arc_unit[split_arcs], kind="stable")]
    bounds = np.flatnonzero(np.diff(arc_unit[order])) + 1
    groups = [g for g in np.split(order, bounds) if len(g)]
    groups.sort(key=lambda g: -inst.unit_work[arc_unit[g[0]]])
    for arcs in groups:
        unit = arc_unit[arcs[0]]
        cadres, shares = arc_cadre[arcs], flow[arcs].astype(float)
        ids = np.flatnonzero(inst.unit_of == unit)
        # Deviation from quota of each involved cadre if cadre j took the whole unit.
        gain = inst.unit_work[unit] * np.eye(len(cadres)) - shares[None, :]
        deviation = np.abs(load[cadres][None, :] + gain - quotas[cadres]) / scale[cadres]
        best = int(np.argmin(deviation.max(axis=1)))
        if len(ids) == 1 or deviation[best].max() <= ROUND_TOLERANCE:
            target_cadre[ids] = cadres[best]
            load[cadres] += gain[best]
            continue
        cuts = np.rint(np.cumsum(shares)[:-1] / shares.sum() * len(ids)).astype(int)
        for part, c in zip(np.split(ids, cuts), cadres, strict=True):
            target_cadre[part] = c
    return target_cadre


def repair_balance(inst: Instance, target_cadre, capacity, matrix, moves: int = 2000):
    """Move single targets off the most loaded cadre while that lowers the highest ratio.

    Rounding whole units (one enterprise is 5 % of a cadre's load) can leave a cadre above the
    band; each move gives the cadre's target nearest to another eligible, less loaded cadre's
    area to that cadre.
    """
    m = len(capacity)
    load = np.bincount(target_cadre, weights=inst.work, minlength=m)
    ratio_goal = load.sum() / capacity.sum() * (1 + BAND)
    for _ in range(moves):
        ratio = load / np.maximum(capacity, 1)
        worst = int(np.argmax(ratio))
        if ratio[worst] <= ratio_goal:
            break
        mine = np.flatnonzero(target_cadre == worst)
        able = matrix[inst.target_class[mine]]  # (targets, cadres)
        after = (load[None, :] + inst.work[mine, None]) / np.maximum(capacity, 1)[None, :]
        better = able & (after < ratio[worst] - 1e-9)
        better[:, worst] = False
        if not better.any():
            break
        centre = _target_centres(inst, target_cadre, m)
        distance = np.linalg.norm(inst.xy[mine, None, :] - centre[None, :, :], axis=2)
        distance = np.where(better & np.isfinite(distance), distance, np.inf)
        i, c = np.unravel_index(int(np.argmin(distance)), distance.shape)
        target_cadre[mine[i]] = c
        load[worst] -= inst.work[mine[i]]
        load[c] += inst.work[mine[i]]
    return target_cadre


def _target_centres(inst: Instance, target_cadre, m: int) -> np.ndarray:
    count = np.bincount(target_cadre, minlength=m).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.column_stack(
            [np.bincount(target_cadre, weights=inst.xy[:, d], minlength=m) / count for d in (0, 1)]
        )
