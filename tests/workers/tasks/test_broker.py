"""The night's re-plan through real Redis workers, with PostgreSQL as the shared store.

Reliability: a worker killed mid-re-plan, a message delivered twice, Redis restarted during a
re-plan — each ends with exactly one new plan version and no duplicate stops.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from optimizer.inputs import read_campaign
from optimizer.outputs.routes import write_outcomes_csv
from optimizer.sample import generate_sample, write_sample
from optimizer.sample.field import Field, simulate_day
from tests.helpers import service_or_skip
from tests.workers.conftest import fresh_database
from workers.store import Store, schema

pytestmark = pytest.mark.services

FAST_RECOVERY = {
    "ZOUFANG_HEARTBEAT_MS": "2000",  # a dead worker's messages come back after 2 s …
    "ZOUFANG_MAINTENANCE_CHANCE": "1000000",  # … at the next broker command
    "ZOUFANG_STALL_S": "6",
}


def environment(db_url: str, broker_url: str, **extra: str) -> dict:
    env = {
        **os.environ,
        "ZOUFANG_DB": db_url,
        "ZOUFANG_BROKER": broker_url,
        **FAST_RECOVERY,
        **extra,
    }
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return env


def zoufang(*args: str, env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workers", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "workers", "worker", "--processes", "1", "--threads", "1"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def town(tmp_path, pg_url):
    """A planned town with one simulated day recorded, its store in PostgreSQL."""
    fresh_database(pg_url)
    folder = write_sample(tmp_path / "town", generate_sample("huangtun", 700, seed=11))
    env = environment(pg_url, "redis://127.0.0.1:1/0")  # planning and recording need no broker
    env.pop("ZOUFANG_BROKER")
    assert (
        zoufang("plan", str(folder), "--time-limit", "0.05", "--no-maps", env=env).returncode == 0
    )
    store = Store(pg_url)
    campaign = read_campaign(folder)
    campaign_id = store.find_campaign(campaign)
    outcomes = simulate_day(
        campaign, store.plan(campaign_id, 1), 1, Field(not_home=0.3, absent=0.0), seed=3
    )
    path = write_outcomes_csv(tmp_path / "day1.csv", outcomes)
    assert zoufang("record", str(folder), str(path), env=env).returncode == 0
    yield folder, store, campaign_id
    store.engine.dispose()


def assert_one_new_version(store: Store, campaign_id: int) -> None:
    with store.engine.connect() as db:
        versions = db.execute(
            select(schema.plan_versions.c.version, schema.plan_versions.c.status)
            .where(schema.plan_versions.c.campaign_id == campaign_id)
            .order_by(schema.plan_versions.c.version)
        ).all()
        stops = db.execute(
            select(func.count(), func.count(func.distinct(schema.stops.c.target_id))).where(
                (schema.stops.c.campaign_id == campaign_id) & (schema.stops.c.version == 2)
            )
        ).one()
    assert [tuple(v) for v in versions] == [(1, "published"), (2, "published")]
    assert stops[0] == stops[1] > 0  # no target planned twice
    done, total, missing = store.version_progress(campaign_id, 2)
    assert done == total and not missing


def test_replan_through_redis_workers(town, redis_url, pg_url):
    """zoufang replan enqueues a group, two worker processes finish it, one version results."""
    folder, store, campaign_id = town
    env = environment(pg_url, redis_url)
    worker = subprocess.Popen(
        [sys.executable, "-m", "workers", "worker", "--processes", "2", "--threads", "1"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        result = zoufang("replan", str(folder), "--no-maps", env=env)
        assert result.returncode == 0, result.stderr
    finally:
        stop(worker)
    assert_one_new_version(store, campaign_id)
    assert (folder / "out" / "history" / "routes-v001.csv").is_file()


def test_duplicate_delivery_is_a_no_op(town, redis_url, pg_url):
    """Every message of a re-plan sent twice: still one version, one result per cadre."""
    from dramatiq import Message
    from dramatiq.brokers.redis import RedisBroker

    from workers.tasks import steps

    _, store, campaign_id = town
    job = steps.begin(store, campaign_id)
    broker = RedisBroker(url=redis_url, namespace="zoufang")
    broker.declare_queue("zoufang")
    messages = [
        Message(
            queue_name="zoufang",
            actor_name="replan_cadre",
            args=(campaign_id, c, job.version),
            kwargs={},
            options={},
        )
        for c in job.solve
    ] + [
        Message(
            queue_name="zoufang",
            actor_name="finish_replan",
            args=(campaign_id, job.version),
            kwargs={},
            options={},
        )
    ]
    for message in messages * 2:
        broker.enqueue(message.copy())
    worker = start_worker(environment(pg_url, redis_url))
    try:
        deadline = time.monotonic() + 180
        while not store.version_info(campaign_id, job.version).published:
            assert time.monotonic() < deadline, "re-plan did not finish"
            time.sleep(0.3)
        time.sleep(2)  # let the duplicates run too
    finally:
        stop(worker)
    assert_one_new_version(store, campaign_id)


def _wait_for_progress(store, campaign_id, version, at_least: int, deadline: float) -> None:
    while (
        store.version_info(campaign_id, version) is None
        or store.version_progress(campaign_id, version)[0] < at_least
    ):
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.2)


def test_worker_killed_mid_replan(town, redis_url, pg_url):
    """SIGKILL of the worker during a re-plan: a new worker finishes it, exactly one version."""
    folder, store, campaign_id = town
    env = environment(pg_url, redis_url, ZOUFANG_REPLAN_TIME_LIMIT="0.6")
    worker = start_worker(env)
    replan = subprocess.Popen(
        [sys.executable, "-m", "workers", "replan", str(folder), "--no-maps"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_progress(store, campaign_id, 2, 1, time.monotonic() + 120)
        stop(worker, signal.SIGKILL)
        assert store.version_info(campaign_id, 2).status == "building"
        worker = start_worker(env)
        _, stderr = replan.communicate(timeout=300)
        assert replan.returncode == 0, stderr
    finally:
        stop(worker)
        if replan.poll() is None:
            replan.kill()
    assert_one_new_version(store, campaign_id)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)


def test_redis_restart_during_replan(town, pg_url):
    """Redis goes away mid-re-plan and comes back empty: the re-plan still completes, once."""
    if shutil.which("redis-server") is None:
        service_or_skip("redis-server", "not installed")
    folder, store, campaign_id = town
    port = _free_port()
    server = _start_redis(port)
    env = environment(pg_url, f"redis://127.0.0.1:{port}/0", ZOUFANG_REPLAN_TIME_LIMIT="0.4")
    worker = start_worker(env)
    replan = subprocess.Popen(
        [sys.executable, "-m", "workers", "replan", str(folder), "--no-maps"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_progress(store, campaign_id, 2, 1, time.monotonic() + 120)
        server.terminate()
        server.wait(timeout=10)
        time.sleep(2)
        server = _start_redis(port)
        _, stderr = replan.communicate(timeout=300)
        assert replan.returncode == 0, stderr
    finally:
        stop(worker)
        if replan.poll() is None:
            replan.kill()
        server.terminate()
        server.wait(timeout=10)
    assert_one_new_version(store, campaign_id)


def _children_of(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def test_workers_stop_when_their_parent_is_killed(redis_url, pg_url):
    """SIGKILL of `zoufang worker` leaves no orphan taking messages: its processes stop."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "workers", "worker", "--processes", "2"],
        env=environment(pg_url, redis_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(children := _children_of(worker.pid)) < 2:
        assert time.monotonic() < deadline, "worker processes did not start"
        time.sleep(0.2)
    worker.kill()
    worker.wait()
    deadline = time.monotonic() + 30
    while any(_running(c) for c in children):
        assert time.monotonic() < deadline, "worker processes outlived their parent"
        time.sleep(0.2)


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's exit is reaped by init, maybe later)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
