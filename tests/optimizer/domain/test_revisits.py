"""The not-home policy on one target, by hand: attempts, the other time, escalation."""

from __future__ import annotations

from optimizer.domain.codes import OutcomeStatus, Progress, TargetType
from optimizer.domain.model import Cadre, Campaign, DayRoute, Outcome, Stop, Target, Window
from optimizer.domain.revisits import coverage, planned_times, retry_window, target_states
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
EVENING_CADRE = CAMPAIGN.cadres[0]
DAY_CADRE = Cadre("C2", "王二", 35.0, 117.2, Window(510, 1050))  # 08:30–17:30 only
T1 = CAMPAIGN.targets[0]
MORNING, AFTERNOON = Window(510, 780), Window(780, 1050)  # halves of 08:30–17:30 at 13:00


def test_an_evening_cadre_retries_a_day_miss_in_the_evening():
    """A cadre who works until 20:30: daytime miss → evening; evening miss → day."""
    assert retry_window(S, EVENING_CADRE, T1, 10 * 60) == S.window("evening")
    assert retry_window(S, EVENING_CADRE, T1, 19 * 60) == S.window("day")


def test_a_day_only_cadre_retries_in_the_other_half_of_the_day():
    """A cadre who works 08:30–17:30: morning miss → 13:00–17:30, afternoon miss → 08:30–13:00."""
    assert retry_window(S, DAY_CADRE, T1, 10 * 60) == AFTERNOON
    assert retry_window(S, DAY_CADRE, T1, 15 * 60) == MORNING
    assert retry_window(S, DAY_CADRE, T1, 13 * 60) == MORNING


def test_a_cadre_with_a_short_evening_retries_in_it_only_if_the_visit_fits():
    """Until 18:10 holds a 10-minute shop in the evening, not a 15-minute household."""
    short = Cadre("C3", "张三", 35.0, 117.2, Window(510, 1090))
    shop = CAMPAIGN.targets[1]
    assert retry_window(S, short, shop, 10 * 60) == Window(1080, 1090)
    assert retry_window(S, short, T1, 10 * 60) == Window(800, 1090)


def test_the_retry_window_is_never_empty():
    """A target open 14:00–16:00 missed in the afternoon: the morning cannot hold it, so any
    time it and the cadre allow is the retry window."""
    afternoon_only = Target(
        "T3", TargetType.HOUSEHOLD, "村", 35.0, 117.2, 15, window=Window(840, 960)
    )
    assert retry_window(S, DAY_CADRE, afternoon_only, 15 * 60) == Window(840, 960)
    cramped = Target("T4", TargetType.HOUSEHOLD, "村", 35.0, 117.2, 15, window=Window(770, 790))
    assert retry_window(S, DAY_CADRE, cramped, 10 * 60) == Window(770, 790)


def test_the_retry_window_follows_the_targets_own_cadre():
    """The same morning miss: afternoon for a day-only cadre, evening for an evening cadre,
    none without the cadre."""
    misses = [Outcome("T1", 1, NOT_HOME, 600)]
    day = target_states(CAMPAIGN, misses, cadre_of={"T1": DAY_CADRE})["T1"]
    evening = target_states(CAMPAIGN, misses, cadre_of={"T1": EVENING_CADRE})["T1"]
    assert day.retry_window == AFTERNOON and evening.retry_window == S.window("evening")
    assert target_states(CAMPAIGN, misses)["T1"].retry_window is None


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
    cadre = {"T1": EVENING_CADRE}
    state = target_states(CAMPAIGN, [Outcome("T1", 1, NOT_HOME)], times, cadre_of=cadre)["T1"]
    assert state.retry_window == S.window("day") and state.progress is Progress.NOT_HOME
