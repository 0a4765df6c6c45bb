"""Interrupted commands never wedge a campaign, and ``export`` brings every file back.

``plan``, ``replan`` and ``record`` are SIGKILLed at named points (``killpoint``); output
folders are made full or read-only (a real tmpfs); after each, the store is consistent, the
next command is not blocked by a dead lock, and ``zoufang export`` writes every file again.
The return-visit plans and weekly reports: ``test_printed_files``.
"""

from __future__ import annotations

import re
import shutil

import pytest

from tests.helpers import write_folder
from tests.security.checks import planned_routes
from tests.security.faults import (
    PLAN,
    assert_consistent,
    assert_files_match_store,
    assert_whole,
    counts,
    environment,
    killed,
    record_day1,
    remount,
    store_of,
    tmpfs,
    versions,
    z,
    zoufang,
)

pytestmark = pytest.mark.usefixtures("plain_environment")


@pytest.mark.parametrize(
    "point",
    [
        "optimizer.replan:plan_routes",  # routing: nothing stored yet
        "workers.store.publish:PublishRepository._insert_routes",  # inside the transaction
        "workers.commands.exports:write_assignment_files",  # published, no file yet
        "os:replace@3",  # between two files
        "workers.commands.maps:render_overview_file",  # drawing the maps
    ],
)
def test_plan_killed_leaves_nothing_or_a_published_plan(tmp_path, point):
    """A killed plan leaves no half-published campaign and no lock that blocks: either plan
    runs again as if for the first time, or the plan is published and export writes it."""
    target, _, nth = point.partition("@")
    town = write_folder(tmp_path / "town")
    killed(target, int(nth or 1), "plan", str(town), *PLAN)
    store = store_of(town)
    assert_consistent(store)
    if counts(store)["publications"] == 0:
        assert z(town, "plan", str(town), *PLAN).code == 0  # not "published", not "locked"
    else:
        again = z(town, "plan", str(town), *PLAN)
        assert again.code == 1 and "--reassign" in again.err  # published: locked, as it must be
        assert "lag" in z(town, "status", str(town)).err or point.startswith("os")
        assert z(town, "export", str(town), "--workers", "1").code == 0
    assert_files_match_store(store, town / "out")
    assert counts(store)["locks"] == 0


@pytest.mark.parametrize(
    "point",
    [
        "workers.tasks.steps:run_local",  # version building, lock held
        "workers.store.plans:PlanRepository.publish_version",  # solved, not published
        "workers.commands.daily:export_version",  # published, files of the last version
        "os:replace@2",  # between two files
    ],
)
def test_replan_killed_never_holds_the_campaign(tmp_path, recorded, point):
    """A killed replan's lock does not outlive it: the next replan runs at once and publishes
    one new version; the files are brought back by export (or the next replan)."""
    target, _, nth = point.partition("@")
    town = tmp_path / "town"
    shutil.copytree(recorded, town)
    killed(target, int(nth or 1), "replan", str(town), "--workers", "1")
    store = store_of(town)
    assert_consistent(store)
    published = [v for v, s, _ in versions(store) if s == "published"]
    if published[-1] == 2:  # killed after publishing: the files lag, and commands say so
        assert "zoufang export" in z(town, "status", str(town)).err
        assert z(town, "export", str(town), "--workers", "1").code == 0
        assert_files_match_store(store, town / "out")
    result = z(town, "replan", str(town), "--workers", "1")
    assert result.code == 0, result.err
    states = versions(store)
    assert [v for v, s, _ in states if s == "published"] == [*published, states[-1][0]]
    assert all(s in ("published", "abandoned") for _, s, _ in states)
    assert_files_match_store(store, town / "out")
    assert counts(store)["locks"] == 0


@pytest.mark.parametrize(
    "point",
    [
        "workers.store.outcomes:OutcomeRepository.outcomes_in",  # the write lock taken
        "workers.store.outcomes:OutcomeRepository._record_night",  # the night noted
        "workers.store.outcomes:_row@2",  # building the rows to insert
        "workers.store.outcomes:OutcomeRepository._open_requests",  # rows inserted
        "workers.store.ledger:LedgerRepository._apply_return_visits",  # last step before commit
    ],
)
def test_record_killed_is_all_or_nothing(tmp_path, point):
    """A killed record stores nothing (one transaction); the same file then stores all."""
    town = write_folder(tmp_path / "town")
    assert z(town, "plan", str(town), *PLAN, "--no-maps").code == 0
    day1 = record_day1(town, tmp_path)
    target, _, nth = point.partition("@")
    killed(target, int(nth or 1), "record", str(town), str(day1))
    store = store_of(town)
    assert counts(store)["outcomes"] == 0 and counts(store)["requests"] == 0
    assert z(town, "record", str(town), str(day1)).code == 0
    assert counts(store)["outcomes"] == len(day1.read_text().splitlines()) - 1


def test_full_output_folder(tmp_path):
    """A full disk during plan: exit 1 saying to run export, the plan published, no partial
    file; with room again, export writes every file."""
    town = write_folder(tmp_path / "town")
    with tmpfs(town / "out", "16k") as out:
        result = z(town, "plan", str(town), *PLAN)
        assert result.code == 1, result.err
        assert "zoufang export" in result.err and "No space left" in result.err
        store = store_of(town)
        assert_consistent(store)
        assert store.current_version(1) == (1, 0)
        assert_whole(out)
        remount(out, "size=20m")
        assert z(town, "export", str(town), "--workers", "1").code == 0
        assert_files_match_store(store, out)


def test_read_only_output_folder(tmp_path):
    """A read-only output folder during replan: exit 1, the new version stored, the old files
    untouched and said to lag; writable again, export writes the new version."""
    town = write_folder(tmp_path / "town")
    with tmpfs(town / "out", "20m") as out:
        assert z(town, "plan", str(town), *PLAN).code == 0
        assert z(town, "record", str(town), str(record_day1(town, tmp_path))).code == 0
        before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
        remount(out, "ro")
        try:
            result = z(town, "replan", str(town), "--workers", "1")
            assert result.code == 1 and "zoufang export" in result.err, result.err
            assert "Read-only file system" in result.err
            assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
            status = z(town, "status", str(town))
            assert status.code == 0 and "输出文件是第 1 版，库中当前为第 2 版" in status.err
        finally:
            remount(out, "rw")
        store = store_of(town)
        assert_consistent(store)
        assert z(town, "export", str(town), "--workers", "1").code == 0
        assert_files_match_store(store, out)
        assert "zoufang export" not in z(town, "status", str(town)).err


def test_replan_rewrites_the_day_sheets(tmp_path, recorded):
    """After a replan, 日路线.xlsx lists exactly the stops of routes.csv (the current
    version), and summary.json names that version."""
    import openpyxl

    town = tmp_path / "town"
    shutil.copytree(recorded, town)
    assert z(town, "replan", str(town), "--workers", "1").code == 0
    routes = planned_routes(town / "out")
    assert {r["plan_version"] for r in routes} == {"2"}
    book = openpyxl.load_workbook(town / "out" / "日路线.xlsx")
    listed = []
    for sheet in book.worksheets:  # a sheet per cadre: for each day a line 「…（第N天）」, stops
        day = None
        for row in sheet.iter_rows(values_only=True):
            found = re.search(r"（第(\d+)天）", str(row[0] or ""))
            if found:
                day = int(found[1])
            elif isinstance(row[0], int | float) and day is not None:
                listed.append((day, row[2]))
    listed.sort()
    assert listed == sorted((int(r["day"]), r["target_id"]) for r in routes)


def test_a_database_error_is_one_masked_line(tmp_path):
    """A broken store: exit 1 with the database's one-line reason, no traceback, no SQL."""
    town = write_folder(tmp_path / "town")
    assert z(town, "plan", str(town), *PLAN, "--no-maps").code == 0
    (town / ".zoufang" / "zoufang.db").write_bytes(b"not a database 13812345678" * 100)
    for name in ("zoufang.db-wal", "zoufang.db-shm"):
        (town / ".zoufang" / name).unlink(missing_ok=True)
    result = zoufang("status", str(town))
    assert result.returncode == 1 and "数据库错误" in result.stderr
    assert "Traceback" not in result.stderr and "SELECT" not in result.stderr
    assert "13812345678" not in result.stderr


@pytest.mark.services
def test_replan_through_redis_killed_after_publishing_is_exported(tmp_path, recorded, redis_url):
    """The coordinating replan SIGKILLed after the workers published the night's version,
    before any file: status says the files lag, export brings routes.csv and summary.json to
    the store's version, and the next replan (through Redis again) runs at once."""
    import subprocess
    import sys

    from tests.workers.tasks.test_broker import start_worker, stop

    town = tmp_path / "town"
    shutil.copytree(recorded, town)
    url = f"sqlite:///{town / '.zoufang' / 'zoufang.db'}"
    env = {**environment(), "ZOUFANG_DB": url, "ZOUFANG_BROKER": redis_url}
    worker = start_worker(env)
    try:
        killed("workers.commands.daily:export_version", 1, "replan", str(town), "--no-maps",
               env=env)  # fmt: skip
        store = store_of(town)
        assert_consistent(store)
        assert [(v, s) for v, s, _ in versions(store)] == [(1, "published"), (2, "published")]
        assert planned_routes(town / "out")[0]["plan_version"] == "1"  # the files lag
        status = subprocess.run([sys.executable, "-m", "workers", "status", str(town)],
                                env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert "zoufang export" in status.stderr, status.stderr[-500:]
        exported = zoufang("export", str(town), "--no-maps", env=env)
        assert exported.returncode == 0, exported.stderr[-500:]
        assert_files_match_store(store, town / "out", maps=False)
        again = zoufang("replan", str(town), "--no-maps", env=env)
        assert again.returncode == 0, again.stderr[-500:]
        assert versions(store)[-1][:2] == (3, "published")
        assert_files_match_store(store, town / "out", maps=False)
        assert counts(store)["locks"] == 0  # the dead coordinator's lock did not block
    finally:
        stop(worker)
