"""Every cadre's days, solved in parallel worker processes.

Cadres are independent once areas are fixed (一访到底), so each cadre is one job — the same
function a Dramatiq actor calls. An OR-Tools solve holds the GIL, so processes, not threads.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed

from optimizer.domain.defaults import default_workers
from optimizer.domain.model import CadrePlan
from optimizer.route.collapse import node_count
from optimizer.route.ortools_model import DEFAULT_SEARCH, SearchSettings
from optimizer.route.problem import RouteProblem
from optimizer.route.retries import solve_with_fallback
from optimizer.route.search import solve_routes

Progress = Callable[[int, int], None]

BASE_S = 0.02  # a cadre's search budget: this much ...
NODE_S = 0.0018  # ... plus this much a routing node


def cadre_time_limit(problem: RouteProblem, time_limit_s: float) -> float:
    """Small areas need less search: 20 ms plus 1.8 ms a routing node (targets at one point
    are one node), at most ``time_limit_s``. Measured: an area of 40 nodes has converged by
    then; the largest areas (100–130 targets with evening households) need about 0.25 s to
    come within 1–3 % of PyVRP's travel, where 0.15 s left them 10–27 % longer."""
    return min(time_limit_s, BASE_S + NODE_S * node_count(problem))


def solve_cadre(
    problem: RouteProblem,
    time_limit_s: float,
    seed: int = 0,
    search: SearchSettings = DEFAULT_SEARCH,
    start: dict[int, tuple[str, ...]] | None = None,
) -> CadrePlan:
    """One cadre's plan: the job of a worker process or an actor."""
    limit = cadre_time_limit(problem, time_limit_s)

    def solve(p: RouteProblem, again: dict[int, tuple[str, ...]] | None) -> CadrePlan:
        first = start if again is None else again
        return solve_routes(p, time_limit_s=limit, seed=seed, search=search, start=first)

    return solve_with_fallback(problem, solve)


def solve_all(
    problems: list[RouteProblem],
    *,
    time_limit_s: float,
    seed: int = 0,
    workers: int | None = None,
    progress: Progress | None = None,
    search: SearchSettings = DEFAULT_SEARCH,
) -> list[CadrePlan]:
    """Solve every problem; results in the problems' order."""
    workers = workers or default_workers()
    results: list[CadrePlan | None] = [None] * len(problems)
    if workers == 1 or len(problems) <= 1:
        for i, problem in enumerate(problems):
            results[i] = solve_cadre(problem, time_limit_s, seed, search)
            if progress:
                progress(i + 1, len(problems))
        return results  # type: ignore[return-value]
    # Biggest first, so the last jobs to finish are short ones.
    order = sorted(range(len(problems)), key=lambda i: -problems[i].size)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(solve_cadre, problems[i], time_limit_s, seed, search): i for i in order
        }
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress:
                progress(done, len(problems))
    return results  # type: ignore[return-value]
