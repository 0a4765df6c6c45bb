"""The route search's choice of neighbourhoods holds, also when it starts from a warm start."""

from __future__ import annotations

from optimizer.route import operators
from optimizer.route.ortools_model import DEFAULT_SEARCH, _parameters, build_model, solve_model
from optimizer.route.stopping import StopRule
from tests.helpers import road_problem

EVERY_OPERATOR = tuple(
    f.name
    for f in _parameters(DEFAULT_SEARCH, 1.0).local_search_operators.DESCRIPTOR.fields
    if f.name.startswith("use_")
)


def _zigzag_problem(tmp_path):
    """Eight targets along a road, one day, and a warm start that crosses it back and forth."""
    problem = road_problem(tmp_path, 0.01, 480)
    zigzag = ("T0", "T7", "T1", "T6", "T2", "T5", "T3", "T4")
    return problem, {problem.days[0]: zigzag}


def _solve(problem, start) -> list[str]:
    m = build_model(problem, DEFAULT_SEARCH)
    (nodes,) = solve_model(m, DEFAULT_SEARCH, start, lambda: 1.0, StopRule(50, 1.0))[:1]
    return [problem.targets[n - 1].id for n in nodes]


def test_switched_off_operators_stay_off_after_a_warm_start(tmp_path, monkeypatch):
    """With every neighbourhood off the search keeps the warm start; with ours it improves it
    (reading a warm start closes the model, which once fixed the neighbourhoods at OR-Tools'
    defaults whatever the search asked for)."""
    problem, start = _zigzag_problem(tmp_path)
    (zigzag,) = start.values()
    assert _solve(problem, start) != list(zigzag)
    monkeypatch.setattr(operators, "ROUTE_OFF", EVERY_OPERATOR)
    assert _solve(problem, start) == list(zigzag)


def test_insertion_lns_is_off():
    """The day search does not try the insertion LNS neighbourhoods (``operators``)."""
    params = _parameters(DEFAULT_SEARCH, 1.0)
    for name in operators.ROUTE_OFF:
        assert getattr(params.local_search_operators, name) == operators.BOOL_FALSE
