"""A cadre's re-plan after misses, by hand: the retry goes to a time this cadre works."""

from __future__ import annotations

import pytest

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.model import Outcome, Window
from optimizer.inputs import read_campaign
from optimizer.replan.steps import remaining_problem
from optimizer.route.parallel import solve_cadre
from optimizer.travel import travel_model
from tests.helpers import write_folder

TARGETS = """\
id,type,name,village,lat,lon
T1,household,张三,高桥村,35.0000,117.2000
T2,household,李四,高桥村,35.0010,117.2010
T3,household,王五,高桥村,35.0020,117.2000
"""

CADRES = """\
id,name,base_lat,base_lon,village,minutes_per_day,window
D1,刘一,35.0005,117.2005,高桥村,240,08:30-17:30
E1,陈二,35.0005,117.2005,高桥村,240,08:30-20:30
"""

EVENING = Window(18 * 60, 20 * 60 + 30)
AFTERNOON = Window(13 * 60, 17 * 60 + 30)  # the second half of 08:30–17:30
MORNING = Window(8 * 60 + 30, 13 * 60)


@pytest.fixture
def campaign(tmp_path):
    return read_campaign(write_folder(tmp_path / "c", TARGETS, CADRES))


def _retried(campaign, cadre_id: str, miss_min: int):
    """T1 missed at ``miss_min`` on day 1 (T2 visited): the cadre's re-plan of T1 and T3."""
    outcomes = [
        Outcome("T1", 1, OutcomeStatus.NOT_HOME, miss_min),
        Outcome("T2", 1, OutcomeStatus.VISITED, miss_min + 20),
    ]
    model = travel_model(campaign.settings.travel)
    problem = remaining_problem(campaign, cadre_id, ("T1", "T3"), (), outcomes, 1, model)
    plan = solve_cadre(problem, 0.2)
    assert not plan.unscheduled
    (day, stop) = next((r.day, s) for r in plan.routes for s in r.stops if s.target_id == "T1")
    return problem, day, stop


def test_a_day_only_cadres_morning_miss_is_retried_in_the_afternoon(campaign):
    """Cadre 08:30–17:30, T1 not home at 10:00 on day 1: retried 13:00–17:30 on day 2 or later."""
    problem, day, stop = _retried(campaign, "D1", 10 * 60)
    assert problem.windows[0] == AFTERNOON and problem.retries == frozenset({"T1"})
    assert day >= 2 and AFTERNOON.start_min <= stop.arrive_min <= AFTERNOON.end_min - 15


def test_a_day_only_cadres_afternoon_miss_is_retried_in_the_morning(campaign):
    """Cadre 08:30–17:30, T1 not home at 15:00: retried 08:30–13:00 on a later day."""
    _, day, stop = _retried(campaign, "D1", 15 * 60)
    assert day >= 2 and MORNING.start_min <= stop.arrive_min <= MORNING.end_min - 15


def test_an_evening_cadres_day_miss_is_retried_in_the_evening(campaign):
    """Cadre 08:30–20:30, T1 not home at 10:00: retried 18:00–20:30 on a later day."""
    _, day, stop = _retried(campaign, "E1", 10 * 60)
    assert day >= 2 and EVENING.start_min <= stop.arrive_min <= EVENING.end_min - 15


def test_an_evening_miss_is_retried_by_day(campaign):
    """Cadre 08:30–20:30, T1 not home at 19:00: retried 08:30–17:30 on a later day."""
    _, day, stop = _retried(campaign, "E1", 19 * 60)
    assert day >= 2 and 8 * 60 + 30 <= stop.arrive_min <= 17 * 60 + 15
