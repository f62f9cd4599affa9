"""Where sessions live (issue 14): the database (table web_session) by default, Redis when
REDIS_URL is set, and the database again while Redis does not answer.

A session is stored under the SHA-256 of its cookie's random id, with its user (to end
them all at once, or list them), when it began, when and where from it was last used. The
stores know nothing of requests: app/web/sessions.py reads and writes them for each request.
"""

from __future__ import annotations

import json
import logging
import math
import random
from dataclasses import asdict, dataclass
from typing import Protocol

import redis
from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Insert

from app import models as m
from app.extensions import db

logger = logging.getLogger(__name__)
PURGE_CHANCE = 0.02  # one new session in fifty deletes the expired ones (the database store)


@dataclass
class Record:
    data: str  # the session's values, as tagged JSON
    user_id: int | None
    created: float  # Unix time
    seen: float  # Unix time of the last request
    address: str | None = None  # of the last request written back
    user_agent: str | None = None


@dataclass
class Limits:
    idle: float  # seconds without a request after which a session ends
    lifetime: float  # seconds after its start after which a session ends

    def alive(self, record: Record, now: float) -> bool:
        return now - record.seen <= self.idle and now - record.created <= self.lifetime

    def ttl(self, record: Record, now: float) -> float:
        return max(1.0, min(self.idle, record.created + self.lifetime - now))


class Store(Protocol):
    def get(self, key: str) -> Record | None: ...

    def put(self, key: str, record: Record, now: float) -> None: ...

    def delete(self, key: str) -> None: ...

    def delete_user(self, user_id: int) -> None: ...

    def user_sessions(self, user_id: int) -> dict[str, Record]: ...


def upsert(connection: Connection, table, values: dict, key: str, changes: dict) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE, in PostgreSQL's or SQLite's words."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement: Insert = dialect.insert(table).values(**values)
    connection.execute(statement.on_conflict_do_update(  # type: ignore[attr-defined]
        index_elements=[table.c[key]], set_=changes))


class DatabaseStore:
    """Sessions in web_session, through connections of their own (not the request's
    transaction: a session is saved whether or not the request's writes were)."""

    table = m.WebSession.__table__

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def get(self, key: str) -> Record | None:
        t = self.table
        with db.engine.connect() as connection:
            row = connection.execute(select(*self._columns()).where(t.c.id == key)).first()
        return Record(*row) if row else None

    def _columns(self) -> tuple:
        t = self.table
        return t.c.data, t.c.user_id, t.c.created_at, t.c.seen_at, t.c.address, t.c.user_agent

    def user_sessions(self, user_id: int) -> dict[str, Record]:
        t = self.table
        with db.engine.connect() as connection:
            rows = connection.execute(
                select(t.c.id, *self._columns()).where(t.c.user_id == user_id)).all()
        return {row[0]: Record(*row[1:]) for row in rows}

    def put(self, key: str, record: Record, now: float) -> None:
        t = self.table
        values = {"data": record.data, "user_id": record.user_id,
                  "created_at": record.created, "seen_at": record.seen,
                  "address": record.address, "user_agent": record.user_agent}
        with db.engine.begin() as connection:
            upsert(connection, t, {"id": key, **values}, "id", values)
            if random.random() < PURGE_CHANCE:
                self._purge(connection, now)

    def _purge(self, connection: Connection, now: float) -> None:
        t = self.table
        connection.execute(delete(t).where(or_(
            t.c.seen_at < now - self.limits.idle, t.c.created_at < now - self.limits.lifetime)))

    def delete(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(self.table).where(self.table.c.id == key))

    def delete_user(self, user_id: int) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(self.table).where(self.table.c.user_id == user_id))


class RedisStore:
    """Sessions as Redis keys that expire when idle; a set per user names theirs."""

    def __init__(self, url: str, prefix: str, limits: Limits) -> None:
        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix, self.limits = prefix, limits

    def _key(self, key: str) -> str:
        return f"{self.prefix}session:{key}"

    def _user_key(self, user_id: int) -> str:
        return f"{self.prefix}user-sessions:{user_id}"

    def get(self, key: str) -> Record | None:
        raw = self.redis.get(self._key(key))
        return Record(**json.loads(raw)) if raw else None

    def put(self, key: str, record: Record, now: float) -> None:
        pipe = self.redis.pipeline()
        pipe.set(self._key(key), json.dumps(asdict(record)),
                 ex=math.ceil(self.limits.ttl(record, now)))
        if record.user_id is not None:
            pipe.sadd(self._user_key(record.user_id), key)
            pipe.expire(self._user_key(record.user_id), math.ceil(self.limits.lifetime))
        pipe.execute()

    def delete(self, key: str) -> None:
        self.redis.delete(self._key(key))

    def delete_user(self, user_id: int) -> None:
        members = self.redis.smembers(self._user_key(user_id))
        keys = [self._key(k.decode() if isinstance(k, bytes) else k) for k in members]
        self.redis.delete(*keys, self._user_key(user_id))

    def user_sessions(self, user_id: int) -> dict[str, Record]:
        """The user's sessions that still exist (expired ones leave the user's set)."""
        members = [k.decode() if isinstance(k, bytes) else k
                   for k in self.redis.smembers(self._user_key(user_id))]
        raws = self.redis.mget([self._key(k) for k in members]) if members else []
        found = {key: Record(**json.loads(raw)) for key, raw in zip(members, raws, strict=True)
                 if raw}
        gone = [key for key, raw in zip(members, raws, strict=True) if not raw]
        if gone:
            self.redis.srem(self._user_key(user_id), *gone)
        return {key: record for key, record in found.items() if record.user_id == user_id}


class FallbackStore:
    """Redis first; while it does not answer, the database (users log in again once)."""

    def __init__(self, primary: RedisStore, secondary: DatabaseStore) -> None:
        self.primary, self.secondary = primary, secondary

    def _either(self, name: str, *args):
        try:
            return getattr(self.primary, name)(*args)
        except redis.exceptions.RedisError as error:
            logger.warning("sessions: Redis does not answer (%s), using the database", error)
            return getattr(self.secondary, name)(*args)

    def get(self, key: str) -> Record | None:
        return self._either("get", key)

    def put(self, key: str, record: Record, now: float) -> None:
        self._either("put", key, record, now)

    def delete(self, key: str) -> None:
        self._either("delete", key)
        self.secondary.delete(key)

    def delete_user(self, user_id: int) -> None:
        self._either("delete_user", user_id)
        self.secondary.delete_user(user_id)

    def user_sessions(self, user_id: int) -> dict[str, Record]:
        """Redis's, and those the database kept while Redis did not answer."""
        return {**self.secondary.user_sessions(user_id), **self._either("user_sessions", user_id)}


def limits_for(config: dict) -> Limits:
    """How long sessions live, from the settings."""
    return Limits(idle=float(config["SESSION_IDLE_MINUTES"]) * 60,
                  lifetime=config["PERMANENT_SESSION_LIFETIME"].total_seconds())


def store_for(config: dict) -> Store:
    """The store the settings name: Redis with REDIS_URL, else the database."""
    limits = limits_for(config)
    database = DatabaseStore(limits)
    if not config.get("REDIS_URL"):
        return database
    return FallbackStore(RedisStore(config["REDIS_URL"], config["SESSION_KEY_PREFIX"], limits),
                         database)
