"""Who acts in a request: FAB's user (by session or JWT), their roles, permissions and
data scope, for the one door (app/domain/access.py). The scope is the union of the user's
roles' 数据范围 (role_scope, issue 15), never a role's name.

Resolved once per user and process (issue 19, item 2), and kept while the access version
(app/domain/access_version.py) stays the same: a page costs no permission query. What lets
a user in at all is never kept: FAB loads the user (and their `active` flag) at every
request, and the login generation is read with the version, in one statement.
"""

from __future__ import annotations

import dataclasses

from flask import Flask, current_app, g, has_request_context, request
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app import models as m
from app.domain import access, access_version, scope
from app.extensions import appbuilder, db

CACHE = "keyledger.access_cache"  # app.extensions: {user id: (access version, Actor)}
CACHE_LIMIT = 5000  # users kept per process; past it the cache starts again


def request_cache(name: str) -> dict:
    """A dict that lives as long as the current request (not the app context, which
    Flask shares between requests when one is already pushed, as in tests)."""
    caches = request.__dict__.setdefault("_keyledger_cache", {})
    return caches.setdefault(name, {})


def request_actor() -> access.Actor | None:
    """The actor of the current request, resolved once per request and user."""
    if not has_request_context() or "user" not in g:  # not (yet) a request FAB serves
        return None
    user = appbuilder().sm.current_user
    key = getattr(user, "id", None)
    cache = request_cache("actor")
    if key not in cache:
        cache[key] = _kept(user)
    return cache[key]


def note_version(version: int) -> None:
    """The access version read with the login generation at the start of this request."""
    request_cache("access")["version"] = version


def _version() -> int:
    noted = request_cache("access")
    if "version" not in noted:
        noted["version"] = access_version.current(db.session)
    return noted["version"]


def _kept(user: User | None) -> access.Actor:
    """The user's actor as this process keeps it under the current access version (read
    before the rows it describes: a change committed in between only costs a new reading)."""
    if user is None or getattr(user, "id", None) is None:
        return access.ANONYMOUS
    version = _version()
    kept = current_app.extensions.setdefault(CACHE, {})
    found = kept.get(user.id)
    if found is None or found[0] != version:
        if len(kept) >= CACHE_LIMIT:
            kept.clear()
        found = kept[user.id] = (version, _resolve(user))
    return dataclasses.replace(found[1], address=request.remote_addr)


def _resolve(user: User) -> access.Actor:
    sm = appbuilder().sm
    roles = frozenset(role.name for role in user.roles)
    permissions = frozenset(sm.get_user_permissions(user))
    kinds = role_kinds(user)
    charge = frozenset(d for kind, chosen in kinds if kind == scope.CUSTOM for d in chosen)
    return access.Actor(user_id=user.id, username=user.username, permissions=permissions,
                        scope=user_scope(user, kinds), roles=roles, charge=charge)


def role_kinds(user: User) -> list[tuple[str, list[int]]]:
    """(数据范围, chosen units) of each of the user's roles (a role with no row: 本单位)."""
    role_ids = [role.id for role in user.roles]
    stored = {row.role_id: row for row in db.session.scalars(
        select(m.RoleScope).where(m.RoleScope.role_id.in_(role_ids)))} if role_ids else {}
    return [(stored[r].kind, [d.id for d in stored[r].departments]) if r in stored
            else (scope.DEFAULT_KIND, []) for r in role_ids]


def user_scope(user: User, kinds: list[tuple[str, list[int]]] | None = None
               ) -> scope.Scope | None:
    """The union of the user's roles' data scopes, over the unit and person their login is
    tied to; None for 全部数据."""
    kinds = role_kinds(user) if kinds is None else kinds
    if any(kind == scope.ALL for kind, _chosen in kinds):
        return None
    person = db.session.execute(select(m.Person.id, m.Person.department_id)
                                .where(m.Person.user_id == user.id)).first()
    home, person_id = (person.department_id, person.id) if person else (None, None)
    return scope.resolve(kinds, home, person_id)


def init_app(app: Flask) -> None:
    """Install the request's actor as the one door's source of who acts; give templates
    `unit_label(department)`, a unit's name indented by its depth (issue 15)."""
    from app.domain import tree

    access.install(request_actor)
    app.add_template_global(tree.label, "unit_label")
