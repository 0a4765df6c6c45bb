"""What a zoo town is made of: the knobs, and a small catalogue of town kinds."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class ZooSpec:
    """The knobs of a zoo town (see ``optimizer.sample.zoo`` for the definitions).

    ``town`` picks the real village list (``chaihudian`` or ``huangtun``); ``villages`` how many
    of its villages, the seat and its nearest; ``targets`` about how many targets in all.
    """

    town: str = "chaihudian"
    villages: int = 4
    targets: int = 125
    days: int = 10
    utilization: float = 0.67  # workload ÷ cadre minutes over the campaign
    day_only_share: float = 0.25  # cadres working 08:30–17:30 only
    evening_share: float = 0.15  # households that can be visited only in the evening
    sector_cadres: int = 0  # town-wide cadres for shops, enterprises, …; 0: village cadres
    orphan_villages: int = 0  # villages without their own cadre (town-wide cadres cover them)
    bases_by_village: float = 0.5  # share of village cadres whose base is left blank
    apartment_blocks: int = 0  # villages built as apartment communities, the seat first
    far_off: bool = False  # one household ~900 km away (a bad-data point)
    empty_grids: int = 0  # 网格员 whose grid has no targets yet
    minutes_per_day: tuple[int, int] = (180, 300)
    grid_worker_share: float = 0.5  # of the grids one 网格员 can do alone
    off_day_share: float = 0.1  # cadres with one off day
    priority_share: float = 0.03

    def __post_init__(self) -> None:
        low, high = self.minutes_per_day
        checks = {
            "utilization": 0.3 <= self.utilization <= 0.95,
            "day_only_share": 0 <= self.day_only_share <= 1,
            "evening_share": 0 <= self.evening_share <= 0.5,
            "bases_by_village": 0 <= self.bases_by_village <= 1,
            "minutes_per_day": 60 <= low <= high <= 600,
            "villages": self.villages >= 1,
            "targets": self.targets >= 10 * self.villages,
            "days": self.days >= 1,
            "orphan_villages": 0 <= self.orphan_villages < self.villages,
            "sector_cadres": self.sector_cadres >= 0,
            "empty_grids": 0 <= self.empty_grids <= self.villages,
        }
        wrong = [name for name, ok in checks.items() if not ok]
        if wrong:
            raise ValueError(f"zoo spec out of range: {', '.join(wrong)} ({self})")


#: Town kinds of the zoo, sized so the whole benchmark runs in minutes on two cores.
ZOO_KINDS = MappingProxyType(
    {
        "tiny": ZooSpec(villages=4, targets=125, days=4, utilization=0.67, day_only_share=0.0),
        "rural": ZooSpec(
            villages=24,
            targets=3000,
            utilization=0.67,
            day_only_share=0.3,
            orphan_villages=2,
            bases_by_village=0.6,
        ),
        "mixed": ZooSpec(
            town="huangtun",
            villages=8,
            targets=1600,
            utilization=0.73,
            day_only_share=0.3,
            sector_cadres=4,
            orphan_villages=1,
            apartment_blocks=1,
        ),
        "urban": ZooSpec(
            town="huangtun",
            villages=12,
            targets=6000,
            utilization=0.73,
            day_only_share=0.3,
            evening_share=0.18,
            sector_cadres=8,
            apartment_blocks=4,
        ),
        "day-only": ZooSpec(
            villages=3,
            targets=900,
            utilization=0.70,
            day_only_share=0.6,
            evening_share=0.2,
        ),
        "busy": ZooSpec(
            town="huangtun",
            villages=4,
            targets=600,
            days=7,
            utilization=0.85,
            sector_cadres=2,
            day_only_share=0.2,
        ),
        "far-off": ZooSpec(villages=4, targets=300, days=5, far_off=True),
        "empty-grid": ZooSpec(
            town="huangtun", villages=4, targets=600, days=7, sector_cadres=2, empty_grids=1
        ),
    }
)
QUICK_KINDS = ("tiny", "day-only", "busy", "far-off", "empty-grid")
