"""A simulated cadre's day: the planned list on time, then only their own next stops that fit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.domain.codes import TargetType
from optimizer.domain.model import Cadre, DayRoute, Stop, Target, Window
from optimizer.sample.workday import candidates, walk_day

EVENING = Window(18 * 60, 20 * 60 + 30)
LEG = 5  # minutes between any two places, the base included


def _target(i: int, window: Window | None = None, service: int = 15) -> Target:
    return Target(f"T{i}", TargetType.HOUSEHOLD, "高桥村", 36.0, 117.0, service, window=window)


def _cadre(end_min: int = 17 * 60 + 30, minutes_per_day: int = 100) -> Cadre:
    return Cadre(
        "C1", "张三", 36.0, 117.0, Window(8 * 60 + 30, end_min), minutes_per_day=minutes_per_day
    )


def _route(day: int, targets: list[Target], start_min: int = 8 * 60 + 30) -> DayRoute:
    """Stops back to back, LEG minutes apart, as the planner would give them."""
    stops, clock = [], start_min
    for t in targets:
        arrive = clock + LEG
        stops.append(Stop(t.id, arrive, arrive + t.service_minutes, LEG))
        clock = arrive + t.service_minutes
    return DayRoute("C1", day, start_min, clock + LEG, tuple(stops))


def _legs(a, b) -> int:
    return 0 if a == b else LEG


def _walk(today, later, targets, cadre, home):
    index = {t.id: t for t in targets}
    ahead = candidates(cadre, later, index, EVENING)
    return walk_day(today, cadre, index, ahead, _legs, home, 3, EVENING)


def test_everyone_home_goes_on_with_what_fits():
    """Planned stops at their planned times, then the next day's first stop that still lets the
    cadre be back within minutes_per_day (08:30 + 100 min): D fits (09:35–09:50, home 09:55),
    E would end 10:10 and be home 10:15."""
    targets = [_target(i) for i in range(6)]
    today, later = _route(1, targets[:3]), [_route(2, targets[3:])]
    attempts = _walk(today, later, targets, _cadre(), lambda t, m: True)
    assert [a.target_id for a in attempts] == ["T0", "T1", "T2", "T3"]
    assert [a.start_min for a in attempts[:3]] == [s.arrive_min for s in today.stops]
    assert [a.ahead for a in attempts] == [False, False, False, True]


def test_misses_free_minutes_for_more():
    """Nobody home at the first two doors (3 minutes each instead of 15): the list is done 24
    minutes early, and two more stops (20 minutes each with the way) fit before 10:10."""
    targets = [_target(i) for i in range(7)]
    today, later = _route(1, targets[:3]), [_route(2, targets[3:])]
    attempts = _walk(today, later, targets, _cadre(), lambda t, m: t not in ("T0", "T1"))
    assert [a.target_id for a in attempts] == ["T0", "T1", "T2", "T3", "T4"]
    assert attempts[1].start_min == 8 * 60 + 30 + LEG + 3 + LEG  # served early, not waiting


def test_evening_stop_waits_for_the_evening():
    """A stop the plan put in the evening is not taken by day, even with time to spare."""
    cadre = _cadre(end_min=20 * 60 + 30, minutes_per_day=720)
    targets = [_target(0), _target(1)]
    later = DayRoute("C1", 2, 18 * 60, 18 * 60 + 30, (Stop("T1", 18 * 60 + 5, 18 * 60 + 20, 5),))
    attempts = _walk(_route(1, targets[:1]), [later], targets, cadre, lambda t, m: True)
    assert attempts[-1].target_id == "T1" and attempts[-1].start_min >= EVENING.start_min


def test_only_the_next_planned_days():
    """Work ahead looks at the next two days with stops, not the whole campaign."""
    targets = [_target(i) for i in range(3)]
    later = [_route(d, [t]) for d, t in zip((7, 2, 5), targets, strict=True)]
    ahead = candidates(_cadre(), later, {t.id: t for t in targets}, EVENING)
    assert [c.target.id for c in ahead] == ["T1", "T2"]  # days 2 and 5


@settings(max_examples=60, deadline=None)
@given(
    today=st.integers(1, 6),
    later=st.integers(0, 8),
    services=st.lists(st.sampled_from([10, 15, 30, 40]), min_size=14, max_size=14),
    home=st.lists(st.booleans(), min_size=14, max_size=14),
    minutes_per_day=st.integers(60, 300),
    evening_share=st.integers(0, 3),
)
def test_rules_hold_on_any_day(today, later, services, home, minutes_per_day, evening_share):
    """Every planned stop is attempted once, in order, no later than planned; extra doors are
    the cadre's own later stops; each visit ends inside its window; the cadre is back in time."""
    cadre = _cadre(end_min=20 * 60 + 30, minutes_per_day=max(minutes_per_day, 40 * today))
    windows = [EVENING if i % 4 < evening_share and i >= today else None for i in range(14)]
    targets = [_target(i, windows[i], services[i]) for i in range(today + later)]
    planned = _route(1, targets[:today])
    rest = [t for t in targets[today:] if t.window is None]
    night = [t for t in targets[today:] if t.window is not None]
    routes = [_route(2, rest)] if rest else []
    if night:
        routes.append(_route(3, night, start_min=EVENING.start_min))
    answers = dict(zip([t.id for t in targets], home, strict=False))
    attempts = _walk(planned, routes, targets, cadre, lambda t, m: answers[t])
    index = {t.id: t for t in targets}
    own = [a for a in attempts if not a.ahead]
    assert [a.target_id for a in own] == [s.target_id for s in planned.stops]
    assert all(a.start_min <= s.arrive_min for a, s in zip(own, planned.stops, strict=True))
    assert len({a.target_id for a in attempts}) == len(attempts)
    later_ids = {s.target_id for r in routes for s in r.stops}
    assert {a.target_id for a in attempts if a.ahead} <= later_ids
    end = cadre.window.end_min
    limit = min(end, planned.start_min + cadre.minutes_per_day)
    clock = planned.start_min
    for a in attempts:
        t = index[a.target_id]
        window = t.window or cadre.window
        assert a.start_min >= max(clock, window.start_min)
        clock = a.start_min + (t.service_minutes if answers[t.id] else 3)
        if a.ahead:
            assert a.start_min + t.service_minutes <= window.end_min
    if any(a.ahead for a in attempts):
        assert clock + LEG <= limit


@pytest.mark.parametrize("seed", [1, 2])
def test_work_ahead_in_the_field(tmp_path, seed):
    """A simulated day with work ahead: only a cadre's own targets, each at most once, every
    planned stop of a present cadre tried, and more doors than the list alone."""
    from optimizer.assign import assign_areas
    from optimizer.inputs import read_campaign
    from optimizer.replan import plan_routes
    from optimizer.sample import generate_sample, write_sample
    from optimizer.sample.field import Field, simulate_day

    folder = write_sample(tmp_path / "town", generate_sample("chaihudian", 300, seed))
    campaign = read_campaign(folder)
    assignment = assign_areas(campaign, seed=seed)
    plan = plan_routes(campaign, assignment, time_limit_s=0.05, seed=seed, workers=1)
    owner = {t: a.cadre_id for a in assignment.areas for t in a.target_ids}
    field = Field(not_home=0.3, absent=0.0, work_ahead=True)
    ahead = simulate_day(campaign, plan, 1, field, seed)
    strict = simulate_day(campaign, plan, 1, Field(not_home=0.3, absent=0.0), seed)
    assert all(owner[o.target_id] == o.cadre_id for o in ahead)
    assert len({o.target_id for o in ahead}) == len(ahead)
    assert {o.target_id for o in strict} <= {o.target_id for o in ahead}
    assert len(ahead) > len(strict)
