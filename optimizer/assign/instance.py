"""The assignment problem in arrays: eligibility classes, co-located units, capacities.

A target's eligible cadres depend only on its (type, village, grid, window): that is its
*class* (the window because a cadre who works days only cannot take an evening household).
Targets of one class at one point (an apartment building's households) form a *unit*
that the assignment keeps whole where it can. Work is in tenths of a minute (integers for
the flow models).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.cluster.vq import kmeans2
from scipy.optimize import linear_sum_assignment

from optimizer.assign.windows import WORK_SCALE, WindowNodes, window_nodes
from optimizer.domain.codes import TargetType
from optimizer.domain.model import Cadre, Campaign, Window
from optimizer.domain.pairing import window_holds
from optimizer.travel import project_m
from optimizer.workload import capacity_minutes, town_origin, workload_minutes


@dataclass(frozen=True, slots=True)
class Instance:
    campaign: Campaign
    xy: np.ndarray  # (n, 2) metres, targets
    work: np.ndarray  # (n,) work units
    target_class: np.ndarray  # (n,) class index
    class_keys: tuple[tuple[TargetType, str, str, Window | None], ...]
    class_xy: np.ndarray  # (K, 2) work-weighted centroid
    class_work: np.ndarray  # (K,)
    eligible: tuple[np.ndarray, ...]  # per class: cadre indices
    base_xy: np.ndarray  # (m, 2)
    restricted: np.ndarray  # (m,) bool: the cadre keeps a village or grid
    unit_of: np.ndarray  # (n,) unit index
    unit_class: np.ndarray  # (U,)
    unit_xy: np.ndarray  # (U, 2)
    unit_work: np.ndarray  # (U,)
    unit_grid: np.ndarray  # (U,) index of the unit's (village, grid, sector) group
    grid_count: int
    windows: WindowNodes  # evening minutes (and other short windows) as their own resource

    def __post_init__(self) -> None:
        n, m = len(self.campaign.targets), len(self.campaign.cadres)
        if self.xy.shape != (n, 2) or self.base_xy.shape != (m, 2) or len(self.work) != n:
            raise ValueError("instance arrays do not match the campaign")
        # Frozen means frozen: the flow models read these arrays, never change them.
        for array in (
            self.xy,
            self.work,
            self.target_class,
            self.class_xy,
            self.class_work,
            self.base_xy,
            self.restricted,
            self.unit_of,
            self.unit_class,
            self.unit_xy,
            self.unit_work,
            self.unit_grid,
            *self.eligible,
        ):
            array.flags.writeable = False

    @property
    def origin(self) -> tuple[float, float]:
        return town_origin(self.campaign.targets)


def _eligibility(cadres: tuple[Cadre, ...], keys, sample) -> list[np.ndarray]:
    """Per class: the cadres who may visit it (``sample``: one target of each class, the one
    with the longest visit, for the window rule of ``pairing.window_holds``)."""
    free, by_village, by_grid = defaultdict(list), defaultdict(list), defaultdict(list)
    for i, c in enumerate(cadres):
        for kind in c.types:
            if c.grid:
                by_grid[(kind, c.village, c.grid)].append(i)
            elif c.village:
                by_village[(kind, c.village)].append(i)
            else:
                free[kind].append(i)
    return [
        np.array(
            sorted(
                i
                for i in free[k] + by_village[(k, v)] + by_grid[(k, v, g)]
                if window_holds(cadres[i], target)
            ),
            dtype=np.int64,
        )
        for (k, v, g, _), target in zip(keys, sample, strict=True)
    ]


def sector_of_type(cadres) -> dict[TargetType, TargetType]:
    """Types joined by cadres who visit both (a sector); each type → its sector's first type."""
    parent = {t: t for t in TargetType}

    def find(t):
        while parent[t] != t:
            t = parent[t]
        return t

    for c in cadres:
        kinds = sorted(c.types)
        for kind in kinds[1:]:
            parent[find(kind)] = find(kinds[0])
    return {t: find(t) for t in TargetType}


def _group(keys: list, weights: np.ndarray, xy: np.ndarray):
    """Index of each row's key, and per key: total weight and weighted centroid."""
    index: dict = {}
    of = np.array([index.setdefault(k, len(index)) for k in keys], dtype=np.int64)
    total = np.bincount(of, weights=weights, minlength=len(index))
    safe = np.where(total > 0, total, 1)
    centre = np.column_stack(
        [np.bincount(of, weights=weights * xy[:, d], minlength=len(index)) / safe for d in (0, 1)]
    )
    return of, list(index), total, centre


def build_instance(campaign: Campaign) -> Instance:
    """Arrays for the assignment models (workload estimates from ``optimizer.workload``)."""
    targets, cadres = campaign.targets, campaign.cadres
    lat0, lon0 = town_origin(targets)
    xy = project_m([t.lat for t in targets], [t.lon for t in targets], lat0, lon0)
    work = np.maximum(1, np.rint(workload_minutes(targets, campaign.settings) * WORK_SCALE))
    work = work.astype(np.int64)
    klass, keys, class_work, class_xy = _group(
        [(t.type, t.village, t.grid, t.window) for t in targets], work.astype(float), xy
    )
    sample: dict[int, int] = {}
    for i, k in enumerate(klass.tolist()):
        if k not in sample or targets[i].service_minutes > targets[sample[k]].service_minutes:
            sample[k] = i
    unit_keys = [(int(k), round(p[0], 1), round(p[1], 1)) for k, p in zip(klass, xy, strict=True)]
    unit_of, units, unit_work, unit_xy = _group(unit_keys, work.astype(float), xy)
    base_xy = project_m([c.base_lat for c in cadres], [c.base_lon for c in cadres], lat0, lon0)
    sector = sector_of_type(cadres)
    unit_grid_keys = [(keys[u[0]][1], keys[u[0]][2], sector.get(keys[u[0]][0])) for u in units]
    unit_grid, grid_keys, _, _ = _group(unit_grid_keys, np.ones(len(units)), unit_xy)
    eligible = _eligibility(cadres, keys, [targets[sample[k]] for k in range(len(keys))])
    return Instance(
        campaign=campaign,
        xy=xy,
        work=work,
        target_class=klass,
        class_keys=tuple(keys),
        class_xy=class_xy,
        class_work=class_work.astype(np.int64),
        eligible=tuple(eligible),
        base_xy=base_xy,
        restricted=np.array([bool(c.village or c.grid) for c in cadres]),
        unit_of=unit_of,
        unit_class=np.array([u[0] for u in units], dtype=np.int64),
        unit_xy=unit_xy,
        unit_work=unit_work.astype(np.int64),
        unit_grid=unit_grid,
        grid_count=len(grid_keys),
        windows=window_nodes(cadres, keys, eligible, campaign.settings.days),
    )


def capacities(inst: Instance, commute_m: np.ndarray) -> np.ndarray:
    """Work units each cadre can take: daily minutes less a round trip of ``commute_m`` metres."""
    s = inst.campaign.settings
    metres_per_min = s.travel.speed_kmh * 1000 / 60
    commute_min = 2 * commute_m * s.travel.detour / metres_per_min
    return np.array(
        [
            capacity_minutes(c, s, float(commute_min[i])) * WORK_SCALE
            for i, c in enumerate(inst.campaign.cadres)
        ],
        dtype=np.int64,
    )


def region_commute_m(inst: Instance) -> np.ndarray:
    """Mean distance from a restricted cadre's base to the targets of its village or grid."""
    m = len(inst.campaign.cadres)
    total, count = np.zeros(m), np.zeros(m)
    for k, cadres in enumerate(inst.eligible):
        mine = cadres[inst.restricted[cadres]]
        if len(mine):
            members = inst.xy[inst.target_class == k]
            for c in mine:
                total[c] += np.linalg.norm(members - inst.base_xy[c], axis=1).sum()
                count[c] += len(members)
    return np.where(count > 0, total / np.maximum(count, 1), 0.0)


def area_commute_m(inst: Instance, target_cadre: np.ndarray) -> np.ndarray:
    """Mean distance from each cadre's base to the targets of its area: a day's trip out."""
    m = len(inst.campaign.cadres)
    distance = np.linalg.norm(inst.xy - inst.base_xy[target_cadre], axis=1)
    count = np.bincount(target_cadre, minlength=m)
    return np.bincount(target_cadre, weights=distance, minlength=m) / np.maximum(count, 1)


def eligibility_matrix(inst: Instance) -> np.ndarray:
    """``matrix[k, c]``: cadre c may visit class k."""
    matrix = np.zeros((len(inst.class_keys), len(inst.campaign.cadres)), dtype=bool)
    for k, cadres in enumerate(inst.eligible):
        matrix[k, cadres] = True
    return matrix


def seed_centres(inst: Instance, seed: int) -> np.ndarray:
    """First area centres: k-means over what each pool of alike cadres may visit.

    A pool is the cadres with the same types, village and grid; its centres are matched to
    its cadres' bases so that nobody starts across the town from home.
    """

    cadres = inst.campaign.cadres
    pools: dict[tuple, list[int]] = defaultdict(list)
    for i, c in enumerate(cadres):
        pools[(c.types, c.village, c.grid)].append(i)
    matrix = eligibility_matrix(inst)
    centres = np.full((len(cadres), 2), np.nan)
    rng = np.random.default_rng(seed)
    for members in pools.values():
        classes = np.flatnonzero(matrix[:, members].any(axis=1))
        points = inst.xy[np.isin(inst.target_class, classes)]
        if not len(points):
            continue
        unique = np.unique(points, axis=0)
        k = min(len(members), len(unique))
        if k == 1:
            found = points.mean(axis=0, keepdims=True)
        else:
            found, _ = kmeans2(unique, k, minit="++", seed=rng, iter=20)
        found = found[np.arange(len(members)) % len(found)]
        cost = np.linalg.norm(inst.base_xy[members][:, None, :] - found[None, :, :], axis=2)
        rows, cols = linear_sum_assignment(cost)
        centres[np.array(members)[rows]] = found[cols]
    return centres
