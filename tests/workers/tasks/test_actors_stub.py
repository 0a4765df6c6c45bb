"""The actors on Dramatiq's StubBroker: fast, in-process, beside the real-Redis tests.

A night's re-plan dispatched by actor name (ids only) is solved and published once; the
same messages delivered again change nothing.
"""

from __future__ import annotations

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage, GroupCallbacks
from dramatiq.rate_limits.backends import StubBackend
from sqlalchemy import func, select

from optimizer.inputs import read_campaign
from optimizer.outputs.routes import write_outcomes_csv
from optimizer.sample import generate_sample, write_sample
from optimizer.sample.field import Field, simulate_day
from workers.commands import daily, plan
from workers.store import Store, schema
from workers.tasks import steps
from workers.tasks.actors import declare
from workers.tasks.broker import FINISH_REPLAN, QUEUE, REPLAN_CADRE
from workers.tasks.config import Config
from workers.tasks.dispatch import message, run_on_broker


@pytest.fixture
def stub(tmp_path, monkeypatch):
    """A planned town with day 1 recorded, its store, and a stub broker with the actors."""
    folder = write_sample(tmp_path / "town", generate_sample("huangtun", 300, seed=5))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setattr("workers.commands.campaign.current", lambda: Config(db_url=url))
    plan.plan_campaign(folder, time_limit_s=0.03, workers=1, maps=False)
    store = Store(url)
    campaign = read_campaign(folder)
    campaign_id = store.find_campaign(campaign)
    outcomes = simulate_day(campaign, store.plan(campaign_id, 1), 1, Field(not_home=0.3), 2)
    daily.record(folder, write_outcomes_csv(tmp_path / "day1.csv", outcomes))
    broker = StubBroker()
    broker.add_middleware(GroupCallbacks(StubBackend()))
    broker.add_middleware(CurrentMessage())
    broker.declare_queue(QUEUE)
    declare(broker, Config(db_url=url, replan_time_limit_s=0.01))
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    yield store, campaign_id, broker, worker
    worker.stop()
    broker.close()


def versions(store: Store, campaign_id: int) -> list[tuple[int, str]]:
    with store.engine.connect() as db:
        rows = db.execute(
            select(schema.plan_versions.c.version, schema.plan_versions.c.status)
            .where(schema.plan_versions.c.campaign_id == campaign_id)
            .order_by(schema.plan_versions.c.version)
        ).all()
    return [tuple(r) for r in rows]


def test_group_by_name_publishes_one_version(stub):
    """run_on_broker sends one message per changed cadre and the completion step, by name."""
    store, campaign_id, broker, worker = stub
    job = steps.begin(store, campaign_id)
    assert job.solve  # day 1 had misses
    run_on_broker(broker, store, job, stall_s=30)
    broker.join(QUEUE)
    worker.join()
    assert versions(store, campaign_id) == [(1, "published"), (2, "published")]
    done, total, missing = store.version_progress(campaign_id, job.version)
    assert done == total == len(job.solve) and not missing


def test_every_message_twice_changes_nothing(stub):
    """Each cadre's message and the completion step delivered twice: one version, no
    target planned twice."""
    store, campaign_id, broker, worker = stub
    job = steps.begin(store, campaign_id)
    messages = [message(REPLAN_CADRE, campaign_id, c, job.version) for c in job.solve]
    for m in [*messages, *messages, message(FINISH_REPLAN, campaign_id, job.version)] * 2:
        broker.enqueue(m.copy())
    broker.join(QUEUE)
    worker.join()
    assert versions(store, campaign_id) == [(1, "published"), (2, "published")]
    with store.engine.connect() as db:
        count, distinct = db.execute(
            select(func.count(), func.count(func.distinct(schema.stops.c.target_id))).where(
                (schema.stops.c.campaign_id == campaign_id) & (schema.stops.c.version == 2)
            )
        ).one()
    assert count == distinct > 0


def test_actors_need_their_own_database():
    """A worker without ZOUFANG_DB cannot declare the actors (messages carry no address)."""
    with pytest.raises(ValueError, match="ZOUFANG_DB"):
        declare(StubBroker(), Config())
