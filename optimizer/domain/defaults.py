"""Every default of the system, once: what a campaign gets when ``campaign.toml`` or a table
is silent, and the solver budgets chosen with the benchmarks (benchmarks/README.md)."""

from __future__ import annotations

import os

from optimizer.domain.codes import TargetType

#: Campaign days when ``days`` is missing from nothing (``days`` is required; used to read
#: the tables of a broken ``campaign.toml`` so that every problem shows at once).
DAYS = 10
DAY_START_MIN = 8 * 60 + 30  # day_start = "08:30"
DAY_END_MIN = 20 * 60 + 30  # day_end = "20:30"

SPEED_KMH = 12.0
DETOUR = 1.3

SERVICE_MINUTES = {
    TargetType.HOUSEHOLD: 15,
    TargetType.ENTERPRISE: 40,
    TargetType.SHOP: 10,
    TargetType.SCHOOL: 30,
    TargetType.HOSPITAL: 30,
    TargetType.MARKET: 30,
    TargetType.INSTITUTION: 20,
    TargetType.SITE: 30,
}
#: Named windows: [windows] of campaign.toml adds to or replaces these.
WINDOWS = {"day": (8 * 60 + 30, 17 * 60 + 30), "evening": (18 * 60, 20 * 60 + 30)}

MAX_ATTEMPTS = 3  # not-home attempts before escalation
PRIORITY_DAYS = 3  # priority targets within the first N days
RETRY_SLACK = 0.15  # share of each cadre's minutes kept free for retries (soft)
NOT_HOME_RATE = 0.2  # expected share of attempts that find nobody home (sizes the retries)
#: The retry-slack remedy asks a cadre for at most this many more minutes a day (an hour):
#: beyond it a second session (the evening) or another cadre is the plausible ask.
EXTRA_MINUTES_PER_DAY_LIMIT = 60

MINUTES_PER_DAY = 240  # a cadre's visiting minutes a day, travel included

#: Ranges beyond which a value is a typing mistake, not a plan (a phone number shifted one
#: column into 走访时长 once gave 17,789,088,417 minutes): a visit of at most a working day,
#: a day of at most 24 hours.
MAX_SERVICE_MIN = 480
MAX_MINUTES_PER_DAY = 24 * 60
#: How far from the town's median point any target or base may lie: a township is tens of
#: kilometres across; a point farther than this is a wrong coordinate, whatever the rest.
MAX_TOWN_RADIUS_KM = 100.0
#: How far a target may lie from its nearest other target: villages and streets hold the
#: targets of a town, a few hundred metres apart at most; a target more than this from every
#: other is a coordinate typed with a wrong digit (0.1° of latitude ≈ 11 km).
MAX_NEIGHBOUR_KM = 10.0
CADRE_TYPES = frozenset({TargetType.HOUSEHOLD})

LEDGER_DAYS_AFTER_DEADLINE = 60  # the ledger's 办结 date: deadline + this many days
TILES = "amap"

#: Seconds per cadre for a first plan, at most — model, warm start and search together; an
#: area gets 20 ms + 1.8 ms a routing node (``route.parallel.cadre_time_limit``), so the
#: 15,000-target sample's areas (median 69 nodes) get about 0.14 s, and only the largest
#: areas this cap. Measured on the zoo (``benchmarks/zoo.py``, 150 cadres): travel 1.016 ×
#: PyVRP's at 1 s a cadre (median), against 1.023 with the earlier 0.15 s cap and 2 ms a node.
PLAN_TIME_LIMIT_S = 0.3
#: Seconds per changed cadre at night, model and search: the announced plan is the warm
#: start, so the solver mostly inserts retries; far below the broker's heartbeat window.
REPLAN_TIME_LIMIT_S = 0.02
#: Seconds per cadre for a return-visit plan (a handful of stops each).
FOLLOWUP_TIME_LIMIT_S = 0.1

#: The re-plan guard: a night's re-plan that leaves scheduled work of at least this many
#: cadres — and this share of the cadres with work — without a day is held until ``--force``
#: (a mistyped day, or a return visit taken for a campaign day, drops work for everyone; an
#: ordinary night drops a retry or two for a few cadres at most).
GUARD_MIN_CADRES = 3
GUARD_CADRE_SHARE = 0.2


def default_workers() -> int:
    """Solver processes when none are asked for: the cores this process may run on."""
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )
