"""Every ``ZOUFANG_*`` variable, read once at the edge into one settings object.

| variable | meaning | default |
| --- | --- | --- |
| ``ZOUFANG_DB`` | database URL (``postgresql://…`` = psycopg) | ``CAMPAIGN/.zoufang/`` SQLite |
| ``ZOUFANG_BROKER`` | Redis URL: re-plans go through the Dramatiq workers | in-process |
| ``ZOUFANG_TIANDITU_KEY`` | the Tianditu key for ``tiles = "tianditu"`` | — |
| ``ZOUFANG_ASSETS`` | folder of offline map assets | ``~/.cache/zoufang/assets`` |
| ``ZOUFANG_NPM_REGISTRY`` | npm registry for ``zoufang assets`` | registry.npmjs.org |
| ``ZOUFANG_REPLAN_TIME_LIMIT`` | seconds per changed cadre at night | 0.02 |
| ``ZOUFANG_STALL_S`` | re-send a night's missing messages after this many idle seconds | 30 |
| ``ZOUFANG_HEARTBEAT_MS`` | a worker silent this long is presumed dead | 20000 |
| ``ZOUFANG_MAINTENANCE_CHANCE`` | per million broker commands, a requeue pass | 20000 |
| ``ZOUFANG_WORKER_WAIT_S`` | a re-plan through Redis waits this long for a live worker | 15 |

Code below the command line never reads the environment: it is handed these values.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from maps.assets import DEFAULT_DIR, DEFAULT_REGISTRY
from optimizer.domain import defaults
from optimizer.domain.errors import ZoufangError


def _number(env: Mapping[str, str], name: str, default: float, low: float, kind=float):
    text = env.get(name, "").strip()
    if not text:
        return kind(default)
    try:
        value = kind(float(text)) if kind is int else float(text)
    except ValueError:
        raise ZoufangError(f"环境变量 {name}={text!r} 不是数字") from None
    if not math.isfinite(value) or value < low:
        raise ZoufangError(f"环境变量 {name}={text!r} 应为不小于 {low} 的数")
    return value


def database_url(text: str | None) -> str | None:
    """A database URL as SQLAlchemy wants it: plain ``postgresql://`` means psycopg 3."""
    if text and text.startswith("postgresql://"):
        return "postgresql+psycopg://" + text.removeprefix("postgresql://")
    return text or None


@dataclass(frozen=True, slots=True)
class Config:
    """The running system's settings (see the module's table)."""

    db_url: str | None = None
    broker_url: str | None = None
    tianditu_key: str = ""
    assets_dir: Path = DEFAULT_DIR
    npm_registry: str = DEFAULT_REGISTRY
    replan_time_limit_s: float = defaults.REPLAN_TIME_LIMIT_S
    stall_s: float = 30.0
    heartbeat_ms: int = 20_000
    maintenance_chance: int = 20_000
    worker_wait_s: float = 15.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        assets = env.get("ZOUFANG_ASSETS", "").strip()
        return cls(
            db_url=database_url(env.get("ZOUFANG_DB", "").strip()),
            broker_url=env.get("ZOUFANG_BROKER", "").strip() or None,
            tianditu_key=env.get("ZOUFANG_TIANDITU_KEY", "").strip(),
            assets_dir=Path(assets) if assets else DEFAULT_DIR,
            npm_registry=(env.get("ZOUFANG_NPM_REGISTRY", "").strip() or DEFAULT_REGISTRY),
            replan_time_limit_s=_number(
                env, "ZOUFANG_REPLAN_TIME_LIMIT", defaults.REPLAN_TIME_LIMIT_S, 0.001
            ),
            stall_s=_number(env, "ZOUFANG_STALL_S", 30.0, 0.1),
            heartbeat_ms=_number(env, "ZOUFANG_HEARTBEAT_MS", 20_000, 100, int),
            maintenance_chance=_number(env, "ZOUFANG_MAINTENANCE_CHANCE", 20_000, 0, int),
            worker_wait_s=_number(env, "ZOUFANG_WORKER_WAIT_S", 15.0, 0.0),
        )


@cache
def current() -> Config:
    """This process's configuration, read from the environment the first time it is asked."""
    return Config.from_env()
