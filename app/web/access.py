"""Who acts in a request: FAB's user (by session or JWT), their roles, permissions and
department, resolved once per request for the one door (app/domain/access.py)."""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app import models as m
from app.domain import access, scope
from app.extensions import appbuilder

UNSCOPED_ROLES = frozenset({"Admin", "Supervisor", "Leader"})
_CACHE = "_keyledger_actor"


def request_cache(name: str) -> dict:
    """A dict that lives as long as the current request (not the app context, which
    Flask shares between requests when one is already pushed, as in tests)."""
    caches = request.__dict__.setdefault("_keyledger_cache", {})
    return caches.setdefault(name, {})


def request_actor() -> access.Actor | None:
    """The actor of the current request, resolved once per request and user."""
    if not has_request_context():
        return None
    user = appbuilder().sm.current_user
    key = getattr(user, "id", None)
    cache = request_cache("actor")
    if key not in cache:
        cache[key] = _resolve(user)
    return cache[key]


def _resolve(user: User | None) -> access.Actor:
    if user is None or getattr(user, "id", None) is None:
        return access.ANONYMOUS
    sm = appbuilder().sm
    roles = frozenset(role.name for role in user.roles)
    permissions = frozenset(sm.get_user_permissions(user))
    if roles & UNSCOPED_ROLES:
        department = None
    else:
        department = sm.session.scalar(
            select(m.Person.department_id).where(m.Person.user_id == user.id))
        if department is None:
            department = scope.NO_DEPARTMENT
    return access.Actor(user_id=user.id, username=user.username, address=request.remote_addr,
                        permissions=permissions, department_id=department, roles=roles)


def init_app(app: Flask) -> None:
    """Install the request's actor as the one door's source of who acts."""
    access.install(request_actor)
