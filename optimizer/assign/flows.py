"""The flow models of the assignment: feasibility (max flow) and balance (min-cost flow).

Classes of targets flow to the cadres who may visit them; where a class's window limits a
cadre (evening minutes), through that cadre's window node (``optimizer.assign.windows``)."""

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


def class_arcs(inst: Instance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every class → cadre arc: its class, its cadre, and the node it enters — the cadre's own
    (``k + cadre``) or, for a window that limits the cadre, the window node (``k + m + node``)."""
    k, m = len(inst.class_keys), len(inst.campaign.cadres)
    lens = np.array([len(e) for e in inst.eligible], dtype=np.int64)
    arc_class = np.repeat(np.arange(k), lens)
    if not lens.sum():
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    arc_cadre = np.concatenate(inst.eligible)
    via = np.concatenate(inst.windows.via)
    head = np.where(via >= 0, k + m + via, k + arc_cadre)
    return arc_class, arc_cadre, head


def _window_arcs(inst: Instance):
    """Window node → its cadre, capped at the window's minutes."""
    k, m = len(inst.class_keys), len(inst.campaign.cadres)
    w = inst.windows
    return np.arange(w.count) + k + m, w.cadre + k, w.capacity


def feasibility(inst: Instance, capacity: np.ndarray):
    """Max flow classes → (window nodes →) cadres; the flow value and the min cut's source side.

    Node numbers: classes ``[0, k)``, cadres ``[k, k + m)``, window nodes after them, then the
    source and the sink."""
    k, m, w = len(inst.class_keys), len(capacity), inst.windows.count
    source, sink = k + m + w, k + m + w + 1
    arc_class, _, arc_head = class_arcs(inst)
    w_tails, w_heads, w_caps = _window_arcs(inst)
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(
        np.concatenate([np.full(k, source), arc_class, w_tails, np.arange(m) + k]),
        np.concatenate([np.arange(k), arc_head, w_heads, np.full(m, sink)]),
        np.concatenate([inst.class_work, inst.class_work[arc_class], w_caps, capacity]),
    )
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
    """Balance: how much of each class goes to each cadre, load ratios equalised, no window's
    minutes exceeded."""
    k, m, w = len(inst.class_keys), len(capacity), inst.windows.count
    source, sink = k + m + w, k + m + w + 1
    total = int(inst.class_work.sum())
    arc_class, arc_cadre, arc_head = class_arcs(inst)
    distance = np.linalg.norm(inst.class_xy[arc_class] - anchors[arc_cadre], axis=1)
    # Within the band, the most specific cadre wins: a grid's own 网格员, then the village's.
    level = np.array([0 if c.grid else 1 if c.village else 2 for c in inst.campaign.cadres])
    arc_cost = distance / DISTANCE_DIVISOR + RESTRICTION_COST * level[arc_cadre]
    ratio = total / max(1, int(capacity.sum()))
    b_tails, b_heads, b_caps, b_costs = _balance_arcs(capacity, k, sink, total, ratio)
    w_tails, w_heads, w_caps = _window_arcs(inst)
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([np.full(k, source), arc_class, w_tails, b_tails]),
        np.concatenate([np.arange(k), arc_head, w_heads, b_heads]),
        np.concatenate([inst.class_work, inst.class_work[arc_class], w_caps, b_caps]),
        np.concatenate(
            [np.zeros(k, np.int64), np.rint(arc_cost), np.zeros(w, np.int64), b_costs]
        ).astype(np.int64),
    )
    mcf.set_nodes_supplies(np.array([source, sink]), np.array([total, -total]))
    if mcf.solve() != mcf.OPTIMAL:
        raise RuntimeError("balance flow failed")
    flows = mcf.flows(np.arange(k, k + len(arc_class)))
    used = flows > 0
    return arc_class[used], arc_cadre[used], flows[used]
