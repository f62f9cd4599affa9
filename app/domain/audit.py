"""The audit trail (留痕): who inserted, changed or deleted which ledger row, when, from where,
with the old and new value of each changed field, in the change's own transaction.

Two session events of the Flask-SQLAlchemy session do it: `before_flush` copies the rows
about to be deleted (they can still be loaded then), `after_flush` diffs the inserted and
changed rows from the ORM's attribute history (no query) and writes every audit row of the
flush with one bulk INSERT on the flush's own connection, so a rollback takes them away too.

Our own module rather than SQLAlchemy-Continuum (2.0, which allows SQLAlchemy < 2.2): it
keeps a shadow table per versioned model and link table (about 20 tables here, each to be
mirrored by every later column change, such as issue 7's version columns), needs
`__versioned__` on FAB's own User and Role classes before their mappers are configured,
its Flask plugin takes the user from Flask-Login (anonymous for FAB's JWT requests), and it
stores whole snapshots, so "which field changed, from what" means diffing versions and a
search by user or date spans every shadow table.

A set-based INSERT of ledger rows calls `record_inserted` with the rows it added (the
reminders job's supervisions). Not recorded row by row, by design:
- set-based SQL (app/domain/rules_sql.py: task status and overdue days, project colours; the
  compliance and circular rows the jobs replace) bypasses the flush; those columns are
  computed from recorded rows, and each job run is recorded in job_run (任务运行记录).
  For the same reason the computed columns are left out of ORM updates too;
- rows removed by the database's ON DELETE CASCADE (a deleted task's feedback): the
  parent's delete row, with its old values, stands for them.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any, cast

import click
from flask import Flask
from sqlalchemy import Table, event, inspect
from sqlalchemy.orm import Mapper, Session

from app import models as m
from app.domain import access, clock
from app.extensions import db

# besides every table with FAB's audit columns (models.Audited): accounts and roles
SECURITY_TABLES = {"ab_user", "ab_role", "ab_group"}
# never recorded: FAB's own audit columns and login bookkeeping, and the computed columns
SKIPPED = {"id", "created_on", "changed_on", "created_by_fk", "changed_by_fk", "last_login",
           "login_count", "fail_login_count", "version"}  # version: issue 7's lock counter
COMPUTED = {"task": {"status", "overdue_days", "escalation_level"},
            "project": {"status_color"}}
SECRETS = {"password"}
MASK = "******"
# many-to-many links, recorded as a field of the row on one side only; an update records
# the links removed as "old" and the links added as "new"
COLLECTIONS = {
    "meeting": ("projects",),
    "template_node": ("depends_on",),
    "ab_user": ("roles", "groups"),
    "ab_role": ("permissions",),
    "ab_group": ("roles",),
}
_DELETED = "audit_deleted"


def current_actor() -> tuple[int | None, str, str | None]:
    """(user id, username, address): a job or the request's user (the one door, access.py),
    else the CLI command."""
    actor = access.current()
    if actor is not access.SYSTEM:
        return actor.user_id, actor.username, actor.address
    command = click.get_current_context(silent=True)
    if command is not None:
        path = command.command_path.split()[1:] or [command.info_name or "?"]
        return None, "cli:" + " ".join(path), None
    return None, "system", None


def is_audited(obj: object) -> bool:
    """Whether changes of this row are recorded."""
    return isinstance(obj, m.Audited) or getattr(obj, "__tablename__", None) in SECURITY_TABLES


def is_audited_model(model: type) -> bool:
    """Whether changes of this model's rows are recorded."""
    return issubclass(model, m.Audited) or getattr(model, "__tablename__", None) in SECURITY_TABLES


def plain(value: object) -> object:
    """A value as JSON keeps it: dates as ISO strings, decimals as strings."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value)


def _ref(obj: Any) -> str:
    """A linked row in a many-to-many field: a login by its username, a permission as
    "can_read on Task", others as shown."""
    if hasattr(obj, "view_menu"):
        return f"{obj.permission.name} on {obj.view_menu.name}"
    return str(getattr(obj, "username", None) or obj)


def _value(key: str, value: object) -> object:
    if key in SECRETS:
        return None if value is None else MASK
    if isinstance(value, list | tuple | set):
        return sorted(_ref(item) for item in value)
    return plain(value)


def _fields(mapper: Mapper) -> tuple[list[str], tuple[str, ...]]:
    """The recorded column attributes and many-to-many collections of a model."""
    table = cast(Table, mapper.local_table).name  # a model's table
    skipped = SKIPPED | COMPUTED.get(table, set())
    if mapper.version_id_col is not None:  # issue 7's version counter says nothing new
        skipped = skipped | {mapper.get_property_by_column(mapper.version_id_col).key}
    columns = [attr.key for attr in mapper.column_attrs if attr.key not in skipped]
    return columns, COLLECTIONS.get(table, ())


def _snapshot(obj: object, load: bool) -> dict[str, list]:
    """Every non-empty field of a row as [old, None]; `load` fetches unloaded columns."""
    state = inspect(obj)
    columns, collections = _fields(state.mapper)
    changes = {}
    for key in (*columns, *collections):
        if key in state.dict:
            value = state.dict[key]
        elif load and key in columns:
            value = getattr(obj, key)
        else:
            continue
        if value is not None and value != []:
            changes[key] = [_value(key, value), None]
    return changes


def _inserted(obj: object) -> dict[str, list]:
    return {key: [None, old] for key, (old, _new) in _snapshot(obj, load=False).items()}


def _blank(value: object) -> bool:
    """None or "": an empty text box saved over NULL changes nothing anyone can see."""
    return value is None or (isinstance(value, str) and value == "")


def _updated(obj: object) -> dict[str, list]:
    """The fields whose value changed in this flush, from the attribute history."""
    state = inspect(obj)
    columns, collections = _fields(state.mapper)
    changes = {}
    for key in columns:
        history = state.attrs[key].history
        if history.added or history.deleted:
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new and not (_blank(old) and _blank(new)):
                changes[key] = [_value(key, old), _value(key, new)]
    for key in collections:  # only what left and what came: a role has hundreds of links
        history = state.attrs[key].history
        if history.added or history.deleted:
            changes[key] = [_value(key, history.deleted), _value(key, history.added)]
    return changes


def _row_id(obj: object) -> int:
    state = inspect(obj)
    return state.identity[0] if state.identity else state.dict["id"]


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    """Copy the rows about to be deleted while they can still be loaded."""
    session.info[_DELETED] = {
        inspect(obj): _snapshot(obj, load=True) for obj in session.deleted if is_audited(obj)
    }


def _after_flush(session: Session, _context: object) -> None:
    """Write the audit rows of this flush: one bulk INSERT, same connection and transaction."""
    deleted = session.info.pop(_DELETED, {})
    rows, gone = [], session.deleted
    for obj in session.new:
        if is_audited(obj):
            rows.append(("insert", obj, _inserted(obj)))
    for obj in session.dirty:
        if is_audited(obj) and obj not in gone:
            changes = _updated(obj)
            if changes:
                rows.append(("update", obj, changes))
    for obj in gone:
        if is_audited(obj):
            changes = deleted.get(inspect(obj)) or _snapshot(obj, load=False)
            rows.append(("delete", obj, changes))
    if rows:
        session.connection().execute(m.AuditLog.__table__.insert(), _records(rows))


def record_inserted(session: Session, objs: list) -> None:
    """Record rows a set-based INSERT added (no flush saw them), from their loaded state."""
    rows = [("insert", obj, _inserted(obj)) for obj in objs if is_audited(obj)]
    if rows:
        session.connection().execute(m.AuditLog.__table__.insert(), _records(rows))


def _records(rows: list[tuple[str, Any, dict]]) -> list[dict]:
    user_id, username, address = current_actor()
    now = clock.utcnow()
    return [
        {"changed_at": now, "user_id": user_id, "username": username[:128],
         "remote_addr": address, "table_name": obj.__tablename__, "row_id": _row_id(obj),
         "action": action, "changes": changes}
        for action, obj, changes in rows
    ]


def init_app(app: Flask) -> None:
    """Listen to the flushes of the app's session (once: the session outlives apps)."""
    for name, listener in (("before_flush", _before_flush), ("after_flush", _after_flush)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
