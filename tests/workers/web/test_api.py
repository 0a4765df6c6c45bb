"""The cadre API: the day's route, outcomes through the same checks and store as `record`."""

from __future__ import annotations

import csv

import pytest
from fastapi.testclient import TestClient

from maps.coords import wgs84_to_gcj02
from optimizer.domain.ledger import RESOLVED, RETURNED
from tests.workers.web.conftest import cadre_client, path_of, read_links
from workers.commands import daily
from workers.commands.campaign import open_campaign

# Every test on both stores: PostgreSQL writes a sync in one statement of its own (field_pg).
pytestmark = pytest.mark.parametrize(
    "town", ["sqlite", pytest.param("postgresql", marks=pytest.mark.services)], indirect=True
)


def row(attempt: str, target: str, status: str = "visited", time: str = "09:00", **extra) -> dict:
    return {"attempt_id": attempt, "target_id": target, "day": 1, "status": status,
            "time": time, "category": "", "request": "", **extra}  # fmt: skip


def test_route_lists_own_stops_masked_with_gcj02(app, town):
    """C1's day 1: its own targets in order, names masked, the phone of its own target, and
    GCJ-02 coordinates for 高德 equal to maps.coords."""
    phone = cadre_client(app, town, "C1")
    body = phone.get("/api/me/route?day=1").json()
    assert body["plan_version"] == 1 and body["day"] == 1 and body["cadre"]["name"] == "刘*"
    ids = [s["target_id"] for s in body["stops"]]
    assert ids and set(ids) <= {"T1", "T2"}
    assert [s["seq"] for s in body["stops"]] == list(range(1, len(ids) + 1))
    t1 = next(s for s in body["stops"] if s["target_id"] == "T1")
    assert t1["name"] == "张*明" and t1["priority"] and t1["phone"] == "13812345678"
    lat, lon = wgs84_to_gcj02(35.0, 117.2)
    assert abs(t1["gcj_lat"] - lat) < 1e-6 and abs(t1["gcj_lon"] - lon) < 1e-6
    page = phone.get("/m/?day=1").text
    assert "uri.amap.com/navigation?to=" in page and "张三明" not in page


def test_outcomes_accepted_duplicate_and_counted_by_status(app, town):
    """Accepted once; the same attempt again and a new attempt of the same outcome are
    duplicates; `zoufang status` counts it; recording it from a file adds nothing."""
    phone = cadre_client(app, town, "C2")
    target = phone.get("/api/me/route?day=1").json()["stops"][0]["target_id"]
    first = phone.post("/api/me/outcomes", json=[row("attempt-0001", target)]).json()
    assert first == [{"attempt_id": "attempt-0001", "result": "accepted", "reason": ""}]
    again = phone.post(
        "/api/me/outcomes", json=[row("attempt-0001", target), row("attempt-0002", target)]
    ).json()
    assert [r["result"] for r in again] == ["duplicate", "duplicate"]
    status = daily.status(town)
    assert status["by_cadre"]["C2"]["done"] == 1
    path = town / "same.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(
            [["target_id", "day", "status", "time"], [target, 1, "visited", "09:00"]]
        )
    assert daily.record(town, path) == (0, 1)


def test_other_cadres_target_is_rejected_and_nothing_stored(app, town):
    """C1 posting C2's target T4: rejected with the reason; its own row in the same sync is kept."""
    phone = cadre_client(app, town, "C1")
    results = phone.post(
        "/api/me/outcomes",
        json=[row("attempt-a001", "T4"), row("attempt-a002", "T2", "not_home", "10:00")],
    ).json()
    assert results[0]["result"] == "rejected" and "不是对象 T4 的包干人员" in results[0]["reason"]
    assert results[1]["result"] == "accepted"
    _, store, campaign_id = open_campaign(town)
    assert [o.target_id for o in store.outcomes(campaign_id)] == ["T2"]


def test_bad_rows_are_rejected_with_reasons(app, town):
    """The checks of `zoufang record`: unknown status, day outside the campaign, bad time,
    bad category; a malformed attempt id; nothing of them is stored."""
    phone = cadre_client(app, town, "C1")
    results = phone.post(
        "/api/me/outcomes",
        json=[
            row("attempt-b001", "T1", status="maybe"),
            {**row("attempt-b002", "T1"), "day": 99},
            row("attempt-b003", "T1", time="25:99"),
            row("attempt-b004", "T1", category="9-9"),
            row("x", "T1"),
            "not a row",
        ],
    ).json()
    assert [r["result"] for r in results] == ["rejected"] * 6
    assert all(r["reason"] for r in results)
    _, store, campaign_id = open_campaign(town)
    assert store.outcomes(campaign_id) == []


def test_bearer_token_and_its_revocation(app, town):
    """The link's token works as a Bearer token; tampered → 401; revoked → 401 and the session
    opened with it ends too."""
    from workers.web import links

    token = path_of(read_links(town)["C1"]).removeprefix("/c/")
    api = TestClient(app)
    assert api.get("/api/me/route", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert (
        api.get("/api/me/route", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401
    )
    other = token.replace(token.split(".")[0], token.split(".")[0][:-1] + "x")
    assert api.get("/api/me/route", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    phone = cadre_client(app, town, "C1")
    assert phone.get("/api/me/route").status_code == 200
    assert links.revoke_link(town, "C1") == 1
    assert api.get("/api/me/route", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert phone.get("/api/me/route").status_code == 401
    assert api.get(f"/c/{token}", follow_redirects=False).status_code == 401
    assert TestClient(app).get("/api/me/route").status_code == 401  # no credentials at all


def test_request_opens_ledger_and_return_visit_closes_loop(app, town):
    """A 诉求 with the visit opens a 登记 request taken by the cadre; once resolved it shows
    on the cadre's page as a 回访, and 满意 moves it to 已回访."""
    phone = cadre_client(app, town, "C2")
    target = phone.get("/api/me/route?day=1").json()["stops"][0]["target_id"]
    sent = phone.post(
        "/api/me/outcomes", json=[row("attempt-c001", target, category="1-1", request="路灯不亮")]
    ).json()
    assert sent[0]["result"] == "accepted"
    _, store, campaign_id = open_campaign(town)
    (request,) = store.requests(campaign_id)
    assert request.cadre_id == "C2" and request.text == "路灯不亮"
    store.update_request(campaign_id, request.id, RESOLVED, "王主任", "已修复")
    returns = phone.get("/api/me/route?day=1").json()["returns"]
    assert [r["request_id"] for r in returns] == [request.id]
    assert cadre_client(app, town, "C3").get("/api/me/route?day=1").json()["returns"] == []
    visit = row("attempt-c002", target, time="16:00", satisfied=True)
    assert phone.post("/api/me/outcomes", json=[visit]).json()[0]["result"] == "accepted"
    assert store.requests(campaign_id)[0].state == RETURNED


def test_json_body_required(app, town):
    """A cross-site form cannot post outcomes: the API takes application/json only."""
    phone = cadre_client(app, town, "C1")
    response = phone.post("/api/me/outcomes", data={"attempt_id": "attempt-d001"})
    assert response.status_code == 415
    assert (
        phone.post(
            "/api/me/outcomes", content=b"{", headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )


def test_attempt_sent_twice_in_one_burst_is_accepted_once(app, town):
    """Two syncs of one group commit carrying the same attempt id (a phone resending while
    its first post is still waiting): the first is accepted, the second a duplicate."""
    from workers.web.auth import read_token
    from workers.web.service import Sync

    field = app.state.field
    token = path_of(read_links(town)["C2"]).removeprefix("/c/")
    secret = read_token(field.key, field.campaign_id, token)
    target = cadre_client(app, town, "C2").get("/api/me/route?day=1").json()["stops"][0]
    rows = [row("attempt-e001", target["target_id"])]
    first, second = field.record_many([Sync(secret, None, "phone", rows)] * 2)
    assert [r.result for r in first] == ["accepted"]
    assert [r.result for r in second] == ["duplicate"]
    assert daily.status(town)["by_cadre"]["C2"]["done"] == 1
