"""Outcomes → remaining problems → new routes: the one orchestration of planning."""

from optimizer.replan.run import plan_routes, replan
from optimizer.replan.steps import (
    CadreDay,
    cadre_days,
    first_problems,
    pending_targets,
    remaining_problem,
)

__all__ = [
    "CadreDay",
    "cadre_days",
    "first_problems",
    "pending_targets",
    "plan_routes",
    "remaining_problem",
    "replan",
]
