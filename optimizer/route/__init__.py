"""One cadre's days: the routing problem, the OR-Tools model and search, timing, checks.

Names are loaded on first use, so importing ``route.problem`` (its types and reasons) does
not import OR-Tools."""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimizer.domain.lazy import load

_API = {
    "solve_all": "optimizer.route.parallel",
    "solve_cadre": "optimizer.route.parallel",
    "RouteProblem": "optimizer.route.problem",
    "build_problem": "optimizer.route.problem",
    "solve_routes": "optimizer.route.search",
}

__all__ = [
    "RouteProblem",
    "build_problem",
    "solve_all",
    "solve_cadre",
    "solve_routes",
]


def __getattr__(name: str):
    return load(__name__, _API, name)


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from optimizer.route.parallel import solve_all, solve_cadre
    from optimizer.route.problem import RouteProblem, build_problem
    from optimizer.route.search import solve_routes
