"""The 周调度 page's charts: a share is drawn against 100 %, counts against the largest."""

from __future__ import annotations

import re

import pytest

from optimizer.domain.codes import SUBJECT_ZH
from optimizer.outputs.weekly import CANVAS, LEFT, render_html
from optimizer.reports.weekly import WeekReport

REPORT = WeekReport(
    campaign="测试大走访",
    week=1,
    first_day=1,
    last_day=7,
    data_day=2,
    report_date="2027年3月2日",
    coverage=0.3,
    targets=20,
    visits_by_day=(("3月1日", 10, 8), ("3月2日", 10, 5)),
    coverage_by_village=(("高桥村", 0.35, 10), ("杨桥村", 0.25, 10)),
    cadres=(("刘*明（C1）", 20, 6, "30%", 6, 1, 2, 0),),
    requests_by_class=(("镇村解决", (1, 0, 0, 0, 0, 0, 1)),),
    subjects=tuple(SUBJECT_ZH.values()),
    closing={"requests": 2, "done": 1, "closed": 0, "done_rate": 0.5, "closed_rate": 0.0},
    hot_places=(("高桥村·1网格", 2, "居住环境"),),
    spot_checks={"sampled": 0, "confirmed": 0, "not_confirmed": 0, "pending": 0},
)
FULL = CANVAS - LEFT - 40  # a full-width bar


def bar_widths(svg: str) -> list[float]:
    """The widths of the chart's bars (legend swatches are 10 wide and come last)."""
    return [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)]


def test_coverage_bars_are_shares_of_the_whole():
    """35 % and 25 % coverage are 35 % and 25 % of the bar's width, not 100 % and 71 %."""
    charts = re.findall(r"<svg.*?</svg>", render_html(REPORT), re.S)
    assert len(charts) == 3
    coverage = bar_widths(charts[1])[:2]
    assert coverage == pytest.approx([FULL * 0.35, FULL * 0.25], abs=0.05)
    visits = bar_widths(charts[0])[:4]  # planned 10, visited 8; planned 10, visited 5
    assert visits == pytest.approx([FULL, FULL * 0.8, FULL, FULL * 0.5], abs=0.05)
