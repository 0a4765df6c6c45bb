"""Daily routes: feasible by recomputation, windows kept, priorities early, nothing lost."""

from __future__ import annotations

import pytest

from optimizer.assign.solve import assign_areas
from optimizer.domain.model import Window
from optimizer.inputs import read_campaign
from optimizer.outputs.routes import write_routes_csv
from optimizer.replan import plan_routes
from optimizer.route.search import solve_routes
from optimizer.route.verify import route_violations
from optimizer.sample import generate_sample, write_sample
from tests.helpers import TOML, road_problem, write_folder

EVENING = Window(18 * 60, 20 * 60 + 30)


@pytest.fixture(scope="module", params=["huangtun", "chaihudian"])
def planned(request, tmp_path_factory):
    folder = write_sample(
        tmp_path_factory.mktemp("r") / "t", generate_sample(request.param, 900, seed=3)
    )
    campaign = read_campaign(folder)
    assignment = assign_areas(campaign, seed=1)
    plan = plan_routes(campaign, assignment, time_limit_s=0.2, workers=2)
    path = write_routes_csv(folder / "routes.csv", campaign, plan)
    return campaign, assignment, plan, path


def test_recomputed_routes_are_feasible(planned):
    """Recomputing routes.csv with the travel model breaks no rule (windows, minutes, days)."""
    campaign, assignment, plan, path = planned
    assert route_violations(campaign, assignment, path) == []
    assert not plan.unscheduled


def test_every_target_planned_once(planned):
    """户不漏人: every target appears in exactly one day route."""
    campaign, _, plan, _ = planned
    stops = [s.target_id for r in plan.routes for s in r.stops]
    assert sorted(stops) == sorted(t.id for t in campaign.targets)


def test_evening_targets_in_the_evening(planned):
    """Evening-only targets are visited inside 18:00–20:30."""
    campaign, _, plan, _ = planned
    evening = {t.id for t in campaign.targets if t.window == EVENING}
    times = [s.arrive_min for r in plan.routes for s in r.stops if s.target_id in evening]
    assert evening and all(EVENING.start_min <= m <= EVENING.end_min for m in times)


def test_priority_targets_in_the_first_days(planned):
    """Priority targets are planned on days 1..priority_days."""
    campaign, _, plan, _ = planned
    priority = {t.id for t in campaign.targets if t.priority}
    days = [r.day for r in plan.routes for s in r.stops if s.target_id in priority]
    assert priority and max(days) <= campaign.settings.policy.priority_days


def test_work_is_front_loaded(planned):
    """With slack in the sample, every cadre finishes before the last days."""
    campaign, _, plan, _ = planned
    assert max(cp.finish_day for cp in plan.cadre_plans) <= campaign.settings.days - 2


def test_off_days_have_no_route(planned):
    """A cadre's off day carries no stop."""
    campaign, _, plan, _ = planned
    off = {(c.id, d) for c in campaign.cadres for d in c.off_days}
    assert off and not any((r.cadre_id, r.day) in off and r.stops for r in plan.routes)


def test_impossible_target_is_named_by_the_assignment(tmp_path):
    """A window shorter than the service time: no cadre may take it, and the diagnosis names
    it (time windows belong to the assignment)."""
    targets = (
        "id,village,lat,lon,window,service_min\n"
        "T1,高桥村,35.000,117.200,09:00-09:10,15\n"
        "T2,高桥村,35.001,117.200,,15\nT3,高桥村,35.002,117.200,evening,15\n"
    )
    campaign = read_campaign(
        write_folder(tmp_path, targets=targets, cadres="id,name,village\nC1,甲,高桥村\n", toml=TOML)
    )
    assignment = assign_areas(campaign)
    assert not assignment.feasible
    (s,) = assignment.shortfalls
    assert s.target_ids == ("T1",) and not s.cadre_ids


def test_days_too_short_leave_targets_unscheduled_not_lost(tmp_path):
    """When the days cannot hold every visit, the rest come back as unscheduled."""
    problem = road_problem(tmp_path, 0.001, 60)
    plan = solve_routes(problem, time_limit_s=0.05)
    planned = {s.target_id for r in plan.routes for s in r.stops}
    assert 1 <= len(planned) <= 4 and len(planned) + len(plan.unscheduled) == 8
