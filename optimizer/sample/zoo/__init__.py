"""A second town generator, the zoo: towns unlike our samples, not tuned to the planner.

Built from the real village lists like ``optimizer.sample``, and written by the same
``write_sample``, but sized by its own measure (``measure``: service minutes plus a
nearest-neighbour tour per village at the campaign's speed), never by the planner's workload
estimate. Knobs (``ZooSpec``): utilization, day-only cadres, evening households, sector
cadres, villages without their own cadre, bases given by village only, apartment blocks,
a far-off point, 网格员 with empty grids, off days, 180–300 minutes a day.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from optimizer.sample import SampleTown, campaign_toml
from optimizer.sample.geography import to_latlon
from optimizer.sample.names import NameMaker
from optimizer.sample.zoo.measure import capacity_minutes, target_minutes, town_minutes, utilization
from optimizer.sample.zoo.spec import QUICK_KINDS, ZOO_KINDS, ZooSpec
from optimizer.sample.zoo.staffing import (
    Staff,
    choose_day_only,
    household_units,
    sector_units,
)
from optimizer.sample.zoo.town import make_villages, target_rows, town_spec, village_centre

__all__ = ["QUICK_KINDS", "ZOO_KINDS", "ZooSpec", "generate_zoo_town", "utilization"]
START = dt.date(2027, 3, 1)


def _settle(spec: ZooSpec, staff: Staff, targets, skip: set[str]) -> None:
    """Scale every cadre's minutes so the town as a whole is at the spec's utilization."""
    work = town_minutes(targets, staff.rows, spec.days)
    for _ in range(8):
        capacity = capacity_minutes(staff.rows, targets, spec.days)
        factor = work / spec.utilization / capacity
        if abs(factor - 1) < 0.004:
            return
        for row in staff.rows:
            if row["id"] not in skip:
                staff.rescale(row, factor)


def generate_zoo_town(spec: ZooSpec, seed: int) -> SampleTown:
    """A seeded zoo town: targets, cadres and ``campaign.toml``, ready for ``write_sample``."""
    rng = np.random.default_rng(seed)
    names = NameMaker(rng)
    town = town_spec(spec)
    villages, _ = make_villages(spec, town, rng)
    targets = target_rows(spec, town, villages, rng, names)
    work = target_minutes(targets)
    centres = {v.name: village_centre(town, v) for v in villages}
    seat = centres[""] = centres.get(town.seat) or village_centre(town, villages[0])
    park = tuple(float(c) for c in to_latlon(town, *town.park)) if town.park else None
    units = household_units(spec, targets, work, villages, centres, rng)
    units += sector_units(spec, targets, seat, park)
    staff = Staff(spec, town.title, rng, names)
    for unit in units:
        staff.staff(unit)
    empty = set()
    for v in villages[: spec.empty_grids]:
        grid = f"{max(int(p[2].removesuffix('网格')) for p in v.points) + 1}网格"
        staff.empty_grid(v.name, grid)
        empty.add(staff.rows[-1]["id"])
    _settle(spec, staff, targets, empty)
    choose_day_only(spec, units, [r for r in staff.rows if r["id"] not in empty], rng)
    return SampleTown(town, campaign_toml(town, START, spec.days), targets, staff.rows)
