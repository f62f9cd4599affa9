"""Rows read the short way (each in an app context of its own) and statements counted."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import event, func, select, text

from app.extensions import db


def count(app, model, *where) -> int:
    """How many rows of `model` (matching `where`) the database holds."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def get(app, model, pk: int):
    """The row of `model` with primary key `pk`, detached from the session (or None)."""
    with app.app_context():
        row = db.session.get(model, pk)
        db.session.expunge_all()
        return row


def user_id(app, username: str) -> int:
    """The id of a login."""
    with app.app_context():
        return db.session.scalars(select(User.id).where(User.username == username)).one()


@contextmanager
def counting(engine) -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block, in a list. The login's session
    (web_session: written back at most once a minute, and now and then purged of expired
    ones) is the session store's business, not the page's, and is left out."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "web_session" not in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def inside_the_transaction(database_url: str) -> bool:
    """Some process is in the middle of writing: on PostgreSQL blocked in a pg_sleep
    trigger, on SQLite holding the file's write lock."""
    if database_url.startswith("postgresql"):
        sleeping = db.session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event = 'PgSleep'"))
        db.session.rollback()
        return bool(sleeping)
    connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0,
                                 isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:  # database is locked: a write transaction is open
        return True
    finally:
        connection.close()
