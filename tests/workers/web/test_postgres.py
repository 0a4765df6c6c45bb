"""The field API on PostgreSQL: many phones resending at once store each outcome once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.helpers import write_folder
from tests.workers.conftest import fresh_database
from tests.workers.web.conftest import path_of, read_links, town_toml
from workers.commands import daily, plan
from workers.store import schema
from workers.web import create_app, links
from workers.web.config import WebConfig

pytestmark = pytest.mark.services


def served(tmp_path, cadre_id: str):
    """A planned tiny town on PostgreSQL (``ZOUFANG_DB`` set by the caller), its app, a
    client and the Authorization header of ``cadre_id``'s link, beside the town's folder."""
    town = write_folder(tmp_path / "town", toml=town_toml())
    plan.plan_campaign(town, time_limit_s=0.05, workers=1, maps=False)
    links.issue_links(town, "http://testserver")
    app = create_app(WebConfig(town, schedule=False))
    token = path_of(read_links(town)[cadre_id]).removeprefix("/c/")
    return town, app, TestClient(app), {"Authorization": f"Bearer {token}"}


def test_concurrent_resends_store_each_outcome_once(tmp_path, monkeypatch, pg_url):
    """Eight threads send the same rows (same attempt ids) and new ids for the same outcomes:
    one outcome each, all results accepted or duplicate, exactly one accepted per outcome."""
    fresh_database(pg_url)
    monkeypatch.setenv("ZOUFANG_DB", pg_url)
    town, app, client, headers = served(tmp_path, "C1")
    stops = client.get("/api/me/route?day=1", headers=headers).json()["stops"]
    assert stops

    def send(k: int):
        rows = [
            {
                "attempt_id": f"attempt-{'same' if k % 2 else k}-{s['seq']:03d}",
                "target_id": s["target_id"],
                "day": 1,
                "status": "not_home",
                "time": "10:00",
            }
            for s in stops
        ]
        return client.post("/api/me/outcomes", json=rows, headers=headers).json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    results = [r["result"] for a in answers for r in a]
    assert set(results) <= {"accepted", "duplicate"}
    assert results.count("accepted") == len(stops)
    field = app.state.field
    o = schema.outcomes.c
    with field.store.engine.connect() as db:
        stored = db.execute(
            select(func.count()).where(o.campaign_id == field.campaign_id)
        ).scalar_one()
    assert stored == len(stops)
    assert daily.status(town)["by_cadre"]["C1"]["not_home"] == len(stops)
    # The phone's contact is noted once (written in the same statement as the attempts).
    (phone,) = field.store.devices(field.campaign_id)
    assert (phone["cadre_id"], phone["device_id"], phone["backlog"]) == ("C1", "api", len(stops))
    field.store.engine.dispose()


def test_nightly_replan_goes_through_the_dramatiq_workers(tmp_path, monkeypatch, pg_url, redis_url):
    """With ZOUFANG_BROKER set, the scheduled job's `zoufang replan` is solved by the Redis
    workers (without them it would wait): version 2, once."""
    from tests.workers.tasks.test_broker import environment, start_worker, stop
    from workers.web import schedule

    fresh_database(pg_url)
    env = environment(pg_url, redis_url)
    for key in ("ZOUFANG_DB", "ZOUFANG_BROKER", "PYTHONPATH", "ZOUFANG_HEARTBEAT_MS",
                "ZOUFANG_MAINTENANCE_CHANCE", "ZOUFANG_STALL_S"):  # fmt: skip
        monkeypatch.setenv(key, env[key])
    _, app, client, headers = served(tmp_path, "C2")
    stop_ = client.get("/api/me/route?day=1", headers=headers).json()["stops"][0]
    row = {"attempt_id": "attempt-w001", "target_id": stop_["target_id"], "day": 1,
           "status": "not_home", "time": stop_["arrive"]}  # fmt: skip
    assert (
        client.post("/api/me/outcomes", json=[row], headers=headers).json()[0]["result"]
        == "accepted"
    )
    worker = start_worker(env)
    try:
        assert schedule.nightly(app.state.field, app.state.replan) == "done"
    finally:
        stop(worker)
    assert app.state.field.current_version() == 2
    assert app.state.field.store.runs(app.state.field.campaign_id)[0]["state"] == "done"
    app.state.field.store.engine.dispose()


def test_a_burst_with_places_and_requests_stores_every_column(tmp_path, monkeypatch, pg_url):
    """Rows with and without a place, with a request and without, in one sync on PostgreSQL:
    each attempt keeps its own place, the request is registered once, a target of another
    cadre is rejected and nothing of it is stored."""
    fresh_database(pg_url)
    monkeypatch.setenv("ZOUFANG_DB", pg_url)
    _, app, client, headers = served(tmp_path, "C1")
    stops = client.get("/api/me/route?day=1", headers=headers).json()["stops"]
    field = app.state.field
    owner = field.store.assignment(field.campaign_id).cadre_of()
    others = [t for t, c in owner.items() if c != "C1"]
    assert len(stops) >= 2 and others
    first, second = stops[0]["target_id"], stops[1]["target_id"]
    rows = [
        {"attempt_id": "attempt-p001", "target_id": first, "day": 1, "status": "visited",
         "time": "09:00", "category": "1-1", "request": "路灯不亮",
         "lat": 35.1, "lon": 117.2, "accuracy": 12},
        {"attempt_id": "attempt-p002", "target_id": second, "day": 1, "status": "not_home",
         "time": "09:30"},
        {"attempt_id": "attempt-p003", "target_id": others[0], "day": 1, "status": "visited",
         "time": "10:00"},
    ]  # fmt: skip
    answer = client.post("/api/me/outcomes", json=rows, headers=headers).json()
    assert [r["result"] for r in answer] == ["accepted", "accepted", "rejected"]
    attempts = field.store.attempts(field.campaign_id)
    places = {a["attempt_id"]: (a["lat"], a["lon"], a["accuracy_m"]) for a in attempts}
    assert places == {"attempt-p001": (35.1, 117.2, 12.0), "attempt-p002": (None, None, None)}
    (request,) = field.store.requests(field.campaign_id)
    assert (request.target_id, request.text, request.cadre_id) == (first, "路灯不亮", "C1")
    stored = {(o.target_id, o.status.value) for o in field.store.outcomes(field.campaign_id)}
    assert stored == {(first, "visited"), (second, "not_home")}
    again = client.post("/api/me/outcomes", json=rows[:2], headers=headers).json()
    assert [r["result"] for r in again] == ["duplicate", "duplicate"]
    assert len(field.store.requests(field.campaign_id)) == 1
    field.store.engine.dispose()


def test_owners_of_few_and_many_ids_agree(tmp_path, monkeypatch, pg_url):
    """The owners of a few targets (looked up one by one) and of many (one hash) are the
    same on PostgreSQL; ids not in the assignment are left out of both."""
    from workers.store.field_reads import FEW_IDS

    fresh_database(pg_url)
    monkeypatch.setenv("ZOUFANG_DB", pg_url)
    town = write_folder(tmp_path / "town", toml=town_toml())
    plan.plan_campaign(town, time_limit_s=0.05, workers=1, maps=False)
    field = create_app(WebConfig(town, schedule=False)).state.field
    store, campaign_id = field.store, field.campaign_id
    owner = store.assignment(campaign_id).cadre_of()
    unknown = [f"X{i:05d}" for i in range(FEW_IDS)]
    assert store.owners_of(campaign_id, [*owner, "X-none"]) == owner
    assert store.owners_of(campaign_id, [*owner, *unknown]) == owner
    assert store.owners_of(campaign_id, ["X-none"]) == {}
    store.engine.dispose()
