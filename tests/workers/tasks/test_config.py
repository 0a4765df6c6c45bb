"""Every ZOUFANG_* variable is read once, into one settings object, and checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.domain import defaults
from optimizer.domain.errors import ZoufangError
from workers.tasks.config import Config


def test_defaults_when_nothing_is_set():
    """No variables: embedded store, no broker, the documented budgets."""
    config = Config.from_env({})
    assert config.db_url is None and config.broker_url is None
    assert config.replan_time_limit_s == defaults.REPLAN_TIME_LIMIT_S
    assert config.stall_s == 30.0 and config.heartbeat_ms == 20_000


def test_values_are_parsed_and_postgres_means_psycopg():
    """A plain postgresql:// URL takes the psycopg driver; numbers are numbers."""
    config = Config.from_env(
        {
            "ZOUFANG_DB": "postgresql://u@h/db",
            "ZOUFANG_BROKER": "redis://127.0.0.1:6379/0",
            "ZOUFANG_ASSETS": "/tmp/zf-assets",
            "ZOUFANG_REPLAN_TIME_LIMIT": "0.5",
            "ZOUFANG_HEARTBEAT_MS": "2000",
        }
    )
    assert config.db_url == "postgresql+psycopg://u@h/db"
    assert config.assets_dir == Path("/tmp/zf-assets") and config.replan_time_limit_s == 0.5
    assert config.heartbeat_ms == 2000


@pytest.mark.parametrize("value", ["abc", "nan", "-1", "inf"])
def test_bad_numbers_are_refused(value):
    """A variable that is not a usable number is an error naming the variable."""
    with pytest.raises(ZoufangError, match="ZOUFANG_STALL_S"):
        Config.from_env({"ZOUFANG_STALL_S": value})
