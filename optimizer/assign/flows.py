"""The flow models of the assignment: feasibility (max flow) and balance (min-cost flow)."""

from __future__ import annotations

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from optimizer.assign.instance import Instance

RATIO_STEP = 0.005  # width of one balance segment, as a share of capacity
BAND = 0.02  # loads within ±2 % of the town's load ratio are equally good ...
BAND_TIE = 0.05  # ... but for a slight pull to the middle
RESTRICTION_COST = 100  # per work unit and level: grid 0, village 1, anywhere 2
RATIO_CAP = 1.0  # beyond this, the overflow segment (only reachable if capacity is short)
BALANCE_SCALE = 100_000  # cost per work unit per 1.0 of load ratio
DISTANCE_DIVISOR = 10  # metres per cost unit in the balance model


def feasibility(inst: Instance, capacity: np.ndarray):
    """Max flow classes → cadres; returns the flow value and the source side of the min cut."""
    k, m = len(inst.class_keys), len(capacity)
    source, sink = k + m, k + m + 1
    tails = [np.full(k, source), np.arange(m) + k]
    heads = [np.arange(k), np.full(m, sink)]
    caps = [inst.class_work, capacity]
    lens = np.array([len(e) for e in inst.eligible])
    tails.append(np.repeat(np.arange(k), lens))
    heads.append(np.concatenate(inst.eligible) + k if lens.sum() else np.zeros(0, np.int64))
    caps.append(np.repeat(inst.class_work, lens))
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(np.concatenate(tails), np.concatenate(heads), np.concatenate(caps))
    status = flow.solve(source, sink)
    if status != flow.OPTIMAL:
        raise RuntimeError(f"max flow failed: {status}")
    return flow.optimal_flow(), set(flow.get_source_side_min_cut())


def _balance_arcs(capacity: np.ndarray, offset: int, sink: int, total: int, ratio: float):
    """Segments cadre → sink: free within ``BAND`` of the town's load ratio, steep outside
    (a convex cost, so ratios equalise), then an overflow arc only a shortfall would use."""
    steps = round(RATIO_CAP / RATIO_STEP)
    m = len(capacity)
    mid = RATIO_STEP * (np.arange(steps) + 0.5)
    low, high = ratio * (1 - BAND), ratio * (1 + BAND)
    slope = np.minimum(mid - low, 0) + np.maximum(mid - high, 0) + BAND_TIE * mid
    costs = np.append(BALANCE_SCALE * (slope - slope.min()), BALANCE_SCALE * 5)
    seg = np.maximum(1, np.floor(capacity * RATIO_STEP)).astype(np.int64)
    tails = np.repeat(np.arange(m) + offset, steps + 1)
    caps = np.column_stack([np.repeat(seg[:, None], steps, axis=1), np.full(m, total)]).ravel()
    costs = np.tile(np.rint(costs).astype(np.int64), m)
    return tails, np.full(len(tails), sink), caps, costs


def balanced_quotas(inst: Instance, capacity: np.ndarray, anchors: np.ndarray):
    """Balance: how much of each class goes to each cadre, load ratios equalised."""
    k, m = len(inst.class_keys), len(capacity)
    source, sink = k + m, k + m + 1
    total = int(inst.class_work.sum())
    lens = np.array([len(e) for e in inst.eligible])
    arc_class = np.repeat(np.arange(k), lens)
    arc_cadre = np.concatenate(inst.eligible) if lens.sum() else np.zeros(0, np.int64)
    distance = np.linalg.norm(inst.class_xy[arc_class] - anchors[arc_cadre], axis=1)
    # Within the band, the most specific cadre wins: a grid's own 网格员, then the village's.
    level = np.array([0 if c.grid else 1 if c.village else 2 for c in inst.campaign.cadres])
    arc_cost = distance / DISTANCE_DIVISOR + RESTRICTION_COST * level[arc_cadre]
    ratio = total / max(1, int(capacity.sum()))
    b_tails, b_heads, b_caps, b_costs = _balance_arcs(capacity, k, sink, total, ratio)
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([np.full(k, source), arc_class, b_tails]),
        np.concatenate([np.arange(k), arc_cadre + k, b_heads]),
        np.concatenate([inst.class_work, inst.class_work[arc_class], b_caps]),
        np.concatenate([np.zeros(k, np.int64), np.rint(arc_cost), b_costs]).astype(np.int64),
    )
    mcf.set_nodes_supplies(np.array([source, sink]), np.array([total, -total]))
    if mcf.solve() != mcf.OPTIMAL:
        raise RuntimeError("balance flow failed")
    flows = mcf.flows(np.arange(k, k + len(arc_class)))
    used = flows > 0
    return arc_class[used], arc_cadre[used], flows[used]
