"""The weekly report's figures on the tiny town, checked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.errors import InvalidInputError
from optimizer.domain.ledger import CLOSED, REGISTERED, Request, SpotCheck
from optimizer.domain.model import Outcome
from optimizer.inputs import read_campaign
from optimizer.reports.weekly import PRIORITY_GROUP, build_week_report, week_days


def request(rid, target, day, state, due, subject=1, klass=1):
    stamp = dt.datetime(2027, 3, 1, 20, 0)
    return Request(rid, target, "C1", day, klass, subject, "路灯不亮", state, "", due, stamp)


def test_weeks_are_the_visiting_weeks_that_have_begun(tiny):
    """A 5-day campaign has one week; week 2 is refused, and so is week 1 before any night."""
    campaign = read_campaign(tiny)
    assert week_days(campaign, 1, last_night=1) == (1, 5)
    with pytest.raises(InvalidInputError, match="不在走访期内（共 5 天，1 周）"):
        week_days(campaign, 2, last_night=5)
    with pytest.raises(InvalidInputError, match="还没有开始"):
        week_days(campaign, 1, last_night=0)


def test_week_report_says_what_is_known_and_nothing_more(tiny):
    """After day 1 only: 截至 day 1 (not the week's end), no zero rows for days 2–5; day 8 is
    not counted; an overdue open request is listed, a closed one is not; 办结率 counts the
    resolved; per cadre: area, done, week visits, requests; silent cadres by day."""
    campaign = read_campaign(tiny)
    outcomes = [
        Outcome("T1", 1, OutcomeStatus.VISITED, cadre_id="C1"),
        Outcome("T2", 1, OutcomeStatus.NOT_HOME, cadre_id="C1"),
        Outcome("T4", 8, OutcomeStatus.VISITED, cadre_id="C2"),
    ]
    early = dt.date(2027, 3, 1)
    requests = [
        request(1, "T1", 1, REGISTERED, early),
        request(2, "T1", 1, CLOSED, early, subject=3),
        request(3, "T4", 8, REGISTERED, early, klass=2),
    ]
    owner = {"T1": "C1", "T2": "C1", "T3": "C1", "T4": "C2"}
    silent = [{"day": 1, "cadres": [{"cadre_id": "C2", "name": "陈*", "planned": 1}]}]
    report = build_week_report(
        campaign,
        1,
        last_night=1,
        planned={1: {"C1": 2, "C2": 1}},
        outcomes=outcomes,
        requests=requests,
        owner=owner,
        at_risk=[{"cadre_id": "C2", "missing_minutes": 30, "remedy": "加派人员"}],
        checks=[SpotCheck("T1", "C1", 1, "confirmed"), SpotCheck("T4", "C2", 1, "no_answer")],
        silent=silent,
    )
    assert report.data_day == 1 and report.report_date == "2027年3月1日"
    assert report.visits_by_day == (("3月1日", 3, 1),)
    assert report.coverage == pytest.approx(0.25) and report.targets == 4
    assert dict((k, sum(v)) for k, v in report.requests_by_class)["镇村解决"] == 2
    assert report.closing["requests"] == 2 and report.closing["done_rate"] == pytest.approx(0.5)
    assert [row[0] for row in report.overdue] == []  # due 1 March, reported on 1 March
    assert report.hot_groups == ((PRIORITY_GROUP, 2, 200.0),)
    assert report.hot_places == (("高桥村·1网格", 2, "居住环境"),)
    assert report.spot_checks["no_answer"] == 1 and report.spot_checks["confirmed"] == 1
    assert report.at_risk == (("C2", 30, "加派人员"),)
    c1 = next(r for r in report.cadres if r[0].endswith("（C1）"))
    assert c1[1:] == (3, 1, "33%", 1, 1, 2, 0)
    assert report.silent == (("2027年3月1日", "陈*（C2）"),)


def test_unclassified_requests_have_their_row(tiny):
    """A request filed as 待分类 is counted in its own row of the class table."""
    campaign = read_campaign(tiny)
    report = build_week_report(
        campaign,
        1,
        last_night=1,
        planned={},
        outcomes=[Outcome("T1", 1, OutcomeStatus.VISITED, cadre_id="C1")],
        requests=[request(1, "T1", 1, REGISTERED, dt.date(2027, 5, 1), subject=0, klass=0)],
        owner={"T1": "C1", "T2": "C1", "T3": "C1", "T4": "C2"},
        at_risk=[],
        checks=[],
    )
    assert dict(report.requests_by_class)["待分类"] == (0, 0, 0, 0, 0, 0, 1)
    assert report.hot_places == (("高桥村·1网格", 1, "待分类"),)
