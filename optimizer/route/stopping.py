"""When a route search stops: after a number of solutions, not after a number of seconds.

A search stopped by the clock finds a different plan on a busy machine than on an idle one,
so the same inputs gave different routes. Here each search gets a deterministic amount of
work — OR-Tools' ``solution_limit`` — derived from the same per-cadre budget as before
(``route.parallel.cadre_time_limit``): ``SOLUTIONS_PER_S`` solutions per second of budget
for the guided local search, ``TOUR_SOLUTIONS_PER_S`` for the warm start's tours. The clock
stays only as a backstop (``BACKSTOP`` × the budget), which an ordinary machine never
reaches; a search stopped by it is the one case that is not reproducible.

The rates were measured on 120 cadres of the 15,000-target huangtun sample: at 440 solutions
a second of budget (590 for the tours) the searches use about as much processor time as
their budgets (15.5–16.1 s of CPU for 16.3 s of budget, two runs), at the travel of the
clock-stopped search (within 1 %; that one's travel moves with the machine's load), and two
runs give the same routes. Later solutions cost more than early ones: 480 a second took
19.6 s of CPU for the same cadres.

Since the insertion LNS neighbourhoods are off (``route.operators``, 2026-12-04) a solution
costs less, so the day search gets 600 a second: on all 228 cadres of the 15,000-target
chaihudian sample (``benchmarks/travel_lab.py run --p15 1``, two runs each) 30.5–31.8 s of
processor time against 31.3–33.4 s at 440 with them, 0.5 % less travel; 640 a second took
33.9–34.2 s. The tours (the same neighbourhoods off) get 800 a second instead of 590: a
shorter tour is a better warm start, and on the zoo towns of seeds 3 and 4 the day search
then costs less (40.1 and 37.9 s against 44.4 and 44.6 s) for the same or less travel;
the 15,000 sample's routing 31.4 s, but its travel 139.9 h against 139.0 h at 590.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SOLUTIONS_PER_S = 600.0
TOUR_SOLUTIONS_PER_S = 800.0
BACKSTOP = 30.0  # × the budget: the wall-clock safety net
MIN_SOLUTIONS = 2


@dataclass(frozen=True, slots=True)
class StopRule:
    """How much work one search may do: ``solutions`` (0 = only the clock) and ``seconds``."""

    solutions: int
    seconds: float


def search_stop(budget_s: float, deterministic: bool, rate: float | None = None) -> StopRule:
    """The stop of a search given ``budget_s`` seconds: that budget's worth of solutions
    (``rate`` a second, ``SOLUTIONS_PER_S`` by default) with the clock as a backstop, or (not
    deterministic) the budget on the clock alone."""
    if not deterministic:
        return StopRule(0, budget_s)
    rate = SOLUTIONS_PER_S if rate is None else rate
    solutions = max(MIN_SOLUTIONS, math.ceil(rate * budget_s))
    return StopRule(solutions, max(0.05, BACKSTOP * budget_s))


def tour_stop(budget_s: float, deterministic: bool) -> StopRule:
    return search_stop(budget_s, deterministic, TOUR_SOLUTIONS_PER_S)
