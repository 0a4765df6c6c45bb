"""What the board shows: progress, quality flags (never rankings), live updates, logs."""

from __future__ import annotations

import logging

from optimizer.domain.codes import OutcomeStatus
from optimizer.domain.model import Outcome
from tests.helpers import write_rows
from tests.workers.web.conftest import board_client, cadre_client
from workers.cli.web_cmd import RedactLinks
from workers.commands import daily
from workers.web import figures


def visits(minutes: list[int], cadre: str = "C1") -> list[Outcome]:
    return [Outcome(f"T{i}", 1, OutcomeStatus.VISITED, m, cadre) for i, m in enumerate(minutes)]


def test_rush_flag_needs_five_visits_within_ten_minutes():
    cadres = {}
    assert len(figures._rush_flags(visits([540, 542, 544, 546, 548]), cadres)) == 1
    assert figures._rush_flags(visits([540, 542, 544, 546]), cadres) == []
    assert figures._rush_flags(visits([540, 550, 560, 570, 580]), cadres) == []
    (flag,) = figures._rush_flags(visits([500, 540, 541, 542, 549, 550, 600]), cadres)
    assert "09:00–09:10" in flag["text"] and "5 户" in flag["text"]


def test_far_flag_from_phone_location_on_the_board(app, town):
    """An outcome saved ~2 km from its target (phone accurate to 50 m) is flagged; one with an
    accuracy of 5 km is not; the flag names the cadre masked, never the resident."""
    phone = cadre_client(app, town, "C1")
    rows = [
        {"attempt_id": "attempt-f001", "target_id": "T1", "day": 1, "status": "visited",
         "time": "09:00", "lat": 35.02, "lon": 117.2, "accuracy": 50},
        {"attempt_id": "attempt-f002", "target_id": "T2", "day": 1, "status": "not_home",
         "time": "09:10", "lat": 35.02, "lon": 117.2, "accuracy": 5000},
    ]  # fmt: skip
    assert [r["result"] for r in phone.post("/api/me/outcomes", json=rows).json()] == [
        "accepted",
        "accepted",
    ]
    state = figures.board_state(app.state.field, app.state.replan)
    far = [f for f in state["flags"] if f["kind"] == "far"]
    assert len(far) == 1 and far[0]["cadre_id"] == "C1" and "T1" in far[0]["text"]
    assert "2.2 公里" in far[0]["text"]
    board = board_client(app).get("/board").text
    assert "质量提示（供抽查参考，不作排名）" in board and "刘*（C1）：第1天 对象 T1" in board
    assert "张三明" not in board and "张*明" not in board


def test_live_part_answers_204_until_something_changes(app, town):
    board = board_client(app)
    first = board.get("/board/live")
    key = first.text.split('data-live-key="', 1)[1].split('"', 1)[0]
    assert board.get("/board/live", params={"key": key}).status_code == 204
    phone = cadre_client(app, town, "C1")
    row = {
        "attempt_id": "attempt-l001",
        "target_id": "T1",
        "day": 1,
        "status": "visited",
        "time": "09:00",
    }
    assert phone.post("/api/me/outcomes", json=[row]).json()[0]["result"] == "accepted"
    figures._cache.clear()  # the few-second throttle would otherwise hold the old figures
    changed = board.get("/board/live", params={"key": key})
    assert changed.status_code == 200 and 'data-cadre="C1"' in changed.text
    assert "尚未打开链接" in changed.text  # C2 and C3 never synced


def test_silent_cadres_and_an_honest_finish_on_the_board(app, town, tmp_path):
    """Day 1's file holds C1's and C2's stops only: the board names C3 (masked) as silent on
    day 1; after the re-plan, C1 (nothing left) reads 已完成 and C3 the day T3 moved to."""
    rows = [["T1", 1, "已走访"], ["T2", 1, "已走访"], ["T4", 1, "已走访"]]
    daily.record(town, write_rows(tmp_path / "d1.csv", ["对象编号", "天", "结果"], rows))
    summary = daily.replan(town, workers=1, maps=False)
    figures._cache.clear()
    state = figures.board_state(app.state.field, app.state.replan)
    assert [(n["day"], [c["cadre_id"] for c in n["cadres"]]) for n in state["silent"]] == [
        (1, ["C3"])
    ]
    finish = {c["cadre_id"]: c["finish"] for c in state["by_cadre"]}
    assert finish["C1"] == finish["C2"] == "已完成"
    assert finish["C3"] == f"第 {summary['projected_finish_day']['C3']} 天" != "第 1 天"
    page = board_client(app).get("/board").text
    assert "未报告任何结果的人员" in page and "第 1 天" in page and "周*（C3，1 处）" in page
    assert "周三" not in page


def test_access_log_never_shows_a_link_token():
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "GET", "/c/WzEsImFiYyJd.sig", "1.1", 303), None,
    )  # fmt: skip
    assert RedactLinks().filter(record)
    assert "WzEsImFiYyJd" not in record.getMessage() and "/c/***" in record.getMessage()


def test_access_log_leaves_out_stored_syncs_only():
    """A sync answered 200 is not an access-log line (its group is logged by the writers); a
    refused one is, and so is every other request."""

    def line(method: str, path: str, status: int) -> logging.LogRecord:
        return logging.LogRecord(
            "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
            ("1.2.3.4:5", method, path, "1.1", status), None,
        )  # fmt: skip

    assert not RedactLinks().filter(line("POST", "/api/me/outcomes", 200))
    assert RedactLinks().filter(line("POST", "/api/me/outcomes", 401))
    assert RedactLinks().filter(line("GET", "/api/me/route", 200))
