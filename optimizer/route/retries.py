"""A retry is never dropped while the cadre has minutes left: the second pass of a solve.

A not-home retry is first routed in its retry window (a different time the cadre works,
``domain.revisits.retry_window``). When the days left cannot hold everything that way (a
retry or, since retries are dropped last, a first visit is left out), nothing is given up
yet: the problem is solved again with the retries allowed at any time the cadre and the target
allow (``RouteProblem.fallback``), from the first pass's routes without those retries as the
warm start (so they are put back after the targets with narrower windows, such as the
evening households whose evening they were filling). The second pass runs only for a cadre
whose first pass left something out, so a plan where everything fits costs no more.
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
    """Solve ``problem``; if that leaves targets out and some retries have fallback windows,
    solve again with those windows. The second plan is kept if it leaves out fewer targets,
    or as many but fewer retries (a search that did worse keeps the first)."""
    first = solve(problem, None)
    if not problem.fallback or not any(u.reason == REASON_CAPACITY for u in first.unscheduled):
        return first
    # The widened retries start out of the routes: put back cheapest, narrow windows first,
    # they yield the evening to the households that can be visited only then.
    wide = {t for t, _ in problem.fallback}
    start = {
        r.day: tuple(s.target_id for s in r.stops if s.target_id not in wide) for r in first.routes
    }
    second = solve(widened(problem, wide), start)
    (r1, f1), (r2, f2) = _left_out(problem, first), _left_out(problem, second)
    better = (r2 + f2, r2) < (r1 + f1, r1)
    return replace(
        second if better else first, solve_seconds=first.solve_seconds + second.solve_seconds
    )
