"""The server's settings and its clock: which campaign, which day it is in China."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from optimizer.domain.model import Settings

CHINA = ZoneInfo("Asia/Shanghai")
#: A cadre's session lasts this long; opening the link again starts a new one.
CADRE_SESSION = dt.timedelta(days=45)
COORDINATOR_SESSION = dt.timedelta(hours=12)
#: Failed logins within this window, per name and per client address, before 429.
LOGIN_WINDOW = dt.timedelta(minutes=15)
LOGIN_MAX_PER_NAME = 5
LOGIN_MAX_PER_CLIENT = 20
#: Rows one sync may carry, and the longest request text (characters).
MAX_ROWS = 500
MAX_REQUEST_CHARS = 2000


def china_now() -> dt.datetime:
    return dt.datetime.now(CHINA)


@dataclass(frozen=True, slots=True)
class WebConfig:
    """One server: one campaign folder, its store chosen as the command line chooses it."""

    campaign_dir: Path
    schedule: bool = True  # run the nightly re-plan of ``[schedule] replan_at``
    now: Callable[[], dt.datetime] = china_now  # an aware datetime (tests may fix the day)


def campaign_day(settings: Settings, today: dt.date) -> int:
    """The campaign day number of a date (day 1 = the start date; may be < 1 or > days)."""
    return (today - settings.start_date).days + 1


def default_day(settings: Settings, today: dt.date) -> int:
    """The day a cadre's page opens on: today inside the campaign, else its first or last day."""
    return min(max(campaign_day(settings, today), 1), settings.days)
