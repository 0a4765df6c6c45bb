"""A retry is never dropped while the cadre has minutes left: the second pass of a solve.

A not-home retry is first routed in its retry window (a different time the cadre works,
``domain.revisits.retry_window``). If no day left has room for it there, it is not left out:
the problem is solved again with those retries allowed at any time the cadre and the target
allow (``RouteProblem.fallback``), from the first pass's routes as the warm start. The second
pass runs only for a cadre whose retry window was full, so a plan where everything fits costs
no more than before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from optimizer.domain.model import CadrePlan
from optimizer.route.problem import REASON_CAPACITY, RouteProblem

Solve = Callable[[RouteProblem, dict[int, tuple[str, ...]] | None], CadrePlan]


def widened(problem: RouteProblem, target_ids: set[str]) -> RouteProblem:
    """``problem`` with the retries ``target_ids`` allowed at their fallback windows."""
    wider = {t: w for t, w in problem.fallback if t in target_ids}
    windows = tuple(
        wider.get(t.id, w) for t, w in zip(problem.targets, problem.windows, strict=True)
    )
    rest = tuple((t, w) for t, w in problem.fallback if t not in wider)
    return replace(problem, windows=windows, fallback=rest)


def _left_out(problem: RouteProblem, plan: CadrePlan) -> tuple[int, int]:
    """(retries, first visits) the plan could not place in time."""
    out = {u.target_id for u in plan.unscheduled if u.reason == REASON_CAPACITY}
    retries = len(out & problem.retries)
    return retries, len(out) - retries


def solve_with_fallback(problem: RouteProblem, solve: Solve) -> CadrePlan:
    """Solve ``problem``; retries it could not place in their retry windows get a second pass
    with their fallback windows. The second plan is kept if it leaves out fewer retries and
    no more targets in all (a search that did worse keeps the first)."""
    first = solve(problem, None)
    dropped = {u.target_id for u in first.unscheduled if u.reason == REASON_CAPACITY}
    wider = dropped & {t for t, _ in problem.fallback}
    if not wider:
        return first
    start = {r.day: tuple(s.target_id for s in r.stops) for r in first.routes}
    second = solve(widened(problem, wider), start)
    seconds = first.solve_seconds + second.solve_seconds
    (r1, f1), (r2, f2) = _left_out(problem, first), _left_out(problem, second)
    best = second if r2 < r1 and r2 + f2 <= r1 + f1 else first
    return replace(best, solve_seconds=seconds)
