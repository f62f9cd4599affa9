"""The one door: who is acting, what they may do to which table, and which rows they see.

Every read by id (`load`) and every write (the flush guard, app/domain/write_guard.py) asks
this module. An *actor* is resolved once per request by the web layer (app/web/access.py,
from FAB's user, roles and permissions, the ones the role screen 权限管理 › 角色列表 shows);
jobs and commands act as system actors with no limits. So a permission taken away on the
role screen holds on every page, form, API and hand-written route alike.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import Select, select

from app import models as m
from app.domain import scope
from app.domain.validation import DomainError
from app.extensions import db

READ, ADD, EDIT, DELETE = "can_read", "can_add", "can_edit", "can_delete"
ID_LIMIT = 2**31 - 1  # the largest id an INTEGER primary key holds (PostgreSQL int4)
T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    """Who acts: a logged-in user with their permissions and data scope, or the system.

    `permissions` holds (permission, resource) pairs, e.g. ("can_add", "Feedback"); None for
    a system actor (a job, a command). `scope` limits the rows seen (the union of the user's
    roles' 数据范围, app/domain/scope.py); None means every row; scope.NOTHING none. `roles`
    are for display only: no row's visibility depends on a role's name (issue 15).
    """

    user_id: int | None
    username: str
    address: str | None = None
    permissions: frozenset[tuple[str, str]] | None = None
    scope: scope.Scope | None = None
    roles: frozenset[str] = frozenset()
    # 分管单位: the units chosen in the 指定单位 scopes of the user's roles. Their figures come
    # first on the 考核表 and the dashboard, whatever else the user sees (issue 15).
    charge: frozenset[int] = frozenset()

    @property
    def is_system(self) -> bool:
        return self.permissions is None

    @property
    def scoped(self) -> bool:
        """Whether this actor sees a part of the rows only."""
        return self.scope is not None

    def may(self, permission: str, resource: str) -> bool:
        """Whether the actor holds `permission` on `resource` (always, for the system)."""
        return self.permissions is None or (permission, resource) in self.permissions


SYSTEM = Actor(user_id=None, username="system")
ANONYMOUS = Actor(user_id=None, username="anonymous", permissions=frozenset(),
                  scope=scope.NOTHING)

_override: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "keyledger_actor", default=None)
_resolvers: list[Callable[[], Actor | None]] = []


def _acting_user_id() -> int | None:
    return current().user_id


m.Audited.user_id_source = staticmethod(_acting_user_id)  # FAB's created_by / changed_by


def install(resolver: Callable[[], Actor | None]) -> None:
    """Let the web layer say who acts in a request (None outside one)."""
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def current() -> Actor:
    """The acting actor: one set by `acting_as`, else the request's user, else the system."""
    actor = _override.get()
    if actor is not None:
        return actor
    for resolver in _resolvers:
        found = resolver()
        if found is not None:
            return found
    return SYSTEM


@contextmanager
def acting_as(name: str) -> Iterator[None]:
    """Act as a named system actor ("job:refresh_status", "cli:seed-demo") inside."""
    token = _override.set(Actor(user_id=None, username=name))
    try:
        yield
    finally:
        _override.reset(token)


class Forbidden(DomainError):
    """The actor lacks the permission: 403."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("您没有执行此操作的权限。"), 403)


class NotFound(DomainError):
    """No such row, or not one the actor may see: 404 (never which of the two)."""

    def __init__(self) -> None:
        super().__init__(_("未找到该记录，或您无权查看。"), 404)


def resource_of(model: type) -> str:
    """The FAB resource whose permissions govern a table: the model's class name."""
    return model.__name__


def require(permission: str, model: type | str) -> None:
    """Refuse (403) unless the current actor holds `permission` on the table's resource."""
    resource = model if isinstance(model, str) else resource_of(model)
    if not current().may(permission, resource):
        raise Forbidden()


def parse_id(raw: Any) -> int:
    """A row id as sent in a URL, a form or JSON; anything else is a NotFound (404)."""
    if isinstance(raw, bool):
        raise NotFound()
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw or "").strip()
        if not text.isascii() or not text.isdigit():
            raise NotFound()
        value = int(text)
    if not 0 < value <= ID_LIMIT:
        raise NotFound()
    return value


def id_or_none(raw: Any) -> int | None:
    """A row id as sent, or None when it cannot name a row (for optional fields)."""
    try:
        return parse_id(raw)
    except NotFound:
        return None


def scoped(model: type, *where: Any) -> Select:
    """SELECT rows of `model` (with these conditions) that the current actor may see."""
    query: Select[Any] = select(model).where(*where)
    limit = current().scope
    if limit is not None:  # a scoped actor
        query = query.where(scope.scope_clause(model, limit))
    return query


def load(model: type[T], raw_id: Any, permission: str = READ) -> T:
    """The row of `model` with this id, if the current actor may see it (and holds
    `permission` on its table); else NotFound (404) or Forbidden (403). Scope first: a row
    out of scope answers 404 whatever else is wrong with the request."""
    row_id = parse_id(raw_id)
    row = db.session.scalars(scoped(model, model.id == row_id)).first()  # type: ignore[attr-defined]
    if row is None:
        raise NotFound()
    require(permission, model)
    return row


def visible(obj: object) -> bool:
    """Whether the current actor may see (or reference) this row."""
    limit = current().scope
    if obj is None or limit is None:  # nothing, or an unscoped actor
        return True
    return scope.row_in_scope(obj, limit)


def shown(related: Iterable[Any]) -> list[Any]:
    """Of a row's related rows (a meeting's projects), the ones the current actor may see: a
    row shown to a user shows only the related rows that user may see (one query)."""
    rows = list(related)
    limit = current().scope
    if limit is None or not rows:
        return rows
    model = type(rows[0])
    with db.session.no_autoflush:
        seen = set(db.session.scalars(select(model.id).where(
            model.id.in_({row.id for row in rows}), scope.scope_clause(model, limit))))
    return [row for row in rows if row.id in seen]


def current_department_scope() -> scope.Scope | None:
    """The scope the current actor is limited to, or None when unlimited (全部数据)."""
    return current().scope


def untied() -> bool:
    """Whether the acting user is limited to a department but their login is tied to no
    person, so to no department: they see nothing, and must be told so and whom to ask."""
    actor = current()
    seen = actor.scope
    return (actor.user_id is not None and seen is not None and seen.home is None
            and seen.person_id is None and not seen.readable)


def in_scope(obj: object) -> bool:
    """Whether the current actor may see or reference this row (alias of `visible`)."""
    return visible(obj)


def in_charge() -> frozenset[int]:
    """The current actor's 分管单位 (see Actor.charge); empty for most users."""
    return current().charge
