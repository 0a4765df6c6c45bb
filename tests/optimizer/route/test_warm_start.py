"""The tour-and-split warm start on tiny hand-made days with evening targets."""

from __future__ import annotations

import itertools

import numpy as np

from optimizer.domain.codes import TargetType
from optimizer.domain.model import Cadre, Target, Window
from optimizer.route.problem import RouteProblem
from optimizer.route.warm_start import (
    SplitArrays,
    _piece_order,
    _piece_travels,
    split_tour,
    travel_if_fits,
)

DAY = Window(8 * 60 + 30, 20 * 60 + 30)
EVENING = Window(18 * 60, 20 * 60 + 30)


def _street(evening: list[bool], minutes_per_day: int = 300, days: int = 1) -> RouteProblem:
    """Targets one minute apart along a street from the base; some at home in the evening."""
    n = len(evening)
    x = np.arange(n + 1)
    seconds = np.abs(x[:, None] - x[None, :]) * 60
    targets = tuple(
        Target(f"T{i}", TargetType.HOUSEHOLD, "村", 35.0, 117.0 + i / 1000, 15)
        for i in range(1, n + 1)
    )
    cadre = Cadre("C1", "干部", 35.0, 117.0, DAY, minutes_per_day=minutes_per_day)
    return RouteProblem(
        cadre=cadre,
        days=tuple(range(1, days + 1)),
        targets=targets,
        windows=tuple(EVENING if e else DAY for e in evening),
        travel_s=seconds,
        travel_min=seconds // 60,
    )


def test_evening_group_runs_back_along_the_piece():
    """Day visits go out along the street, evening visits come back along it."""
    p = _street([False, True, False, True, False, True])
    a = SplitArrays(p)
    order = _piece_order(a, [1, 2, 3, 4, 5, 6])
    assert order == [1, 3, 5, 6, 4, 2]
    # Out to the far end and back: twice the street, no second crossing.
    assert travel_if_fits(a, order) == 2 * 6 * 60


def test_prefix_travels_match_the_piece_order():
    """The split's cheap prefix travels equal the travel of each prefix in piece order."""
    p = _street([True, False, True, True, False, False, True])
    a = SplitArrays(p)
    tour = [3, 1, 7, 5, 2, 6, 4]
    travels = _piece_travels(a, tour)
    for k in range(1, len(tour) + 1):
        order = _piece_order(a, tour[:k])
        path = [0, *order, 0]
        assert travels[k - 1] == sum(int(p.travel_s[x, y]) for x, y in itertools.pairwise(path))


def test_split_keeps_every_target_once_within_the_days():
    """The cut visits every target once, each day within its minutes and windows."""
    p = _street([i % 3 == 0 for i in range(12)], minutes_per_day=120, days=4)
    pieces = split_tour(p, list(range(1, 13)), day_cost=600)
    assert pieces is not None and len(pieces) <= 4
    assert sorted(n for piece in pieces for n in piece) == list(range(1, 13))
    a = SplitArrays(p)
    assert all(travel_if_fits(a, piece) is not None for piece in pieces)
