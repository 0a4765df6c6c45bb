"""Interrupted commands never wedge a campaign, and ``export`` brings every file back.

``plan``, ``replan``, ``record``, ``followup plan`` and ``report`` are SIGKILLed at named
points (``killpoint``); output folders are made full or read-only (a real tmpfs), or deleted
whole; after each, the store is consistent, the next command is not blocked by a dead lock,
and ``zoufang export`` writes every file again — the return-visit folders and the weekly
reports as they were written, even after the ledger has moved on.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from optimizer.domain.ledger import RESOLVED
from tests.helpers import write_folder
from tests.security.checks import planned_routes, run_in_process
from tests.security.faults import (
    assert_brought_back,
    assert_consistent,
    assert_files_match_store,
    contents,
    counts,
    killed,
    remount,
    store_of,
    tmpfs,
    versions,
    zoufang,
)

PLAN = ("--time-limit", "0.05", "--workers", "1")


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    """In-process commands read no ZOUFANG_DB / ZOUFANG_BROKER of the test runner."""
    from workers.tasks.config import current

    for name in ("ZOUFANG_DB", "ZOUFANG_BROKER"):
        monkeypatch.delenv(name, raising=False)
    current.cache_clear()
    yield
    current.cache_clear()


def z(town, *args: str):
    """A follow-up command, in this process (fast)."""
    return run_in_process(town.parent, *args)


def _record_day1(town, tmp_path):
    rows = [r for r in planned_routes(town / "out") if r["day"] == "1"]
    path = tmp_path / "day1.csv"
    lines = ["target_id,day,status,time,category,request"]
    for i, r in enumerate(rows):
        status = "not_home" if i % 2 else "visited"
        lines.append(f"{r['target_id']},1,{status},{r['arrive']},2-1,路灯不亮 请回电13912345678")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A planned town with day 1 recorded: copied for each replan test."""
    from workers.tasks.config import current

    root = tmp_path_factory.mktemp("recorded")
    town = write_folder(root / "town")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("ZOUFANG_DB", "ZOUFANG_BROKER"):
            mp.delenv(name, raising=False)
        current.cache_clear()
        assert z(town, "plan", str(town), *PLAN).code == 0
        assert z(town, "record", str(town), str(_record_day1(town, root))).code == 0
        current.cache_clear()
    return town


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
        "workers.store.outcomes:OutcomeRepository._open_requests",  # rows inserted
        "workers.store.ledger:LedgerRepository._apply_return_visits",  # last step before commit
    ],
)
def test_record_killed_is_all_or_nothing(tmp_path, point):
    """A killed record stores nothing (one transaction); the same file then stores all."""
    town = write_folder(tmp_path / "town")
    assert z(town, "plan", str(town), *PLAN, "--no-maps").code == 0
    day1 = _record_day1(town, tmp_path)
    killed(point, 1, "record", str(town), str(day1))
    store = store_of(town)
    assert counts(store)["outcomes"] == 0 and counts(store)["requests"] == 0
    assert z(town, "record", str(town), str(day1)).code == 0
    assert counts(store)["outcomes"] == len(day1.read_text().splitlines()) - 1


def _whole(out) -> None:
    """No half-written file: every file complete, no temporary left."""
    for path in out.rglob("*"):
        assert not path.name.endswith(".part"), path
        if path.is_file():
            assert path.stat().st_size > 0, path


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
        _whole(out)
        remount(out, "size=20m")
        assert z(town, "export", str(town), "--workers", "1").code == 0
        assert_files_match_store(store, out)


def test_read_only_output_folder(tmp_path):
    """A read-only output folder during replan: exit 1, the new version stored, the old files
    untouched and said to lag; writable again, export writes the new version."""
    town = write_folder(tmp_path / "town")
    with tmpfs(town / "out", "20m") as out:
        assert z(town, "plan", str(town), *PLAN).code == 0
        assert z(town, "record", str(town), str(_record_day1(town, tmp_path))).code == 0
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


# Return-visit plans and weekly reports ----------------------------------------------------

FOLLOWUP = ("plan", "--from", "2027-03-04", "--days", "2", "--workers", "1")
PRINTED = ("回访-01/", "reports/")  # what followup plan and report write


def _resolve_requests(town) -> None:
    """Every request of day 1 办理 and 办结: each awaits its return visit."""
    for request in store_of(town).requests(1):
        i = str(request.id)
        moves = (("办理中", "转办", "--unit", "镇城建办"), ("已办结", "已修好"))
        for to, note, *unit in moves:
            result = z(
                town, "ledger", str(town), "update", "--id", i, "--to", to, "--note", note, *unit
            )
            assert result.code == 0, result.err


def _record_rows(town, tmp_path, name: str, header: str, rows: list[str]) -> None:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = z(town, "record", str(town), str(path))
    assert result.code == 0, result.err


def _audited(store) -> int:
    from sqlalchemy import func, select

    from workers.store import schema as t

    with store.engine.connect() as db:
        return db.execute(select(func.count()).select_from(t.audit)).scalar()


def test_export_brings_every_file_back(tmp_path, recorded):
    """plan, record, replan, followup plan, report; out/ deleted whole: export writes every
    file again, saying the same, with no new return-visit number and nothing audited. Once
    the return visits are recorded (nothing is left to plan) and another day too, export
    still writes the return-visit folder and the week's report as they were written."""
    town = tmp_path / "town"
    shutil.copytree(recorded, town)
    _resolve_requests(town)
    assert z(town, "replan", str(town), "--workers", "1").code == 0
    assert z(town, "followup", str(town), *FOLLOWUP).code == 0
    assert z(town, "report", str(town), "--week", "1").code == 0
    out = town / "out"
    before = contents(out)
    for name in ("回访-01/routes.csv", "回访-01/日路线.xlsx", "回访-01/summary.json"):
        assert name in before
    assert {"reports/周调度_第1周.xlsx", "reports/周调度_第1周.html"} <= before.keys()
    assert any(name.startswith("回访-01/maps/") for name in before)
    store = store_of(town)
    kept = (store.followups(1), _audited(store))
    shutil.rmtree(out)
    result = z(town, "export", str(town), "--workers", "1")
    assert result.code == 0, result.err
    assert "回访-01/" in result.out and "周调度_第1周.html" in result.out
    assert_brought_back(before, out)
    assert_files_match_store(store, out)
    assert (store.followups(1), _audited(store)) == kept

    back = planned_routes(out / "回访-01")
    _record_rows(
        town,
        tmp_path,
        "returns.csv",
        "对象编号,天,结果,走访人员编号,满意",
        [f"{r['target_id']},{r['day']},已走访,{r['cadre_id']},是" for r in back],
    )
    day2 = [r for r in planned_routes(out) if r["day"] == "2"]
    assert day2
    _record_rows(
        town,
        tmp_path,
        "day2.csv",
        "target_id,day,status,time",
        [f"{r['target_id']},2,visited,{r['arrive']}" for r in day2],
    )
    assert store.requests(1, RESOLVED) == []  # all visited back: nothing to plan again
    shutil.rmtree(out)
    assert z(town, "export", str(town), "--workers", "1").code == 0
    assert_brought_back({k: v for k, v in before.items() if k.startswith(PRINTED)}, out)


def test_export_says_which_return_visit_plans_it_cannot_print(tmp_path, recorded):
    """A return-visit plan stored before its sheet was kept (an older store) is named, with
    the command that prints it, and its folder is not made up."""
    from workers.store import schema as t

    town = tmp_path / "town"
    shutil.copytree(recorded, town)
    _resolve_requests(town)
    assert z(town, "followup", str(town), *FOLLOWUP, "--no-maps").code == 0
    store = store_of(town)
    with store.engine.begin() as db:
        db.execute(t.followup_sheets.delete())
    shutil.rmtree(town / "out")
    result = z(town, "export", str(town), "--workers", "1", "--no-maps")
    assert result.code == 0, result.err
    assert "回访-01（库中未保存其清单" in result.out and "--from 2027-03-04 --days 2" in result.out
    assert not (town / "out" / "回访-01").exists()


@pytest.mark.parametrize(
    "point",
    [
        "workers.store.followups:FollowupRepository.save_followup",  # nothing stored yet
        "workers.commands.followup_files:write_followup_files",  # stored, no file yet
        "os:replace@2",  # between two files
    ],
)
def test_followup_killed_is_stored_whole_and_exported(tmp_path, recorded, point):
    """A killed followup plan stores its plan and sheet whole or not at all; once stored,
    export writes its folder (no partial file), and planning the same days again keeps the
    number."""
    target, _, nth = point.partition("@")
    town = tmp_path / "town"
    shutil.copytree(recorded, town)
    _resolve_requests(town)
    killed(target, int(nth or 1), "followup", str(town), *FOLLOWUP)
    store = store_of(town)
    stored = store.followups(1)
    if point.startswith("workers.store"):
        assert stored == []
    else:
        (plan,) = stored
        assert plan.summary["followup"] == 1 and plan.returns
        assert z(town, "export", str(town), "--workers", "1").code == 0
        folder = town / "out" / "回访-01"
        assert json.loads((folder / "summary.json").read_text(encoding="utf-8")) == plan.summary
        rows = planned_routes(folder)
        assert sorted(r["target_id"] for r in rows) == sorted(
            s[0] for r in plan.routes for s in r["stops"]
        )
        for r in rows:
            assert (folder / "maps" / r["cadre_id"] / f"day-{int(r['day']):02d}.html").is_file()
        _whole(town / "out")
    again = z(town, "followup", str(town), *FOLLOWUP)
    assert again.code == 0, again.err
    assert [f.number for f in store.followups(1)] == [1]


def test_report_killed_is_exported_as_report_writes_it(tmp_path, recorded):
    """A report killed after storing its figures, before its files: export writes the two
    files, saying what report then writes."""
    town = tmp_path / "town"
    shutil.copytree(recorded, town)
    killed("optimizer.outputs.weekly:write_report", 1, "report", str(town), "--week", "1")
    assert [r.week for r in store_of(town).week_reports(1)] == [1]
    assert z(town, "export", str(town), "--workers", "1", "--no-maps").code == 0
    fresh = tmp_path / "fresh"
    assert z(town, "report", str(town), "--week", "1", "--out", str(fresh)).code == 0
    assert contents(town / "out" / "reports") == contents(fresh / "reports")


def test_followup_and_report_into_a_read_only_folder(tmp_path, recorded):
    """followup plan and report into a read-only folder: exit 1 saying to run export, the
    plan and the report stored; writable again, export writes both."""
    town = tmp_path / "town"
    shutil.copytree(recorded, town)
    _resolve_requests(town)
    shutil.rmtree(town / "out")
    with tmpfs(town / "out", "20m") as out:
        remount(out, "ro")
        try:
            for args in (("followup", str(town), *FOLLOWUP), ("report", str(town))):
                result = z(town, *args)
                assert result.code == 1 and "zoufang export" in result.err, result.err
                assert "Read-only file system" in result.err
            assert list(out.iterdir()) == []
        finally:
            remount(out, "rw")
        store = store_of(town)
        assert [f.number for f in store.followups(1)] == [1]
        assert [r.week for r in store.week_reports(1)] == [1]
        assert z(town, "export", str(town), "--workers", "1").code == 0
        assert_files_match_store(store, out)
        assert planned_routes(out / "回访-01")
        assert (out / "reports" / "周调度_第1周.html").is_file()
