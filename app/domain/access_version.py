"""The access version (issue 19, item 2): one number in the database that every change to
who may do what moves on, in the transaction of the change itself.

Web processes keep each user's resolved permissions, roles and data scope
(app/web/access.py) under the version they were read at, and read the version once a
request, in the statement that reads the login generation (app/web/sessions.py). So a
role changed in 权限管理 › 角色列表 by one worker applies on the next request served by any
other, and a rolled-back change never invalidated anything.

The version moves on for every INSERT, UPDATE or DELETE that SQLAlchemy sends on the
security tables (roles, permissions, resources, their links, groups, the users' roles and
groups, role_scope and its units), whatever sent it: FAB's screens, the API, `flask`
commands, a bulk UPDATE. On ab_user, person and department only the columns that decide a
user's access count: a user's `active` (and name), a person's `user_id` and
`department_id`, a unit's `parent_id` (本单位及下级), and any new or deleted login, person
or unit; a login's last-login stamp moves nothing. Raw SQL text (migrations) is not seen:
a process started after a migration starts with an empty cache anyway.

The number lives in the database rather than in Redis: an INCR sent after the commit
leaves a moment (and, if the process dies there, for good) when another worker caches the
new data under the old number; a row updated inside the transaction cannot. The price:
two transactions that change access at once wait for each other on that row (a new person
or unit, added by a department, moves it too: every user's next page reads their access
once more).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Delete, Insert, UpdateBase

from app import models as m

ROW = 1
MIGRATING = "keyledger_migrating"  # set by migrations/env.py
ALWAYS = frozenset({
    "ab_role", "ab_permission", "ab_view_menu", "ab_permission_view",
    "ab_permission_view_role", "ab_user_role", "ab_group", "ab_group_role", "ab_user_group",
    "role_scope", "role_scope_department",
})
# tables written for other reasons too: only these columns (and new or deleted rows) count
COLUMNS = {"ab_user": frozenset({"active", "username"}),
           "person": frozenset({"user_id", "department_id"}),
           "department": frozenset({"parent_id"})}
# a new or deleted row changes scopes; a new login may take a deleted one's id (SQLite)
ROWS_COUNT = frozenset({"ab_user", "person", "department"})


def current(session: Session) -> int:
    """The access version now."""
    table = m.AccessVersion.__table__
    return session.scalar(select(table.c.version).where(table.c.id == ROW)) or 0


def with_generation(session: Session, user_id: int) -> tuple[int, int]:
    """The user's login generation and the access version, in one statement."""
    gen, version = m.LoginGeneration.__table__, m.AccessVersion.__table__
    row = session.execute(select(
        select(gen.c.generation).where(gen.c.user_id == user_id).scalar_subquery(),
        select(version.c.version).where(version.c.id == ROW).scalar_subquery())).one()
    return row[0] or 0, row[1] or 0


def _set_names(statement: UpdateBase, multiparams: Any, params: Any) -> set[str]:
    """The names of the columns an UPDATE sets (as the ORM's flush and Core send them)."""
    names = {getattr(key, "key", key) for key in (getattr(statement, "_values", None) or {})}
    for given in (*(multiparams or ()), params):
        rows: Iterable[Any] = given if isinstance(given, list | tuple) else (given,)
        for row in rows:
            if isinstance(row, Mapping):
                names.update(row.keys())
    return names


def _changes_access(statement: Any, multiparams: Any, params: Any) -> bool:
    if not isinstance(statement, UpdateBase):
        return False
    name = getattr(statement.table, "name", None)
    if name in ALWAYS:
        return True
    if name not in COLUMNS:
        return False
    if isinstance(statement, Insert | Delete):
        return name in ROWS_COUNT
    return bool(COLUMNS[name] & _set_names(statement, multiparams, params))


def _after_execute(conn: Connection, statement: Any, multiparams: Any, params: Any,
                   _options: Any, _result: Any) -> None:
    if (_changes_access(statement, multiparams, params)
            and not conn.get_execution_options().get(MIGRATING)):
        table = m.AccessVersion.__table__
        conn.execute(update(table).where(table.c.id == ROW)
                     .values(version=table.c.version + 1))


def install() -> None:
    """Move the version on with every change that SQLAlchemy sends (once per process)."""
    if not event.contains(Engine, "after_execute", _after_execute):
        event.listen(Engine, "after_execute", _after_execute)
