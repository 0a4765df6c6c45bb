"""Outcomes → remaining problems → new routes: the one orchestration of planning.

Names are loaded on first use, so a worker that only needs ``steps`` does not import the
whole orchestration (and its solvers) to start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimizer.domain.lazy import load

_API = {
    "plan_routes": "optimizer.replan.run",
    "replan": "optimizer.replan.run",
    "CadreDay": "optimizer.replan.steps",
    "cadre_days": "optimizer.replan.steps",
    "first_problems": "optimizer.replan.steps",
    "pending_targets": "optimizer.replan.steps",
    "remaining_problem": "optimizer.replan.steps",
}

__all__ = [
    "CadreDay",
    "cadre_days",
    "first_problems",
    "pending_targets",
    "plan_routes",
    "remaining_problem",
    "replan",
]


def __getattr__(name: str):
    return load(__name__, _API, name)


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from optimizer.replan.run import plan_routes, replan
    from optimizer.replan.steps import (
        CadreDay,
        cadre_days,
        first_problems,
        pending_targets,
        remaining_problem,
    )
