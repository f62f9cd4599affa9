"""Real services for the tests that are about them: skip without one, fail in CI."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest


def _unavailable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable: {error}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: services must run)", pytrace=False)
    pytest.skip(message)


def require_postgres(url: str) -> None:
    import psycopg2

    try:
        psycopg2.connect(url, connect_timeout=3).close()
    except psycopg2.OperationalError as error:
        _unavailable("PostgreSQL", error)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection(url: str):
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    return connection


def create_database(url: str, name: str) -> None:
    with _admin_connection(url) as connection, connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    connection = _admin_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        connection.close()


def redis_url() -> str:
    """The Redis of REDIS_URL (or the default local one), skipping or failing without it."""
    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.exceptions.ConnectionError as error:
        _unavailable("Redis", error)
    return url
