"""One cadre's days: the routing problem, the OR-Tools model and search, timing, checks."""

from optimizer.route.parallel import solve_all, solve_cadre
from optimizer.route.problem import RouteProblem, build_problem
from optimizer.route.search import solve_routes

__all__ = ["RouteProblem", "build_problem", "solve_all", "solve_cadre", "solve_routes"]
