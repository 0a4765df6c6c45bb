"""Real services for worker tests: a fresh PostgreSQL database and a Redis database."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.helpers import service_or_skip

PG_ADMIN = os.environ.get("ZOUFANG_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("ZOUFANG_TEST_REDIS", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def pg_url():
    """A new PostgreSQL database for this test session, dropped afterwards."""
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except Exception as e:
        service_or_skip("PostgreSQL", str(e))
    name = f"zoufang_test_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    yield f"{base}/{name}"
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


@pytest.fixture
def redis_url():
    """Redis database 15, emptied before the test."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.ping()
    except Exception as e:
        service_or_skip("Redis", str(e))
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """The store's database: SQLite in a temp folder, and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'zoufang.db'}"
    url = request.getfixturevalue("pg_url")
    fresh_database(url)
    return url


def fresh_database(url: str) -> None:
    """Drop every table of the store, so each test starts empty."""
    from sqlalchemy import create_engine

    from workers.store.schema import metadata

    engine = create_engine(url)
    metadata.drop_all(engine)
    engine.dispose()
