"""Real services for the tests that are about them: skip without one, fail in CI."""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import pytest


def _unavailable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable: {error}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: services must run)", pytrace=False)
    pytest.skip(message)


def _libpq(url: str) -> str:
    """The URL as libpq takes it (SQLAlchemy's may name a driver: postgresql+psycopg://)."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def require_postgres(url: str) -> None:
    import psycopg

    try:
        psycopg.connect(_libpq(url), connect_timeout=3).close()
    except psycopg.OperationalError as error:
        _unavailable("PostgreSQL", error)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _execute(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(_libpq(url), autocommit=True) as connection:
        connection.execute(statement)


def create_database(url: str, name: str) -> None:
    _execute(url, f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    _execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_url() -> str:
    """The Redis of REDIS_URL (or the default local one), skipping or failing without it."""
    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.exceptions.ConnectionError as error:
        _unavailable("Redis", error)
    return url


def fresh_database(kind: str) -> tuple[str, Callable[[], None]]:
    """A new empty database and how to drop it: PostgreSQL if DATABASE_URL says so, else a
    SQLite file. `kind` names it (keyledger_<kind>_…), so leftovers tell whose they are."""
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgresql"):
        require_postgres(url)
        name = f"keyledger_{kind}_{uuid.uuid4().hex[:10]}"
        create_database(url, name)
        return with_database(url, name), lambda: drop_database(url, name)
    path = os.path.join(tempfile.mkdtemp(prefix=f"keyledger-{kind}-"), f"{kind}.db")
    return f"sqlite:///{path}", lambda: None
