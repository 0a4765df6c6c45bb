"""Recording a day again: the same file adds nothing; a different file for a recorded
(target, day) shows the differences and needs --replace (audited), or is refused; nothing a
resident said is dropped."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers import write_folder
from tests.security.checks import run_in_process
from tests.security.faults import counts, store_of
from workers.store import schema as t

HEADER = "target_id,day,status,time,category,request"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def town(request, tmp_path, monkeypatch):
    """The tiny town, planned, in SQLite or PostgreSQL; yields (folder, store)."""
    from workers.tasks.config import current

    monkeypatch.delenv("ZOUFANG_BROKER", raising=False)
    monkeypatch.delenv("ZOUFANG_DB", raising=False)
    url = None
    if request.param == "postgresql":
        from tests.workers.conftest import fresh_database

        url = request.getfixturevalue("pg_url")
        fresh_database(url)
        monkeypatch.setenv("ZOUFANG_DB", url)
    current.cache_clear()
    folder = write_folder(tmp_path / "town")
    assert z(folder, "plan", str(folder), "--time-limit", "0.05", "--workers", "1",
             "--no-maps").code == 0  # fmt: skip
    yield folder, store_of(folder, url)
    current.cache_clear()


def z(folder, *args):
    return run_in_process(folder.parent, *args)


def outcomes_file(folder, name: str, *rows: str):
    path = folder.parent / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def stored(store) -> list[tuple]:
    o = t.outcomes.c
    with store.engine.connect() as db:
        rows = db.execute(
            select(o.target_id, o.day, o.status, o.time_key, o.category, o.request).order_by(
                o.target_id, o.day, o.time_key
            )
        ).all()
    return [tuple(r) for r in rows]


def test_the_same_file_twice_adds_nothing(town):
    folder, store = town
    first = outcomes_file(folder, "a.csv", "T1,1,visited,09:00,1-1,路灯不亮", "T4,1,not_home,,,")
    assert "已登记 2 条" in z(folder, "record", str(folder), first).out
    again = z(folder, "record", str(folder), first)
    assert again.code == 0 and "已登记 0 条" in again.out
    assert len(stored(store)) == 2


def test_another_status_for_a_recorded_day_is_refused_with_the_difference(town):
    """未遇 where 已走访 was recorded: exit 2 naming row and both versions; nothing stored."""
    folder, store = town
    z(folder, "record", str(folder), outcomes_file(folder, "a.csv", "T1,1,visited,09:00,,"))
    before = stored(store)
    other = outcomes_file(folder, "b.csv", "T4,1,visited,10:00,,", "T1,1,not_home,09:00,,")
    result = z(folder, "record", str(folder), other)
    assert result.code == 2
    assert (
        "b.csv 第3行" in result.err and "已登记「已走访 09:00」，本文件「未遇 09:00」" in result.err
    )
    assert "--replace" in result.err
    assert stored(store) == before  # not even the new T4 row: the file is one unit


def test_a_corrected_row_that_adds_a_request_is_never_dropped(town):
    """The same visit again, now with a 诉求: shown as a difference (not '0 new'); with
    --replace the request opens in the ledger, and the correction is audited."""
    folder, store = town
    z(folder, "record", str(folder), outcomes_file(folder, "a.csv", "T1,1,visited,09:00,,"))
    fixed = outcomes_file(folder, "fixed.csv", "T1,1,visited,09:00,2-1,路灯不亮")
    refused = z(folder, "record", str(folder), fixed)
    assert refused.code == 2 and "诉求 2-1 路灯不亮" in refused.err
    assert counts(store)["requests"] == 0
    done = z(folder, "record", str(folder), fixed, "--replace", "补录诉求")
    assert done.code == 0, done.err
    assert counts(store)["requests"] == 1
    assert [(a["action"], a["reason"]) for a in store.audit_log(1)] == [
        ("record --replace", "补录诉求")
    ]


def test_replace_keeps_the_request_and_its_history(town):
    """A correction of a visit that raised a request: the request follows the corrected text
    (same id, an event says so); a correction that would drop it is refused."""
    folder, store = town
    z(folder, "record", str(folder),
      outcomes_file(folder, "a.csv", "T1,1,visited,09:00,2-1,路灯不亮"))  # fmt: skip
    assert z(folder, "ledger", str(folder), "update", "--id", "1", "--to", "办理中").code == 0
    dropped = outcomes_file(folder, "drop.csv", "T1,1,visited,09:30,,")
    refused = z(folder, "record", str(folder), dropped, "--replace", "时间录错")
    assert refused.code == 2 and "不能在重新登记时删除" in refused.err
    moved = outcomes_file(folder, "fix.csv", "T1,1,visited,09:30,2-1,路灯不亮，已报修")
    assert z(folder, "record", str(folder), moved, "--replace", "时间录错").code == 0
    assert stored(store) == [("T1", 1, "visited", 570, "2-1", "路灯不亮，已报修")]
    [request] = store.requests(1)
    assert request.id == 1 and request.state == "办理中" and request.text == "路灯不亮，已报修"
    assert "更正" in store.request_events(1)[-1].note


def test_another_file_of_the_same_day_for_other_targets_is_accepted(town):
    """Two cadres' files of one day: no overlap, no difference, both stored."""
    folder, store = town
    z(folder, "record", str(folder), outcomes_file(folder, "a.csv", "T1,1,visited,09:00,,"))
    other = z(folder, "record", str(folder), outcomes_file(folder, "b.csv", "T4,1,visited,,,"))
    assert other.code == 0 and "已登记 1 条" in other.out
    assert len(stored(store)) == 2


def test_replace_needs_a_reason(town):
    folder, _ = town
    path = outcomes_file(folder, "a.csv", "T1,1,visited,09:00,,")
    assert z(folder, "record", str(folder), path, "--replace", " ").code == 2
