"""Retries in the route model, by hand: a full retry window falls back, retries dropped last."""

from __future__ import annotations

from optimizer.domain.codes import TargetType
from optimizer.domain.model import Cadre, Target, Window
from optimizer.route.parallel import solve_cadre
from optimizer.route.problem import REASON_CAPACITY, build_problem
from optimizer.travel import travel_model
from tests.optimizer.domain.test_model import settings

BASE = (35.0, 117.2)
AFTERNOON = Window(780, 1050)  # 13:00–17:30, the second half of 08:30–17:30


def _cadre(minutes_per_day: int) -> Cadre:
    return Cadre("C1", "刘一", *BASE, Window(510, 1050), minutes_per_day=minutes_per_day)


def _target(target_id: str, service: int, lat: float = BASE[0], window=None) -> Target:
    return Target(target_id, TargetType.HOUSEHOLD, "村", lat, BASE[1], service, window=window)


def _problem(cadre, targets, retry_windows, days=1):
    s = settings(days)
    return build_problem(cadre, targets, s, travel_model(s.travel), retry_windows=retry_windows)


def _placed(plan):
    return {s.target_id: s for r in plan.routes for s in r.stops}


def test_a_retry_in_a_window_with_room_stays_in_it():
    """One morning miss, an empty afternoon: the retry is served in 13:00–17:30."""
    p = _problem(_cadre(240), [_target("R", 15)], {"R": AFTERNOON})
    assert p.windows == (AFTERNOON,) and p.fallback == (("R", Window(510, 1050)),)
    stop = _placed(solve_cadre(p, 0.2))["R"]
    assert AFTERNOON.start_min <= stop.arrive_min <= AFTERNOON.end_min - 15


def test_a_retry_whose_window_is_full_is_still_routed():
    """Nine afternoon-only visits of 30 min fill 13:00–17:30 on the one day left; the retry,
    wanted in the afternoon too, is served in the morning rather than left out."""
    firsts = [_target(f"F{i}", 30, window=AFTERNOON) for i in range(9)]
    p = _problem(_cadre(540), [*firsts, _target("R", 15)], {"R": AFTERNOON})
    plan = solve_cadre(p, 0.5)
    placed = _placed(plan)
    assert not plan.unscheduled and set(placed) == {*(t.id for t in firsts), "R"}
    assert placed["R"].arrive_min + 15 <= AFTERNOON.start_min


def test_a_first_visit_is_dropped_before_a_retry_when_the_deadline_is_short():
    """70 minutes on the last day hold one of two 40-minute visits: the retry (2 km away) is
    kept and the first visit at the base is the one left out."""
    first = _target("F", 40)
    retry = _target("R", 40, lat=BASE[0] + 0.018)
    p = _problem(_cadre(70), [first, retry], {"R": Window(510, 1050)})
    assert p.retries == frozenset({"R"})
    plan = solve_cadre(p, 0.3)
    assert set(_placed(plan)) == {"R"}
    assert [(u.target_id, u.reason) for u in plan.unscheduled] == [("F", REASON_CAPACITY)]


def test_first_visits_are_not_dropped_two_for_one_retry():
    """Room for two first visits or for one retry (each farther): two first visits stay."""
    firsts = [_target("F1", 30), _target("F2", 30)]
    retry = _target("R", 50, lat=BASE[0] + 0.005)
    p = _problem(_cadre(60), [*firsts, retry], {"R": Window(510, 1050)})
    plan = solve_cadre(p, 0.3)
    assert set(_placed(plan)) == {"F1", "F2"}
