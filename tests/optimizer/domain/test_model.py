"""Domain types check their invariants when built (frozen means valid, too)."""

from __future__ import annotations

import datetime as dt

import pytest

from optimizer.domain.codes import TargetType
from optimizer.domain.model import (
    Cadre,
    DayRoute,
    Policy,
    RequestCategory,
    Settings,
    Stop,
    Target,
    Window,
)


def settings(days: int = 5) -> Settings:
    return Settings("测试镇大走访", dt.date(2027, 3, 1), days, Window(510, 1230))


@pytest.mark.parametrize(
    "build",
    [
        lambda: Window(600, 600),
        lambda: Window(-1, 60),
        lambda: Window(0, 24 * 60 + 1),
        lambda: Target("T", TargetType.HOUSEHOLD, "村", 95.0, 117.0, 15),
        lambda: Target("T", TargetType.HOUSEHOLD, "村", 35.0, 117.0, -5),
        lambda: Cadre("C", "刘一", 35.0, 117.0, Window(510, 1230), minutes_per_day=0),
        lambda: Cadre("C", "刘一", 35.0, 117.0, Window(510, 1230), types=frozenset()),
        lambda: Policy(max_attempts=0),
        lambda: Policy(retry_slack=1.0),
        lambda: Policy(not_home_rate=1.0),
        lambda: Policy(not_home_rate=-0.1),
        lambda: Settings("x", dt.date(2027, 3, 1), 0, Window(510, 1230)),
        lambda: Stop("T", 600, 590, 3),
        lambda: DayRoute("C", 1, 700, 600, ()),
        lambda: RequestCategory(4, 1),
        lambda: RequestCategory(1, 8),
    ],
)
def test_invalid_values_are_refused_on_construction(build):
    """An impossible window, position, service time, policy, stop, route or request class."""
    with pytest.raises(ValueError):
        build()


def test_valid_values_and_derived_figures():
    """A valid settings object gives the campaign's dates and the ledger's due date."""
    s = settings(10)
    assert s.date_of(1) == dt.date(2027, 3, 1) and s.end_date == dt.date(2027, 3, 10)
    assert s.ledger_due == dt.date(2027, 5, 9)
    assert s.service_for(TargetType.ENTERPRISE) == 40
    assert (
        str(RequestCategory(2, 3)) == "2-3"
        and RequestCategory(2, 3).zh == "镇和市直部门联动·基本医疗"
    )
