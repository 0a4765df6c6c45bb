"""What a campaign holds: counts by village and type, cadres by role, demand against capacity."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from optimizer.domain.codes import TargetType
from optimizer.domain.model import Campaign
from optimizer.workload import capacity_minutes, workload_minutes


@dataclass(frozen=True, slots=True)
class TypeBalance:
    type: TargetType
    targets: int
    demand_minutes: int
    capacity_minutes: int  # of all cadres who may visit this type (shared with other types)
    cadres: int


@dataclass(frozen=True, slots=True)
class Census:
    targets: int
    cadres: int
    villages: int
    grids: int
    by_village: tuple[tuple[str, tuple[tuple[TargetType, int], ...]], ...]
    by_role: tuple[tuple[str, int], ...]
    by_type: tuple[TypeBalance, ...]
    demand_minutes: int
    capacity_minutes: int
    evening_targets: int
    priority_targets: int

    @property
    def load_ratio(self) -> float:
        return (
            self.demand_minutes / self.capacity_minutes if self.capacity_minutes else float("inf")
        )


def take_census(campaign: Campaign) -> Census:
    """Counts and the demand-vs-capacity estimate that ``zoufang validate`` prints."""
    s = campaign.settings
    work = workload_minutes(campaign.targets, s)
    capacity = {c.id: capacity_minutes(c, s) for c in campaign.cadres}
    per_village: dict[str, Counter] = {}
    demand_by_type: Counter = Counter()
    count_by_type: Counter = Counter()
    for t, w in zip(campaign.targets, work, strict=True):
        per_village.setdefault(t.village, Counter())[t.type] += 1
        demand_by_type[t.type] += w
        count_by_type[t.type] += 1
    by_type = []
    for kind in TargetType:
        if not count_by_type[kind]:
            continue
        able = [c for c in campaign.cadres if kind in c.types]
        by_type.append(
            TypeBalance(
                kind,
                count_by_type[kind],
                round(demand_by_type[kind]),
                sum(capacity[c.id] for c in able),
                len(able),
            )
        )
    return Census(
        targets=len(campaign.targets),
        cadres=len(campaign.cadres),
        villages=len(per_village),
        grids=len({t.grid_key for t in campaign.targets if t.grid}),
        by_village=tuple(
            (v, tuple(sorted(c.items(), key=lambda kv: list(TargetType).index(kv[0]))))
            for v, c in sorted(per_village.items())
        ),
        by_role=tuple(Counter(c.role or "（未填）" for c in campaign.cadres).most_common()),
        by_type=tuple(by_type),
        demand_minutes=round(float(work.sum())),
        capacity_minutes=sum(capacity.values()),
        evening_targets=sum(
            1 for t in campaign.targets if t.window and t.window.start_min >= 17 * 60
        ),
        priority_targets=sum(1 for t in campaign.targets if t.priority),
    )
