"""Sessions that end (issue 14): each user's login generation, carried by every session and
token of theirs, and the one way to end them all.

`end_sessions` moves a user's generation on, in the transaction of whatever caused it, and
after the commit deletes their stored sessions. A session or JWT of an older generation is
refused (app/web/sessions.py), so ending is immediate on every worker, whatever store the
sessions live in. A change of a user's password or a deactivation, by any path (FAB's
forms, the API, `flask` commands), ends them at the flush that writes it; logout and an
administrator's 全部下线 call `end_sessions` directly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app import models as m
from app.domain.session_store import Record, Store, limits_for, store_for, upsert
from app.extensions import db

STORE = "keyledger.session_store"
ENDED = "sessions_ended"  # session.info: users whose stored sessions go after the commit


def now() -> float:
    """The clock of sessions (Unix time; tests move it)."""
    return time.time()


def store() -> Store:
    return current_app.extensions[STORE]


def generation(session: Session, user_id: int) -> int:
    """The user's login generation: 0 until their sessions were first ended."""
    table = m.LoginGeneration.__table__
    value = session.scalar(select(table.c.generation).where(table.c.user_id == user_id))
    return value or 0


def end_sessions(session: Session, user_id: int) -> None:
    """End every session and token of the user, with the transaction's commit."""
    table = m.LoginGeneration.__table__
    stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    upsert(session.connection(), table,
           {"user_id": user_id, "generation": 1, "changed_at": stamp}, "user_id",
           {"generation": table.c.generation + 1, "changed_at": stamp})
    session.info.setdefault(ENDED, set()).add(user_id)


@dataclass
class LiveSession:
    """One of a user's live sessions as pages show it: a label, never its id or key."""

    label: str
    created: float  # Unix time
    seen: float
    address: str | None
    user_agent: str | None
    current: bool  # the session of the request that lists it


def label_of(key: str) -> str:
    """A short name for a session: from its key, but not its key nor a way back to it."""
    digest = hashlib.sha256(f"session-label:{key}".encode()).digest()
    return f"{int.from_bytes(digest[:8]) % 10**8:08d}"  # eight digits, as pages show numbers


def _live(user_id: int) -> dict[str, Record]:
    limits, moment = limits_for(current_app.config), now()
    return {key: record for key, record in store().user_sessions(user_id).items()
            if limits.alive(record, moment)}


def live_sessions(user_id: int, current_key: str | None = None) -> list[LiveSession]:
    """The user's live sessions, the most recently used first."""
    found = [LiveSession(label_of(key), r.created, r.seen, r.address, r.user_agent,
                         key == current_key) for key, r in _live(user_id).items()]
    return sorted(found, key=lambda s: s.seen, reverse=True)


def end_session(user_id: int, label: str) -> bool:
    """End the user's session of that label (its cookie stops working); False if none."""
    for key in _live(user_id):
        if label_of(key) == label:
            store().delete(key)
            return True
    return False


def _credentials_changed(user: m.User) -> bool:
    state = inspect(user)
    if state.attrs.password.history.has_changes():
        return True
    active = state.attrs.active.history
    return bool(active.has_changes() and not user.active)


def _before_flush(session: Session, _context, _instances) -> None:
    for obj in session.dirty:
        if isinstance(obj, m.User) and obj.id is not None and _credentials_changed(obj):
            end_sessions(session, obj.id)


def _after_commit(session: Session) -> None:
    ended = session.info.pop(ENDED, set())
    for user_id in ended:
        store().delete_user(user_id)


def _after_rollback(session: Session) -> None:
    session.info.pop(ENDED, None)


def init_app(app: Flask) -> None:
    """The app's session store, and the listeners on the session (once: it outlives apps)."""
    app.config.setdefault("SESSION_IDLE_MINUTES", 30)
    app.config.setdefault("SESSION_KEY_PREFIX", "keyledger:")
    app.extensions[STORE] = store_for(app.config)
    for name, listener in (("before_flush", _before_flush), ("after_commit", _after_commit),
                           ("after_rollback", _after_rollback)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
