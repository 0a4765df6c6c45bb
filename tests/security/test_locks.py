"""The campaign lock: one plan or replan at a time, never held by the dead, removable by hand
with an audit record; a re-plan through Redis with no worker fails at once; absurd options
are refused before anything happens."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest

from tests.helpers import write_folder
from tests.security.checks import run_in_process
from tests.security.faults import (
    ROOT,
    counts,
    environment,
    store_of,
    versions,
    zoufang,
)
from workers.store import schema as t

PLAN = ("--time-limit", "0.05", "--workers", "1")
HOLD = """
import sys, time
from workers.store import Store
store = Store(sys.argv[1])
assert store.acquire_lock(1, "holder-token", "replan")
print("held", flush=True)
time.sleep(600)
"""


@pytest.fixture
def planned(tmp_path, monkeypatch):
    """The tiny town, planned (in this process: fast)."""
    from workers.tasks.config import current

    for name in ("ZOUFANG_DB", "ZOUFANG_BROKER"):
        monkeypatch.delenv(name, raising=False)
    current.cache_clear()
    town = write_folder(tmp_path / "town")
    assert run_in_process(tmp_path, "plan", str(town), *PLAN, "--no-maps").code == 0
    current.cache_clear()
    return town


def z(town, *args: str):
    """A command in this process (fast); the other process is the one holding the lock."""
    return run_in_process(town.parent, *args)


def _url(town) -> str:
    return f"sqlite:///{town / '.zoufang' / 'zoufang.db'}"


def test_a_live_holder_refuses_and_unlock_is_audited(planned):
    """While another process holds the lock, replan is exit 1 naming it (process, host, since
    when); unlock removes it and records who, why and whom; then replan runs."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, _url(planned)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=environment(),
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        refused = z(planned, "replan", str(planned), "--no-maps", "--workers", "1")
        assert refused.code == 1
        assert f"进程 {holder.pid}@" in refused.err and "zoufang unlock" in refused.err
        assert z(planned, "unlock", str(planned), "--reason", "").code == 1
        done = z(planned, "unlock", str(planned), "--reason", "持锁进程挂起，人工解除")
        assert done.code == 0 and f"进程 {holder.pid}" in done.out
        assert "仍在运行" in done.out
    finally:
        holder.kill()
        holder.wait()
    assert z(planned, "replan", str(planned), "--no-maps", "--workers", "1").code == 0
    log = store_of(planned).audit_log(1)
    assert [(a["action"], a["reason"]) for a in log] == [("unlock", "持锁进程挂起，人工解除")]
    assert str(holder.pid) in log[0]["detail"]["holder"]


def test_a_dead_holder_never_blocks(planned):
    """A lock whose process is gone (killed, no cleanup) is taken over at once."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, _url(planned)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=environment(),
    )
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    assert counts(store_of(planned))["locks"] == 1
    started = time.monotonic()
    assert zoufang("replan", str(planned), "--no-maps", "--workers", "1").returncode == 0
    assert time.monotonic() - started < 60
    assert counts(store_of(planned))["locks"] == 0


def test_a_lock_from_another_host_lasts_its_lease(planned):
    """A holder on another machine cannot be checked: its lock stands until its lease runs
    out (it renews while it works), then it is taken over."""
    store = store_of(planned)
    lease = {"campaign_id": 1, "token": "far", "host": "elsewhere.invalid", "pid": 1,
             "pid_start": "", "purpose": "replan", "acquired_at": dt.datetime.now()}  # fmt: skip
    with store.engine.begin() as db:
        db.execute(t.campaign_locks.insert().values(
            **lease, expires_at=dt.datetime.now() + dt.timedelta(minutes=5)))  # fmt: skip
    refused = zoufang("replan", str(planned), "--no-maps", "--workers", "1")
    assert refused.returncode == 1 and "elsewhere.invalid" in refused.stderr
    with store.engine.begin() as db:
        db.execute(t.campaign_locks.update().values(
            expires_at=dt.datetime.now() - dt.timedelta(seconds=1)))  # fmt: skip
    assert zoufang("replan", str(planned), "--no-maps", "--workers", "1").returncode == 0


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def busy_town(request, tmp_path, monkeypatch):
    """The tiny town, planned, with day 1 recorded (a miss to re-plan), its store in SQLite
    or in PostgreSQL."""
    from workers.tasks.config import current

    env = environment()
    for name in ("ZOUFANG_DB", "ZOUFANG_BROKER"):
        monkeypatch.delenv(name, raising=False)
    if request.param == "postgresql":
        from tests.workers.conftest import fresh_database

        url = request.getfixturevalue("pg_url")
        fresh_database(url)
        env["ZOUFANG_DB"] = url
        monkeypatch.setenv("ZOUFANG_DB", url)
    current.cache_clear()
    town = write_folder(tmp_path / "town")
    assert run_in_process(tmp_path, "plan", str(town), *PLAN, "--no-maps").code == 0
    day1 = tmp_path / "day1.csv"
    day1.write_text("target_id,day,status\nT1,1,not_home\nT3,1,visited\n", encoding="utf-8")
    assert run_in_process(tmp_path, "record", str(town), str(day1)).code == 0
    current.cache_clear()
    return town, env, env.get("ZOUFANG_DB") or _url(town)


def _race(town, env: dict, url: str, pause_at: str) -> None:
    """A second replan while the first holds the lock (held at ``pause_at`` for a few
    seconds): exit 1 naming the holder; the first publishes one new version, no target
    twice."""
    first = subprocess.Popen(
        [sys.executable, "-m", "tests.security.killpoint", "--pause", "5", pause_at, "1",
         "--", "replan", str(town), "--no-maps", "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert first.stdout.readline().strip() == "paused"  # lock taken, version building
        second = zoufang("replan", str(town), "--no-maps", "--workers", "1", env=env)
        _, err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err
    assert second.returncode == 1 and "正由另一个命令处理（replan" in second.stderr
    store = store_of(town, url)
    assert [(v, s) for v, s, _ in versions(store)] == [(1, "published"), (2, "published")]
    campaign = store.load_campaign(1)
    stops = [s.target_id for r in store.plan(1, 2).routes for s in r.stops]
    assert len(stops) == len(set(stops)) and set(stops) <= {x.id for x in campaign.targets}


def test_two_concurrent_replans_have_one_winner(busy_town):
    """Two replans at once, on SQLite and on PostgreSQL: one winner, one new version."""
    town, env, url = busy_town
    _race(town, env, url, "workers.tasks.steps:run_local")


@pytest.mark.services
def test_two_concurrent_replans_through_redis_have_one_winner(busy_town, redis_url):
    """The same through Redis workers (the first held while its messages are sent)."""
    from tests.workers.tasks.test_broker import start_worker, stop

    town, env, url = busy_town
    env = {**env, "ZOUFANG_DB": url, "ZOUFANG_BROKER": redis_url}
    worker = start_worker(env)
    try:
        _race(town, env, url, "workers.commands.daily:_on_broker")
    finally:
        stop(worker)


@pytest.mark.services
def test_replan_through_redis_with_no_worker_fails_fast(planned, redis_url):
    """ZOUFANG_BROKER set and no `zoufang worker` beating: exit 1 within seconds, saying so;
    the lock is released and the version abandoned (a late worker cannot publish it)."""
    env = environment(ZOUFANG_BROKER=redis_url, ZOUFANG_WORKER_WAIT_S="2")
    started = time.monotonic()
    result = zoufang("replan", str(planned), "--no-maps", env=env, timeout=120)
    seconds = time.monotonic() - started
    assert result.returncode == 1 and "没有工作进程应答" in result.stderr, result.stderr
    assert seconds < 15, seconds
    store = store_of(planned)
    assert counts(store)["locks"] == 0
    assert [(v, s) for v, s, _ in versions(store)] == [(1, "published"), (2, "abandoned")]
    assert zoufang("replan", str(planned), "--no-maps", "--workers", "1").returncode == 0
    assert versions(store)[-1][:2] == (3, "published")


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "--time-limit", "nan"),
        ("plan", "--time-limit", "-1"),
        ("plan", "--time-limit", "inf"),
        ("plan", "--workers", "-3"),
        ("plan", "--workers", "0"),
        ("replan", "--workers", "-3"),
        ("maps", "--workers", "0"),
        ("spotcheck", "--share", "nan"),
        ("simulate", "--not-home", "nan"),
    ],
)
def test_absurd_options_are_refused_before_anything_happens(tmp_path, args):
    """NaN, infinite, negative or zero limits and process counts: exit 2, no store made, no
    file written."""
    town = write_folder(tmp_path / "town")
    command, *options = args
    result = zoufang(command, str(town), *options)
    assert result.returncode == 2, result.stderr
    assert not (town / ".zoufang").exists() and not (town / "out").exists()
