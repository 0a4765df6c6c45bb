"""The pure core of zoufang: no dramatiq, no folium, no database, no web.

The one import users need::

    from optimizer import read_campaign, assign_areas, plan_routes, replan, simulate_day

Names are loaded on first use, so ``import optimizer.domain`` stays light (the solvers are
imported only by what solves).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimizer.domain.lazy import load

_API = {
    # the verbs
    "read_campaign": "optimizer.inputs",
    "read_outcomes": "optimizer.inputs",
    "travel_matrix": "optimizer.travel",
    "assign_areas": "optimizer.assign",
    "plan_routes": "optimizer.replan",
    "replan": "optimizer.replan",
    "solve_routes": "optimizer.route",
    "simulate_day": "optimizer.sample.field",
    "generate_sample": "optimizer.sample",
    "write_sample": "optimizer.sample",
    # the domain types
    "Campaign": "optimizer.domain.model",
    "Settings": "optimizer.domain.model",
    "Target": "optimizer.domain.model",
    "Cadre": "optimizer.domain.model",
    "Window": "optimizer.domain.model",
    "Area": "optimizer.domain.model",
    "Assignment": "optimizer.domain.model",
    "Stop": "optimizer.domain.model",
    "DayRoute": "optimizer.domain.model",
    "CadrePlan": "optimizer.domain.model",
    "Plan": "optimizer.domain.model",
    "Outcome": "optimizer.domain.model",
    "RequestCategory": "optimizer.domain.model",
    "TargetType": "optimizer.domain.codes",
    "OutcomeStatus": "optimizer.domain.codes",
    "Progress": "optimizer.domain.codes",
    "TargetState": "optimizer.domain.revisits",
    # the errors
    "ZoufangError": "optimizer.domain.errors",
    "InputProblem": "optimizer.domain.errors",
    "InvalidInputError": "optimizer.domain.errors",
    "LedgerError": "optimizer.domain.errors",
    "PairingError": "optimizer.domain.errors",
}

__all__ = [
    "Area",
    "Assignment",
    "Cadre",
    "CadrePlan",
    "Campaign",
    "DayRoute",
    "InputProblem",
    "InvalidInputError",
    "LedgerError",
    "Outcome",
    "OutcomeStatus",
    "PairingError",
    "Plan",
    "Progress",
    "RequestCategory",
    "Settings",
    "Stop",
    "Target",
    "TargetState",
    "TargetType",
    "Window",
    "ZoufangError",
    "assign_areas",
    "generate_sample",
    "plan_routes",
    "read_campaign",
    "read_outcomes",
    "replan",
    "simulate_day",
    "solve_routes",
    "travel_matrix",
    "write_sample",
]


def __getattr__(name: str):
    return load(__name__, _API, name)


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from optimizer.assign import assign_areas
    from optimizer.domain.codes import OutcomeStatus, Progress, TargetType
    from optimizer.domain.errors import (
        InputProblem,
        InvalidInputError,
        LedgerError,
        PairingError,
        ZoufangError,
    )
    from optimizer.domain.model import (
        Area,
        Assignment,
        Cadre,
        CadrePlan,
        Campaign,
        DayRoute,
        Outcome,
        Plan,
        RequestCategory,
        Settings,
        Stop,
        Target,
        Window,
    )
    from optimizer.domain.revisits import TargetState
    from optimizer.inputs import read_campaign, read_outcomes
    from optimizer.replan import plan_routes, replan
    from optimizer.route import solve_routes
    from optimizer.sample import generate_sample, write_sample
    from optimizer.sample.field import simulate_day
    from optimizer.travel import travel_matrix
