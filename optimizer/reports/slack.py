"""Retry slack: how much of each cadre's time the plan leaves for not-home retries, and the remedy.

DESIGN §5: the hard rules use all of every cadre's minutes; keeping ``[policy].retry_slack``
of them free is a goal. When it cannot be kept the plan stands, and this report says so: per
cadre and for the town, the slack left, how many retries it absorbs at the expected not-home
rate (``[policy].not_home_rate``), and the remedy.

The figures are the plan's, not the assignment's estimate: the assignment estimates the whole
campaign once, while after a night the question is whether the *days left* have room, and the
routes are what the cadre will walk. So capacity is the cadre's minutes on each working day the
plan covers (at most the length of their window, which a route never leaves), and the workload
is the day routes' minutes (base to base, waiting and commute included, as the hard rule counts
them). A cadre with targets the plan could not fit in time has no usable slack, whatever minutes
its routes leave (the route search would have used them): its workload is the capacity plus the
estimate (service + travel share) of those targets, the minutes ``at_risk`` says are missing.
Slack is pooled over the days left; a few minutes free on each day may in truth fit no retry.

A target planned now is missed with probability p (the not-home rate) and retried while it has
attempts left; after ``max_attempts`` misses it is escalated, not retried. So it is expected to
need p + p² + … + p^(max_attempts − 1 − attempts spent) more visits. A retry costs the target's
service plus its travel share (``workload.travel_share_minutes``); the slack ÷ the mean of that
over the cadre's targets is the number of retries it absorbs. The goal is the larger of the
kept share and the minutes the expected retries need: a cadre keeping 15 % free at a high load
can still lack room for its retries. Slack never moves between cadres (一访到底), so the town's
figures are sums of the cadres'.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from optimizer.domain.defaults import EXTRA_MINUTES_PER_DAY_LIMIT
from optimizer.domain.model import Cadre, CadrePlan, Campaign, Plan, Settings
from optimizer.route.problem import REASON_CAPACITY
from optimizer.workload import travel_share_minutes

REMEDY_MINUTES = "minutes"  # more minutes a day
REMEDY_EVENING = "evening"  # evening sessions (the cadre does not work evenings now)
REMEDY_CADRE = "cadre"  # another cadre to share the area's work


@dataclass(frozen=True, slots=True)
class Remedy:
    kind: str  # REMEDY_MINUTES | REMEDY_EVENING | REMEDY_CADRE
    amount: int  # minutes a day | evenings | cadres
    text: str


@dataclass(frozen=True, slots=True)
class CadreSlack:
    """One cadre's retry slack over the days the plan covers."""

    cadre_id: str
    capacity_minutes: int
    workload_minutes: int
    goal_minutes: int  # retry_slack × capacity, or the expected retries' minutes when more
    days_left: int
    retries_expected: float
    retries_absorbable: int
    remedy: Remedy | None = None  # for a cadre short of the goal

    @property
    def slack_minutes(self) -> int:
        """Negative when targets did not fit in time (the cadre is also at risk)."""
        return self.capacity_minutes - self.workload_minutes

    @property
    def slack_share(self) -> float:
        return self.slack_minutes / self.capacity_minutes if self.capacity_minutes else 0.0

    @property
    def missing_minutes(self) -> int:
        return max(0, self.goal_minutes - self.slack_minutes)

    @property
    def kept(self) -> bool:
        return self.missing_minutes == 0


@dataclass(frozen=True, slots=True)
class TownSlack:
    capacity_minutes: int
    workload_minutes: int
    goal_minutes: int
    retries_expected: float
    retries_absorbable: int
    cadres_short: int

    @property
    def slack_minutes(self) -> int:
        return self.capacity_minutes - self.workload_minutes

    @property
    def slack_share(self) -> float:
        return self.slack_minutes / self.capacity_minutes if self.capacity_minutes else 0.0


@dataclass(frozen=True, slots=True)
class SlackReport:
    goal_share: float  # [policy].retry_slack
    not_home_rate: float
    town: TownSlack
    cadres: tuple[CadreSlack, ...]  # the campaign's order

    @property
    def short(self) -> tuple[CadreSlack, ...]:
        """The cadres short of the goal, most minutes missing first."""
        short = [c for c in self.cadres if not c.kept]
        return tuple(sorted(short, key=lambda c: (-c.missing_minutes, c.cadre_id)))


def expected_retries(rate: float, max_attempts: int, attempts: int = 0) -> float:
    """Retries one planned target is expected to need: p + p² + … while attempts are left."""
    return sum(rate**k for k in range(1, max_attempts - attempts))


def daily_minutes(cadre: Cadre) -> int:
    """Minutes the cadre can visit on a working day: a route stays inside their window."""
    return min(cadre.minutes_per_day, cadre.window.length_min)


def _remedy(settings: Settings, cadre: Cadre, missing: int, days: int) -> Remedy:
    """The plausible ask for ``missing`` minutes over ``days``: a little more each day (at most
    ``EXTRA_MINUTES_PER_DAY_LIMIT``, inside the cadre's window), else evenings for a cadre who
    works none (when people missed by day are home), else another cadre."""
    per_day = math.ceil(missing / days) if days else missing
    daily = daily_minutes(cadre)
    fits = daily + per_day <= cadre.window.length_min
    if days and per_day <= EXTRA_MINUTES_PER_DAY_LIMIT and fits:
        return Remedy(REMEDY_MINUTES, per_day, f"每日增加约 {per_day} 分钟（剩余 {days} 个走访日）")
    evening = settings.window("evening")
    if days and evening is not None and evening.intersect(cadre.window) is None:
        evenings = math.ceil(missing / evening.length_min)
        if evenings <= days:
            return Remedy(
                REMEDY_EVENING,
                evenings,
                f"安排 {evenings} 个晚间走访（{evening}，未遇的户晚间多在家）",
            )
    helpers = max(1, math.ceil(missing / max(1, daily * days)))
    return Remedy(
        REMEDY_CADRE,
        helpers,
        f"增派 {helpers} 名人员分担约 {missing} 分钟（每日需多 {per_day} 分钟，难以做到）",
    )


def _cadre_slack(
    campaign: Campaign,
    cadre: Cadre,
    cp: CadrePlan | None,
    after_day: int,
    cost: Mapping[str, float],
    town_cost: float,
    attempts: Mapping[str, int],
) -> CadreSlack:
    settings, policy = campaign.settings, campaign.settings.policy
    days = len(cadre.work_days(settings.days, after_day))
    capacity = daily_minutes(cadre) * days
    late = [u.target_id for u in cp.unscheduled if u.reason == REASON_CAPACITY] if cp else []
    routed = [s.target_id for r in cp.routes for s in r.stops] if cp else []
    workload = sum(r.duration_min for r in cp.routes) if cp else 0
    if late:
        # The routes could not take these targets: their free minutes are too scattered to
        # use, so the cadre has no slack and lacks what the targets need (as ``at_risk`` says).
        workload = capacity + math.ceil(sum(cost[t] for t in late))
    planned = routed + late
    expected = sum(
        expected_retries(policy.not_home_rate, policy.max_attempts, attempts.get(t, 0))
        for t in planned
    )
    # A cadre with nothing planned would retry targets like the town's: its mean cost stands.
    mean_cost = float(np.mean([cost[t] for t in planned])) if planned else town_cost
    slack = capacity - workload
    absorbable = math.floor(slack / mean_cost) if slack > 0 and mean_cost > 0 else 0
    # The goal is the share kept free, or what the expected retries need when that is more
    # (at p = 0.2 and 3 attempts, 0.24 × the workload: above 15 % of the capacity from a load
    # of about 62 % on): a cadre who keeps the share but cannot absorb the retries is short.
    goal = max(round(policy.retry_slack * capacity), math.ceil(round(expected * mean_cost, 6)))
    missing = max(0, goal - slack)
    remedy = _remedy(settings, cadre, missing, days) if missing else None
    return CadreSlack(cadre.id, capacity, workload, goal, days, expected, absorbable, remedy)


def slack_report(
    campaign: Campaign, plan: Plan, attempts: Mapping[str, int] | None = None
) -> SlackReport:
    """Per cadre and for the town: the retry slack the plan leaves, and the remedies.

    Parameters
    ----------
    attempts
        Not-home attempts already spent per target (a re-plan's retries have fewer left);
        none when omitted.
    """
    attempts = attempts or {}
    shares = travel_share_minutes(campaign.targets, campaign.settings)
    cost = {
        t.id: t.service_minutes + float(share)
        for t, share in zip(campaign.targets, shares, strict=True)
    }
    town_cost = float(np.mean(list(cost.values()))) if cost else 0.0
    plans = {cp.cadre_id: cp for cp in plan.cadre_plans}
    cadres = tuple(
        _cadre_slack(campaign, c, plans.get(c.id), plan.after_day, cost, town_cost, attempts)
        for c in campaign.cadres
    )
    town = TownSlack(
        capacity_minutes=sum(c.capacity_minutes for c in cadres),
        workload_minutes=sum(c.workload_minutes for c in cadres),
        goal_minutes=sum(c.goal_minutes for c in cadres),
        retries_expected=sum(c.retries_expected for c in cadres),
        retries_absorbable=sum(c.retries_absorbable for c in cadres),
        cadres_short=sum(1 for c in cadres if not c.kept),
    )
    policy = campaign.settings.policy
    return SlackReport(policy.retry_slack, policy.not_home_rate, town, cadres)
