"""Extension objects, bound to an app in create_app()."""

from __future__ import annotations

from typing import Any, Protocol

from flask import current_app
from flask_appbuilder import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

db = SQLA(model_class=Model)
migrate = Migrate()
csrf = CSRFProtect()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys and wait for a lock rather than fail at once."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


class AppBuilder(Protocol):
    """What the portal uses of FAB's AppBuilder (FAB ships no types, so mypy sees Any)."""

    sm: Any  # FAB's security manager (app/web/security.py), untyped too
    baseviews: list[Any]
    menu: Any

    @property
    def session(self) -> Session: ...

    def add_permissions(self, update_perms: bool = False) -> None: ...


def appbuilder() -> AppBuilder:
    """The current app's AppBuilder: FAB's init_app sets it, Flask's types do not know it."""
    return current_app.extensions["appbuilder"]
