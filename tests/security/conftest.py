"""The real services of the worker tests (PostgreSQL, Redis), for the security tests too."""

from tests.workers.conftest import pg_url, redis_url  # noqa: F401  (fixtures)
