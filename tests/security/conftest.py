"""The real services of the worker tests (PostgreSQL, Redis), for the security tests too;
the fault tests' planned town and plain environment."""

import pytest

from tests.helpers import write_folder
from tests.security.faults import PLAN, record_day1, z
from tests.workers.conftest import pg_url, redis_url  # noqa: F401  (fixtures)


@pytest.fixture
def plain_environment(monkeypatch):
    """In-process commands read no ZOUFANG_DB / ZOUFANG_BROKER of the test runner (the fault
    tests use it for every test)."""
    from workers.tasks.config import current

    for name in ("ZOUFANG_DB", "ZOUFANG_BROKER"):
        monkeypatch.delenv(name, raising=False)
    current.cache_clear()
    yield
    current.cache_clear()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A planned town with day 1 recorded: copied for each test that goes on from there."""
    from workers.tasks.config import current

    root = tmp_path_factory.mktemp("recorded")
    town = write_folder(root / "town")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("ZOUFANG_DB", "ZOUFANG_BROKER"):
            mp.delenv(name, raising=False)
        current.cache_clear()
        assert z(town, "plan", str(town), *PLAN).code == 0
        assert z(town, "record", str(town), str(record_day1(town, root))).code == 0
        current.cache_clear()
    return town
