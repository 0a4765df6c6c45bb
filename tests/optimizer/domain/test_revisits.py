"""The not-home policy on one target, by hand: attempts, the other window, escalation."""

from __future__ import annotations

from optimizer.domain.codes import OutcomeStatus, Progress, TargetType
from optimizer.domain.model import Cadre, Campaign, DayRoute, Outcome, Stop, Target, Window
from optimizer.domain.revisits import coverage, other_window, planned_times, target_states
from tests.optimizer.domain.test_model import settings

S = settings()
CAMPAIGN = Campaign(
    S,
    (
        Target("T1", TargetType.HOUSEHOLD, "村", 35.0, 117.2, 15),
        Target("T2", TargetType.SHOP, "村", 35.0, 117.2, 10),
    ),
    (Cadre("C1", "刘一", 35.0, 117.2, Window(510, 1230)),),
)
NOT_HOME, VISITED = OutcomeStatus.NOT_HOME, OutcomeStatus.VISITED


def test_a_miss_is_retried_in_the_other_window():
    """Daytime miss → evening; evening miss → day."""
    assert other_window(S, 10 * 60) == S.window("evening")
    assert other_window(S, 19 * 60) == S.window("day")


def test_attempts_escalation_and_final_outcomes():
    """Three misses escalate; a visit after misses is final; progress keys follow."""
    misses = [Outcome("T1", d, NOT_HOME, 600 + d) for d in (1, 2, 3)]
    states = target_states(CAMPAIGN, misses)
    assert states["T1"].attempts == 3 and states["T1"].escalated
    assert states["T1"].progress is Progress.ESCALATED and not states["T1"].pending
    assert states["T2"].progress is Progress.PENDING and states["T2"].pending
    later = target_states(CAMPAIGN, [*misses[:2], Outcome("T1", 3, VISITED, 1100)])
    assert later["T1"].final is VISITED and not later["T1"].escalated
    assert coverage(CAMPAIGN, later) == 0.5


def test_a_miss_without_time_is_judged_by_the_planned_time():
    """No time recorded: the planned (evening) time decides the retry window (day)."""
    route = DayRoute("C1", 1, 1080, 1150, (Stop("T1", 1100, 1115, 5),))
    times = planned_times([route])
    assert times == {("T1", 1): 1100}
    state = target_states(CAMPAIGN, [Outcome("T1", 1, NOT_HOME)], times)["T1"]
    assert state.retry_window == S.window("day") and state.progress is Progress.NOT_HOME
