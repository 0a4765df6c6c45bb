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


def test_concurrent_resends_store_each_outcome_once(tmp_path, monkeypatch, pg_url):
    """Eight threads send the same rows (same attempt ids) and new ids for the same outcomes:
    one outcome each, all results accepted or duplicate, exactly one accepted per outcome."""
    fresh_database(pg_url)
    monkeypatch.setenv("ZOUFANG_DB", pg_url)
    town = write_folder(tmp_path / "town", toml=town_toml())
    plan.plan_campaign(town, time_limit_s=0.05, workers=1, maps=False)
    links.issue_links(town, "http://testserver")
    app = create_app(WebConfig(town, schedule=False))
    token = path_of(read_links(town)["C1"]).removeprefix("/c/")
    headers = {"Authorization": f"Bearer {token}"}
    client = TestClient(app)
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
    town = write_folder(tmp_path / "town", toml=town_toml())
    plan.plan_campaign(town, time_limit_s=0.05, workers=1, maps=False)
    links.issue_links(town, "http://testserver")
    app = create_app(WebConfig(town, schedule=False))
    token = path_of(read_links(town)["C2"]).removeprefix("/c/")
    headers = {"Authorization": f"Bearer {token}"}
    client = TestClient(app)
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
