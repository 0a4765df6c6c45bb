"""Which of OR-Tools' neighbourhoods the route searches explore.

The searches stop after a number of solutions (``stopping``), so a neighbourhood that costs
processor time and rarely finds a better solution is pure loss: switching it off lets the
same processor time hold more solutions. Measured with ``benchmarks/travel_lab.py``
(benchmarks/README.md, "Zoo travel"): the insertion LNS neighbourhoods (a path emptied and
its visits put back by cheapest insertion, or by visit type, which no problem here has) are
tried at every local optimum and found nothing there; without them, at the same solutions,
the zoo towns of seed 3 took 26 s of processor time instead of 46 s (travel ÷ PyVRP 1.031
against 1.029) and a third of the 15,000-target sample 6.1 s instead of 11.5 s (the same
travel). ``stopping.SOLUTIONS_PER_S`` spends the saving on more solutions.
"""

from __future__ import annotations

from ortools.util.optional_boolean_pb2 import BOOL_FALSE

ROUTE_OFF: tuple[str, ...] = (
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
)


def switch_off(params, names: tuple[str, ...]) -> None:
    """Turn the local-search operators ``names`` off in the search parameters ``params``."""
    operators = params.local_search_operators
    for name in names:
        setattr(operators, name, BOOL_FALSE)
