"""The night's re-plan on its own: skipped with a reason, or `zoufang replan` once a day."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.workers.web.conftest import board_client, cadre_client, csrf_of
from workers.commands.campaign import open_campaign
from workers.web import create_app, schedule
from workers.web.config import CHINA, WebConfig


def test_nothing_recorded_today_is_skipped_with_reason(app, town):
    field = app.state.field
    assert schedule.nightly(field, app.state.replan) == "skipped"
    (run,) = field.store.runs(field.campaign_id)
    assert run["state"] == "skipped" and "没有登记任何走访结果" in run["reason"]
    assert schedule.nightly(field, app.state.replan) == "claimed"  # once per date
    assert field.current_version() == 1


def test_recorded_day_is_replanned_once_with_a_new_version(app, town):
    """After today's outcomes the job runs `zoufang replan`: version 2, visited stays done."""
    phone = cadre_client(app, town, "C2")
    stops = phone.get("/api/me/route?day=1").json()["stops"]
    rows = [
        {
            "attempt_id": f"attempt-n{i:03d}",
            "target_id": s["target_id"],
            "day": 1,
            "status": "visited" if i == 0 else "not_home",
            "time": s["arrive"],
        }
        for i, s in enumerate(stops)
    ]
    assert {r["result"] for r in phone.post("/api/me/outcomes", json=rows).json()} == {"accepted"}
    field = app.state.field
    assert schedule.nightly(field, app.state.replan) == "done"
    assert field.current_version() == 2
    assert schedule.nightly(field, app.state.replan) == "claimed"
    assert field.current_version() == 2
    _, store, campaign_id = open_campaign(town)
    later = {s.target_id for r in store.plan(campaign_id, 2).routes for s in r.stops}
    assert stops[0]["target_id"] not in later  # visited: frozen, never planned again
    # Today's route is what the cadre was told (version 1), tomorrow's is the new version.
    assert phone.get("/api/me/route?day=1").json()["plan_version"] == 1
    assert phone.get("/api/me/version?day=2").json()["plan_version"] == 2


def test_server_schedules_the_job_at_replan_at_in_china(town):
    app = create_app(WebConfig(town, schedule=True))
    with TestClient(app):
        job = app.state.scheduler.get_job(schedule.JOB_ID)
        when = job.next_run_time.astimezone(CHINA)
        assert (when.hour, when.minute) == (21, 30)


def test_coordinator_starts_a_replan_from_the_board(app, town):
    board = board_client(app)
    csrf = csrf_of(board.get("/board").text)
    assert (
        board.post("/board/replan", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    )
    runner = app.state.replan
    runner.lock.acquire()  # waits for the background run
    runner.lock.release()
    assert runner.last.ok and app.state.field.current_version() == 2
    assert "看板：王主任" in board.get("/board").text
