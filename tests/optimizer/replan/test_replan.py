"""Re-planning policy: retries in the other window, attempts, escalation, absences, stability."""

from __future__ import annotations

import pytest

from optimizer.assign.solve import assign_areas
from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.model import Outcome, Window
from optimizer.domain.revisits import coverage, retry_window, target_states
from optimizer.inputs import read_campaign
from optimizer.replan import plan_routes, replan
from optimizer.replan.steps import cadre_days
from optimizer.sample import generate_sample, write_sample
from optimizer.travel import travel_model

EVENING = Window(18 * 60, 20 * 60 + 30)
DAY = Window(8 * 60 + 30, 17 * 60 + 30)


def out(target, day, status, time=None):
    return Outcome(target, day, OutcomeStatus(status), time)


def test_miss_by_day_retries_in_the_evening_and_back(tiny):
    """Not home at 10:00 → evening; not home at 19:00 → daytime."""
    campaign = read_campaign(tiny)
    cadre = next(c for c in campaign.cadres if c.window.end_min >= EVENING.end_min)
    target = campaign.targets[0]
    assert retry_window(campaign.settings, cadre, target, 10 * 60) == EVENING
    assert retry_window(campaign.settings, cadre, target, 19 * 60) == DAY


def test_states_count_attempts_and_escalate(tiny):
    """Three misses escalate; a visit is final; refused, moved, invalid are final too."""
    campaign = read_campaign(tiny)
    states = target_states(
        campaign,
        [
            out("T1", 1, "not_home", 600),
            out("T1", 2, "not_home", 1100),
            out("T1", 3, "not_home", 600),
            out("T2", 1, "not_home", 600),
            out("T2", 2, "visited", 1100),
            out("T3", 1, "refused", 600),
            out("T4", 1, "moved"),
        ],
    )
    assert states["T1"].attempts == 3 and states["T1"].escalated and states["T1"].final is None
    assert states["T2"].final is OutcomeStatus.VISITED and not states["T2"].escalated
    assert states["T3"].final is OutcomeStatus.REFUSED and states["T4"].final is OutcomeStatus.MOVED
    assert coverage(campaign, states) == 3 / 4


def test_miss_without_time_is_judged_by_planned_time(tiny):
    """A miss recorded without a time uses the planned arrival to pick the other window."""
    campaign = read_campaign(tiny)
    cadre = next(c for c in campaign.cadres if c.window.end_min >= EVENING.end_min)
    planned = {("T1", 1): 19 * 60}
    states = target_states(campaign, [out("T1", 1, "not_home")], planned, cadre_of={"T1": cadre})
    assert states["T1"].retry_window == DAY


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    folder = write_sample(
        tmp_path_factory.mktemp("rp") / "t", generate_sample("huangtun", 500, seed=5)
    )
    campaign = read_campaign(folder)
    assignment = assign_areas(campaign, seed=1)
    plan = plan_routes(campaign, assignment, time_limit_s=0.1, workers=1)
    return campaign, assignment, plan, travel_model(campaign.settings.travel)


def _day_one(plan, cadre_id):
    (route,) = [r for r in plan.routes if r.cadre_id == cadre_id and r.day == 1]
    return route


def test_day_as_planned_keeps_tomorrow(town):
    """Every stop of day 1 visited as planned: that cadre is unchanged, day 2 identical."""
    campaign, assignment, plan, model = town
    cadre = next(cp.cadre_id for cp in plan.cadre_plans if any(r.day == 1 for r in cp.routes))
    visits = [out(s.target_id, 1, "visited", s.arrive_min) for s in _day_one(plan, cadre).stops]
    days = {d.cadre_id: d for d in cadre_days(campaign, assignment, plan, visits, 1)}
    assert not days[cadre].changed
    new = replan(campaign, assignment, plan, visits, 1, model, time_limit_s=0.05)
    before = [r for r in plan.routes if r.cadre_id == cadre and r.day == 2]
    after = [r for r in new.routes if r.cadre_id == cadre and r.day == 2]
    assert [s.target_id for r in after for s in r.stops] == [
        s.target_id for r in before for s in r.stops
    ]
    assert new.version == plan.version + 1 and new.after_day == 1


def test_misses_and_absence_are_replanned_inside_the_area(town):
    """Day-1 misses come back in the evening, an absent cadre's stops come back; pairing kept."""
    campaign, assignment, plan, model = town
    busy = [
        cp.cadre_id
        for cp in plan.cadre_plans
        if any(r.day == 1 and len(r.stops) > 3 for r in cp.routes)
    ]
    missing, absent = busy[0], busy[1]
    route = _day_one(plan, missing)
    outcomes = [
        out(s.target_id, 1, "not_home" if i < 2 else "visited", s.arrive_min)
        for i, s in enumerate(route.stops)
    ]
    new = replan(campaign, assignment, plan, outcomes, 1, model, time_limit_s=0.1)
    owner = assignment.cadre_of()
    assert all(owner[s.target_id] == r.cadre_id for r in new.routes for s in r.stops)
    planned = {s.target_id: s for r in new.routes for s in r.stops}
    evening = campaign.settings.window("evening")
    for s in route.stops[:2]:
        window = campaign.target_index()[s.target_id].window
        if window is None or window.intersect(evening):
            assert evening.contains(planned[s.target_id].arrive_min)
    assert all(s.target_id in planned for s in _day_one(plan, absent).stops)
    assert all(r.day > 1 for r in new.routes)
    assert not any(s.target_id in planned for s in route.stops[2:])
