"""Retry slack per cadre and for the town, on a hand-checkable town.

Every household is at one point, so its travel share is 0 and a retry costs its 15 minutes of
service; the campaign has 5 days, a 15 % goal, a not-home rate of 0.2 and 3 attempts, so each
planned target is expected to need 0.2 + 0.04 = 0.24 retries.
"""

from __future__ import annotations

import datetime as dt

import pytest

from optimizer.domain.codes import TargetType
from optimizer.domain.model import (
    Cadre,
    CadrePlan,
    Campaign,
    DayRoute,
    Plan,
    Settings,
    Stop,
    Target,
    Unscheduled,
    Window,
)
from optimizer.reports.slack import (
    REMEDY_CADRE,
    REMEDY_EVENING,
    REMEDY_MINUTES,
    expected_retries,
    slack_report,
)
from optimizer.route.problem import REASON_CAPACITY, REASON_WINDOW

DAY = Window(510, 1050)  # 08:30-17:30
MORNING = Window(510, 750)  # 08:30-12:30
WHOLE_DAY = Window(510, 1230)  # 08:30-20:30: works evenings


def _campaign(cadres: list[Cadre], targets: int = 60) -> Campaign:
    settings = Settings("测试镇大走访", dt.date(2027, 3, 1), 5, WHOLE_DAY)
    homes = tuple(
        Target(f"T{i:02d}", TargetType.HOUSEHOLD, "高桥村", 35.0, 117.2, 15) for i in range(targets)
    )
    return Campaign(settings, homes, tuple(cadres))


def _cadre(cadre_id: str, window: Window, minutes: int = 240, off: tuple = ()) -> Cadre:
    return Cadre(cadre_id, "刘一明", 35.0, 117.2, window, minutes_per_day=minutes, off_days=off)


def _days(cadre_id: str, minutes: list[int], targets: list[list[str]]) -> tuple[DayRoute, ...]:
    """Routes of days 1, 2, … lasting ``minutes``, with those targets as stops."""
    return tuple(
        DayRoute(
            cadre_id,
            day,
            510,
            510 + length,
            tuple(Stop(t, 520 + 15 * k, 535 + 15 * k, 0) for k, t in enumerate(ids)),
        )
        for day, (length, ids) in enumerate(zip(minutes, targets, strict=True), start=1)
    )


def _ids(start: int, count: int) -> list[str]:
    return [f"T{i:02d}" for i in range(start, start + count)]


def test_expected_retries_stop_with_the_attempts():
    """p + p² while attempts are left: 0.24 for a new target, 0.2 after one miss, 0 after two."""
    assert expected_retries(0.2, 3) == pytest.approx(0.24)
    assert expected_retries(0.2, 3, attempts=1) == pytest.approx(0.2)
    assert expected_retries(0.2, 3, attempts=2) == 0
    assert expected_retries(0.2, 1) == 0  # the first miss escalates


def test_a_cadre_with_room_keeps_the_goal():
    """240 × 5 = 1,200 minutes, one 60-minute day used: 1,140 left (95 %), above the goal of
    180; 4 targets expect 0.96 retries; 1,140 ÷ 15 = 76 retries fit; no remedy."""
    campaign = _campaign([_cadre("C1", DAY)])
    plan = Plan(1, (CadrePlan("C1", _days("C1", [60], [_ids(0, 4)])),))
    (c1,) = slack_report(campaign, plan).cadres
    assert (c1.capacity_minutes, c1.workload_minutes, c1.slack_minutes) == (1200, 60, 1140)
    assert c1.goal_minutes == 180 and c1.slack_share == pytest.approx(0.95)
    assert c1.retries_expected == pytest.approx(0.96) and c1.retries_absorbable == 76
    assert c1.kept and c1.missing_minutes == 0 and c1.remedy is None


def test_a_short_cadre_is_asked_for_minutes_a_day():
    """Five 220-minute days of 240: 100 minutes left, 80 short of 180 → 16 more minutes on
    each of 5 days (inside the 08:30-17:30 window); 100 ÷ 15 = 6 retries fit, 20 × 0.24 = 4.8
    are expected."""
    campaign = _campaign([_cadre("C2", DAY)])
    routes = _days("C2", [220] * 5, [_ids(4 * d, 4) for d in range(5)])
    (c2,) = slack_report(campaign, Plan(1, (CadrePlan("C2", routes),))).cadres
    assert (c2.slack_minutes, c2.missing_minutes, c2.kept) == (100, 80, False)
    assert c2.retries_absorbable == 6 and c2.retries_expected == pytest.approx(4.8)
    assert c2.remedy is not None
    assert (c2.remedy.kind, c2.remedy.amount) == (REMEDY_MINUTES, 16)
    assert "每日增加约 16 分钟" in c2.remedy.text


def test_the_expected_retries_set_the_goal_when_they_need_more_than_the_share():
    """60 targets on five 200-minute days of 240: 200 minutes left (17 %), more than the share's
    180; but 60 × 0.24 = 14.4 retries of 15 minutes need 216: that is the goal, 16 short, and
    200 ÷ 15 = 13 retries fit, fewer than expected → 4 more minutes a day."""
    campaign = _campaign([_cadre("C6", DAY)])
    routes = _days("C6", [200] * 5, [_ids(12 * d, 12) for d in range(5)])
    (c6,) = slack_report(campaign, Plan(1, (CadrePlan("C6", routes),))).cadres
    assert c6.slack_minutes == 200 and c6.retries_expected == pytest.approx(14.4)
    assert (c6.goal_minutes, c6.missing_minutes, c6.kept) == (216, 16, False)
    assert c6.retries_absorbable == 13 < c6.retries_expected
    assert c6.remedy is not None and (c6.remedy.kind, c6.remedy.amount) == (REMEDY_MINUTES, 4)


def test_a_cadre_whose_window_is_full_is_offered_an_evening():
    """A morning cadre (08:30-12:30, 240 minutes: no minute more fits the window) with 50 of
    1,200 minutes left is 130 short: one evening of 18:00-20:30 (150 minutes) covers it."""
    campaign = _campaign([_cadre("C3", MORNING)])
    routes = _days("C3", [230] * 5, [_ids(4 * d, 4) for d in range(5)])
    (c3,) = slack_report(campaign, Plan(1, (CadrePlan("C3", routes),))).cadres
    assert (c3.slack_minutes, c3.missing_minutes) == (50, 130)
    assert c3.remedy is not None
    assert (c3.remedy.kind, c3.remedy.amount) == (REMEDY_EVENING, 1)
    assert "18:00-20:30" in c3.remedy.text


def test_a_cadre_far_over_is_given_another_cadre():
    """20 targets did not fit (20 × 15 = 300 minutes), though each 230-minute day leaves 10 of
    240 (too scattered to use): slack -300, 480 short = 96 a day (over the hour a day one may
    ask), and this cadre already works evenings: one more cadre. Targets set aside for their
    window count neither minutes nor retries."""
    campaign = _campaign([_cadre("C4", WHOLE_DAY)])
    late = tuple(Unscheduled(t, "C4", REASON_CAPACITY) for t in _ids(20, 20))
    aside = (Unscheduled("T59", "C4", REASON_WINDOW),)
    routes = _days("C4", [230] * 5, [_ids(4 * d, 4) for d in range(5)])
    (c4,) = slack_report(campaign, Plan(1, (CadrePlan("C4", routes, late + aside),))).cadres
    assert (c4.workload_minutes, c4.slack_minutes, c4.missing_minutes) == (1500, -300, 480)
    assert c4.retries_absorbable == 0 and c4.retries_expected == pytest.approx(40 * 0.24)
    assert c4.remedy is not None
    assert (c4.remedy.kind, c4.remedy.amount) == (REMEDY_CADRE, 1)


def test_a_replan_counts_the_days_left_and_the_attempts_spent():
    """After day 3 of 5, with day 4 off, one day is left: 240 minutes, goal 36. The 4 stops
    include a target missed once (0.2 more retries expected) and one missed twice (none)."""
    campaign = _campaign([_cadre("C5", DAY, off=(4,))])
    route = DayRoute("C5", 5, 510, 610, tuple(Stop(t, 520, 535, 0) for t in _ids(0, 4)))
    plan = Plan(3, (CadrePlan("C5", (route,)),), after_day=3)
    (c5,) = slack_report(campaign, plan, attempts={"T00": 1, "T01": 2}).cadres
    assert (c5.capacity_minutes, c5.workload_minutes, c5.goal_minutes) == (240, 100, 36)
    assert c5.days_left == 1 and c5.kept
    assert c5.retries_expected == pytest.approx(0.2 + 0 + 0.24 + 0.24)


def test_the_town_sums_its_cadres():
    """The town's minutes and retries are its cadres' sums; one of the two is short; a cadre
    with nothing planned keeps all its minutes and expects no retries."""
    campaign = _campaign([_cadre("C1", DAY), _cadre("C2", DAY)])
    routes = _days("C2", [220] * 5, [_ids(4 * d, 4) for d in range(5)])
    report = slack_report(campaign, Plan(1, (CadrePlan("C2", routes),)))
    town = report.town
    assert (town.capacity_minutes, town.workload_minutes, town.slack_minutes) == (2400, 1100, 1300)
    assert town.goal_minutes == 360 and town.cadres_short == 1
    assert town.retries_absorbable == 1200 // 15 + 6
    assert town.retries_expected == pytest.approx(4.8)
    assert [c.cadre_id for c in report.short] == ["C2"]
    assert (report.goal_share, report.not_home_rate) == (0.15, 0.2)
