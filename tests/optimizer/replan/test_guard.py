"""The re-plan guard and the campaign clock: work a version would drop, return visits off the
clock, and the threshold that holds a re-plan."""

from __future__ import annotations

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.model import CadrePlan, DayRoute, Outcome, Plan, Stop
from optimizer.domain.revisits import target_states
from optimizer.inputs import read_campaign
from optimizer.replan.guard import dropped_work, guard_findings, guard_threshold


def route(cadre: str, day: int, *targets: str) -> DayRoute:
    stops = tuple(Stop(t, 540 + 20 * i, 555 + 20 * i, 2) for i, t in enumerate(targets))
    return DayRoute(cadre, day, 530, 700, stops, 300)


def plan(version: int, after: int, *routes: DayRoute) -> Plan:
    by: dict[str, list[DayRoute]] = {}
    for r in routes:
        by.setdefault(r.cadre_id, []).append(r)
    return Plan(version, tuple(CadrePlan(c, tuple(rs)) for c, rs in by.items()), after_day=after)


def test_dropped_work_is_pending_scheduled_targets_without_a_day(tiny):
    """T2 (still pending) loses its day; T1 was visited, T3 keeps a day: only T2 is dropped."""
    campaign = read_campaign(tiny)
    base = plan(1, 0, route("C1", 1, "T1", "T2"), route("C2", 2, "T3"))
    new = plan(2, 1, route("C2", 3, "T3"))
    states = target_states(campaign, [Outcome("T1", 1, OutcomeStatus.VISITED)])
    assert [(d.cadre_id, d.target_ids) for d in dropped_work(base, new, states)] == [
        ("C1", ("T2",))
    ]


def test_the_guard_holds_only_when_many_cadres_lose_work(tiny):
    """One cadre of three losing work is an ordinary night; all three is held, with findings."""
    campaign = read_campaign(tiny)
    base = plan(1, 0, route("C1", 2, "T1"), route("C2", 2, "T2", "T3"), route("C3", 2, "T4"))
    states = target_states(campaign, [])
    assert (
        guard_findings(
            base, plan(2, 1, route("C2", 3, "T2", "T3"), route("C3", 3, "T4")), states, 1
        )
        is None
    )
    found = guard_findings(base, plan(2, 8), states, 8)
    assert found["cadres"] == 3 and found["targets"] == 4 and found["today"] == 8
    assert guard_threshold(22) == 5 and guard_threshold(3) == 3


def test_return_visits_are_no_attempt_of_the_campaign(tiny):
    """A 回访 not at home on day 20 counts no attempt and does not end a visit."""
    campaign = read_campaign(tiny)
    states = target_states(
        campaign,
        [
            Outcome("T1", 1, OutcomeStatus.VISITED),
            Outcome("T1", 20, OutcomeStatus.NOT_HOME, satisfied=False),
            Outcome("T2", 20, OutcomeStatus.VISITED, satisfied=True),
        ],
    )
    assert states["T1"].final is OutcomeStatus.VISITED and states["T1"].attempts == 0
    assert states["T2"].pending
