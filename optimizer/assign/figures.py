"""Figures of an assignment: balance, compactness, grid lines (the rules: ``domain.pairing``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from optimizer.domain.model import Assignment, Campaign
from optimizer.domain.pairing import may_visit
from optimizer.travel import project_m
from optimizer.workload import capacity_minutes, town_origin, workload_minutes


@dataclass(frozen=True, slots=True)
class AssignmentFigures:
    workload_ratio_max: float
    workload_ratio_mean: float
    workload_ratio_min: float
    mean_distance_to_centre_m: float
    grids_split_share: float  # of (grid, type) groups spread over more than one area
    restricted_inside_share: float
    empty_areas: int

    @property
    def max_over_mean(self) -> float:
        return (
            self.workload_ratio_max / self.workload_ratio_mean if self.workload_ratio_mean else 0.0
        )


def mean_distance_to_centre(xy: np.ndarray, label: np.ndarray) -> float:
    """Mean distance (m) from each point to the centroid of its group."""
    groups = int(label.max()) + 1
    count = np.bincount(label, minlength=groups).astype(float)
    safe = np.maximum(count, 1)
    centre = np.column_stack(
        [np.bincount(label, weights=xy[:, d], minlength=groups) / safe for d in (0, 1)]
    )
    return float(np.linalg.norm(xy - centre[label], axis=1).mean())


def _loads(campaign: Campaign, assignment: Assignment) -> tuple[dict, dict]:
    """Per cadre: estimated workload and capacity (from the assignment, else estimated here)."""
    if assignment.workload_minutes:
        return dict(assignment.workload_minutes), dict(assignment.capacity_minutes)
    work = dict(
        zip(
            (t.id for t in campaign.targets),
            workload_minutes(campaign.targets, campaign.settings),
            strict=True,
        )
    )
    load = {a.cadre_id: sum(work[tid] for tid in a.target_ids) for a in assignment.areas}
    capacity = {c.id: capacity_minutes(c, campaign.settings) for c in campaign.cadres}
    return load, capacity


def assignment_figures(campaign: Campaign, assignment: Assignment) -> AssignmentFigures:
    """Balance (estimated workload ÷ capacity), compactness and grid-line figures."""
    load, capacity = _loads(campaign, assignment)
    ratios = np.array([load[c] / capacity[c] for c in load if capacity.get(c) and load[c] > 0])
    cadre_of = assignment.cadre_of()
    index = {c.id: i for i, c in enumerate(campaign.cadres)}
    lat0, lon0 = town_origin(campaign.targets)
    xy = project_m([t.lat for t in campaign.targets], [t.lon for t in campaign.targets], lat0, lon0)
    label = np.array([index[cadre_of[t.id]] for t in campaign.targets])
    grid_cadres: dict[tuple, set] = defaultdict(set)
    for t in campaign.targets:
        grid_cadres[(t.village, t.grid, t.type)].add(cadre_of[t.id])
    split = sum(1 for cadres in grid_cadres.values() if len(cadres) > 1)
    cadres = campaign.cadre_index()
    targets = campaign.target_index()
    restricted = [
        a for a in assignment.areas if cadres[a.cadre_id].village or cadres[a.cadre_id].grid
    ]
    inside = [
        a
        for a in restricted
        if all(may_visit(cadres[a.cadre_id], targets[tid]) for tid in a.target_ids)
    ]
    return AssignmentFigures(
        workload_ratio_max=float(ratios.max()) if len(ratios) else 0.0,
        workload_ratio_mean=float(ratios.mean()) if len(ratios) else 0.0,
        workload_ratio_min=float(ratios.min()) if len(ratios) else 0.0,
        mean_distance_to_centre_m=mean_distance_to_centre(xy, label),
        grids_split_share=split / max(1, len(grid_cadres)),
        restricted_inside_share=len(inside) / max(1, len(restricted)),
        empty_areas=sum(1 for a in assignment.areas if not a.target_ids),
    )
