"""Fixtures of the job tests: a dedicated Redis database, the session's database URL and
`rq worker` processes on both (job_runs, which cleans up what jobs wrote, is in
tests/conftest.py: the fault tests use it too)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.support import services
from tests.support.processes import Workers, process_env

# the jobs tests' own Redis database, flushed before and after each test; two suites run at
# once on one machine (SQLite and PostgreSQL side by side) each need their own
REDIS_DB = int(os.environ.get("KEYLEDGER_TEST_REDIS_DB", "13"))


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database of its own (skips without Redis; fails in CI), flushed around."""
    import redis

    parts = urlsplit(services.redis_url())
    url = urlunsplit(parts._replace(path=f"/{REDIS_DB}"))
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    yield url
    connection.flushdb()
    connection.close()


@pytest.fixture
def database_url(app) -> str:
    """The session database, which worker processes share (PostgreSQL or the SQLite file)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        services.require_postgres(url)
    return url


@pytest.fixture
def workers(app, database_url, redis_url, tmp_path) -> Iterator[Workers]:
    """Two worker processes on the session database and the test Redis."""
    instance = tmp_path / "instance"
    instance.mkdir()
    pool = Workers(process_env(database_url, redis_url, instance), tmp_path)
    for number in (1, 2):
        pool.start(f"kl-test-{number}-{os.getpid()}")
    try:
        pool.wait_ready()
        yield pool
    finally:
        pool.stop()
