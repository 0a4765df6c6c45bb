"""Assignment at scale: wall time, balance, compactness against k-means, grid lines.

For sample towns of 15,000 and 30,000 targets (both towns), prints:
- wall time of ``assign_areas`` (the flow models, on this machine);
- workload ratio max / mean (estimated workload ÷ capacity);
- mean distance to area centre, beside unconstrained k-means with the same number of areas on
  the same points — over all points, per sector (types that no cadre mixes, e.g. shops of
  the enforcement staff, are clustered apart, as a sector rule forces), and per region of the
  rules (per sector and, where the areas' owners are village cadres, per village);
- the same figure with every restriction lifted (each cadre may visit anything anywhere), which
  isolates the clustering from the town's own rules;
- share of (grid, type) groups split over areas, and of restricted cadres kept inside.

Run: ``python benchmarks/assign.py [--sizes 15000,30000] [--seed 1]``
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.cluster.vq import kmeans2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.assign.figures import assignment_figures, mean_distance_to_centre
from optimizer.assign.instance import sector_of_type
from optimizer.assign.solve import assign_areas
from optimizer.domain.codes import TargetType
from optimizer.domain.pairing import assignment_violations as rule_violations
from optimizer.inputs import read_campaign
from optimizer.sample import generate_sample, write_sample
from optimizer.travel import project_m
from optimizer.workload import town_origin


def kmeans_distance(xy: np.ndarray, groups: np.ndarray, areas_per_group: dict, seed: int) -> float:
    """Mean distance to centre of plain k-means, run separately within each group."""
    label = np.zeros(len(xy), dtype=int)
    offset = 0
    for group, k in areas_per_group.items():
        mask = groups == group
        _, found = kmeans2(xy[mask], max(1, k), minit="++", seed=seed, iter=50)
        label[mask] = found + offset
        offset += max(1, k)
    return mean_distance_to_centre(xy, label)


def measure(town: str, size: int, seed: int, folder: Path) -> None:
    campaign = read_campaign(
        write_sample(folder / f"{town}{size}", generate_sample(town, size, seed))
    )
    started = time.perf_counter()
    assignment = assign_areas(campaign, seed=seed)
    wall = time.perf_counter() - started
    figures = assignment_figures(campaign, assignment)
    lat0, lon0 = town_origin(campaign.targets)
    xy = project_m([t.lat for t in campaign.targets], [t.lon for t in campaign.targets], lat0, lon0)
    owner = assignment.cadre_of()
    areas = len({owner[t.id] for t in campaign.targets})
    sector = sector_of_type(campaign.cadres)
    groups = np.array([sector[t.type].value for t in campaign.targets])
    per_sector = {
        g: len({owner[t.id] for t, tg in zip(campaign.targets, groups, strict=True) if tg == g})
        for g in np.unique(groups)
    }
    km_all = kmeans_distance(xy, np.zeros(len(xy)), {0: areas}, seed)
    km_sector = kmeans_distance(xy, groups, per_sector, seed)
    # The rules' own regions: k-means inside each sector and, where the owners are village
    # cadres, inside each village — as many clusters as areas reach into the region.
    cadres = campaign.cadre_index()
    cells = np.array(
        [
            f"{g}|{cadres[owner[t.id]].village}"
            for t, g in zip(campaign.targets, groups, strict=True)
        ]
    )
    per_cell = {
        c: len({owner[t.id] for t, tc in zip(campaign.targets, cells, strict=True) if tc == c})
        for c in np.unique(cells)
    }
    km_region = kmeans_distance(xy, cells, per_cell, seed)
    free = dataclasses.replace(
        campaign,
        cadres=tuple(
            dataclasses.replace(c, village="", grid="", types=frozenset(TargetType))
            for c in campaign.cadres
        ),
    )
    free_figures = assignment_figures(free, assign_areas(free, seed=seed))
    ours = figures.mean_distance_to_centre_m
    print(f"\n{town} {size} targets, {len(campaign.cadres)} cadres, {areas} non-empty areas")
    print(f"  wall time               {wall:6.2f} s   (target ≤ 10 s for 30,000 / 500)")
    print(f"  hard-rule violations    {len(rule_violations(campaign, assignment))}")
    print(
        f"  workload max/mean       {figures.max_over_mean:6.3f}   (max "
        f"{figures.workload_ratio_max:.3f}, mean {figures.workload_ratio_mean:.3f}; target ≤ 1.05)"
    )
    print(f"  mean distance to centre {ours:6.1f} m")
    print(f"    k-means, all points   {km_all:6.1f} m   ratio {ours / km_all:.3f}")
    print(f"    k-means, per sector   {km_sector:6.1f} m   ratio {ours / km_sector:.3f}")
    print(f"    k-means, per region   {km_region:6.1f} m   ratio {ours / km_region:.3f}")
    print(
        f"    restrictions lifted   {free_figures.mean_distance_to_centre_m:6.1f} m   ratio to "
        f"k-means all {free_figures.mean_distance_to_centre_m / km_all:.3f}"
    )
    print(f"  (grid, type) groups split {figures.grids_split_share:.1%}")
    print(f"  restricted cadres inside  {figures.restricted_inside_share:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", default="15000,30000")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            for town in ("huangtun", "chaihudian"):
                measure(town, size, args.seed, Path(tmp))


if __name__ == "__main__":
    main()
