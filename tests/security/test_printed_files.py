"""Return-visit plans (回访-NN/) and weekly reports (reports/) come back from the store.

``followup plan`` and ``report`` store what they print before writing it; ``export`` prints
it again, exactly, with no new number and nothing audited — after ``out/`` is deleted whole,
after the return visits are recorded and the ledger has moved on, after more nights, after
either command is SIGKILLed (``killpoint``) or meets a read-only folder (a real tmpfs).
"""

from __future__ import annotations

import json
import shutil

import pytest

from optimizer.domain.ledger import RESOLVED
from tests.security.checks import planned_routes
from tests.security.faults import (
    assert_brought_back,
    assert_files_match_store,
    assert_whole,
    contents,
    killed,
    remount,
    store_of,
    tmpfs,
    z,
)

FOLLOWUP = ("plan", "--from", "2027-03-04", "--days", "2", "--workers", "1")
PRINTED = ("回访-01/", "reports/")  # what followup plan and report write

pytestmark = pytest.mark.usefixtures("plain_environment")


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
        assert_whole(town / "out")
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
