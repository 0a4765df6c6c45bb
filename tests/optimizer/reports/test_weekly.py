"""The weekly report's figures on the tiny town, checked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.errors import ZoufangError
from optimizer.domain.ledger import CLOSED, REGISTERED, Request, SpotCheck
from optimizer.domain.model import Outcome, Plan
from optimizer.inputs import read_campaign
from optimizer.reports.weekly import PRIORITY_GROUP, build_week_report, week_days


def request(rid, target, day, state, due, subject=1, klass=1):
    stamp = dt.datetime(2027, 3, 1, 20, 0)
    return Request(rid, target, "C1", day, klass, subject, "路灯不亮", state, "", due, stamp)


def test_weeks_run_until_the_ledger_due_date(tiny):
    """5 campaign days + the default 60-day close-out: 65 days, weeks 1–10; others refused."""
    campaign = read_campaign(tiny)
    assert week_days(campaign, 1) == (1, 7)
    assert week_days(campaign, 10) == (64, 70)
    for week in (0, 11):
        with pytest.raises(ZoufangError, match="共 10 周"):
            week_days(campaign, week)


def test_week_report_counts_only_what_happened_by_its_end(tiny):
    """Week 1 sees day 1's visit (1 of 4 targets), not day 8's; an overdue open request is
    listed, a closed one is not; the priority household counts under 重点人群."""
    campaign = read_campaign(tiny)
    outcomes = [
        Outcome("T1", 1, OutcomeStatus.VISITED, cadre_id="C1"),
        Outcome("T2", 1, OutcomeStatus.NOT_HOME, cadre_id="C1"),
        Outcome("T4", 8, OutcomeStatus.VISITED, cadre_id="C2"),
    ]
    early = dt.date(2027, 3, 2)
    requests = [
        request(1, "T1", 1, REGISTERED, early),
        request(2, "T1", 1, CLOSED, early, subject=3),
        request(3, "T4", 8, REGISTERED, early, klass=2),
    ]
    report = build_week_report(
        campaign,
        1,
        first_plan=Plan(1, ()),
        outcomes=outcomes,
        requests=requests,
        at_risk=[{"cadre_id": "C2", "missing_minutes": 30, "remedy": "加派人员"}],
        checks=[SpotCheck("T1", "C1", 1, "confirmed"), SpotCheck("T4", "C2", 1)],
    )
    assert report.coverage == pytest.approx(0.25) and report.targets == 4
    assert [v for _, _, v in report.visits_by_day] == [1, 0, 0, 0, 0]
    assert dict((k, sum(v)) for k, v in report.requests_by_class)["镇村解决"] == 2
    assert [row[0] for row in report.overdue] == [1]
    assert report.hot_groups == ((PRIORITY_GROUP, 2, 200.0),)
    assert report.hot_places == (("高桥村·1网格", 2, "居住环境"),)
    assert report.spot_checks == {"sampled": 2, "confirmed": 1, "not_confirmed": 0, "pending": 1}
    assert report.at_risk == (("C2", 30, "加派人员"),)
