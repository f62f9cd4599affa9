"""The one save path of a change a person makes: check it (the version read, the table's
domain rules, what a department-bound user may set), then write, refresh statuses, commit.

FAB's CRUD hooks, the REST API and every hand-written page call `guard_write` before the
row is written; who may write which table at all is the flush guard's (app/domain/access.py
and app/domain/write_guard.py), which holds even for a page that forgot to ask.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from flask_babel import gettext as _
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import RelationshipDirection

from app import models as m
from app.domain import locking, notice_number, status, validation
from app.domain.access import current, current_department_scope, in_scope
from app.domain.labels import LABELS
from app.domain.scope import DEPARTMENT_COLUMN, Scope
from app.domain.validation import DomainError
from app.extensions import db

P = ParamSpec("P")
T = TypeVar("T")

# Fields only unscoped roles (the office, admins) may set; staff get the default.
RESERVED_FIELDS: dict[type[m.Model], dict[str, object]] = {
    m.Person: {"user": None, "is_leader": False},
    m.Feedback: {"review_status": "submitted", "review_comment": None},
    m.Extension: {"decision": "pending"},
    m.Project: {"status_color": "green"},
    m.Task: {"status": "pending", "overdue_days": 0, "escalation_level": None},
}


def relationships(model: type[m.Model]) -> list:
    return [
        rel for rel in inspect(model).relationships
        if rel.direction in (RelationshipDirection.MANYTOONE, RelationshipDirection.MANYTOMANY)
        and rel.key not in ("created_by", "changed_by")
    ]


def guard_write(item: m.Model, adding: bool) -> None:
    """Check a change: the version read, the scoped user's limits, then the table's domain
    rules. Scope first (issue 14): a row or a related row out of scope answers 404 (403)
    before any domain check could tell another department's deadline or done state."""
    if not adding:
        locking.check(item)  # issue 7: a stale form or client is refused with what differs
    # who may tie a login to a person: who may edit accounts (a permission, not a role name)
    if isinstance(item, m.Person) and not current().may("can_edit", "UserDBModelView"):
        if inspect(item).attrs["user"].history.has_changes() and item.user is not None:
            raise DomainError(_("只有系统管理员可以为责任人关联登录账号。"), 403)
    limit = current_department_scope()
    if limit is not None:
        _scoped_limits(item, adding, limit)
    problem = validation.check(item, adding)
    if problem:
        raise DomainError(problem)
    if adding:  # a new 督办单 takes its number, whichever way it is written
        notice_number.number([item])


def _scoped_limits(item: m.Model, adding: bool, limit: Scope) -> None:
    """A limited user: reserved fields keep their defaults, the row lands in a unit of their
    scope (the one chosen, if theirs to write, else their own), and every related row they
    chose is one they may see."""
    model = type(item)
    state = inspect(item)
    for field, default in RESERVED_FIELDS.get(model, {}).items():
        if adding:
            setattr(item, field, default)
        elif state.attrs[field].history.has_changes():
            raise DomainError(_("无权修改“%(field)s”。", field=LABELS.get(field, field)), 403)
    column = DEPARTMENT_COLUMN.get(model)
    if column:
        relation = column.removesuffix("_id")
        chosen = getattr(item, relation)
        chosen_id = chosen.id if chosen is not None else getattr(item, column)
        if not limit.covers(chosen_id):
            setattr(item, relation, db.session.get(m.Department, landing_unit(limit)))
    for rel in relationships(model):
        if not adding and not state.attrs[rel.key].history.has_changes():
            continue  # a relation kept as it was is not the user's choice now
        value = getattr(item, rel.key)
        targets = value if isinstance(value, list) else [value]
        if rel.key == "user" or not all(in_scope(t) for t in targets if t is not None):
            if rel.key == "user" and (value is None or not state.attrs["user"].history
                                      .has_changes()):
                continue  # kept as it was: an edit of a person with a login (issue 7)
            raise DomainError(
                _("所选的“%(field)s”不存在或不在本单位范围内。",
                  field=LABELS.get(rel.key, rel.key)),
                404,
            )


def landing_unit(limit: Scope) -> int:
    """The unit a limited user's row lands in when the one chosen is not theirs to write:
    their own, else the only one they write; refused (403) when neither is."""
    if limit.covers(limit.home):
        return limit.home  # type: ignore[return-value]  # covers() holds no None
    if len(limit.departments) == 1:
        return next(iter(limit.departments))
    raise DomainError(_("请选择您的数据范围内的单位。") if limit.departments
                      else _("您的数据范围内没有可写入的单位。"), 403)


def save(*rows: m.Model, adding: bool | None = None, commit: bool = True) -> None:
    """The one save path of a change: check each row, write, refresh the statuses it moves,
    commit — one transaction. `adding` defaults to whether the row is new. A write the
    database refuses by one of its rules (a second pending extension of a task, raced past
    the domain's check) is a DomainError with the rule in Chinese, nothing kept."""
    for row in rows:
        new = adding if adding is not None else inspect(row).persistent is False
        guard_write(row, new)
        db.session.add(row)
    try:
        db.session.flush()
        status.refresh_affected(rows)
        if commit:
            db.session.commit()
    except IntegrityError as error:
        refused = refusal(error)
        if refused is None:
            raise
        db.session.rollback()
        raise refused from error


# the database's own rules a person can run into, by index or constraint name: the table
# and columns SQLite names instead, and what the person reads (409: someone was first)
RULES = {
    "uq_extension_pending": ("extension.task_id", lambda: _("这项任务已有待审批的延期申请。")),
    "uq_task_closure_standing": ("task_closure.task_id", lambda: _("这项任务已经销号。")),
}


def refusal(error: IntegrityError) -> DomainError | None:
    """The DomainError a person reads for an IntegrityError of a known rule, else None."""
    diag = getattr(error.orig, "diag", None)  # psycopg names the index or constraint
    name = getattr(diag, "constraint_name", None)
    said = str(error.orig)
    for rule, (columns, message) in RULES.items():
        if name == rule or (name is None and said.endswith(f"constraint failed: {columns}")):
            return DomainError(message(), 409)
    return None


# PostgreSQL's "try again" answers: serialization failure, deadlock detected
TRANSIENT = {"40001", "40P01"}
ATTEMPTS = 3
_retrying: ContextVar[bool] = ContextVar("save_retrying", default=False)


def transient(error: BaseException | None) -> bool:
    """A DBAPI error the database means as "try again" (deadlock, serialization)."""
    return getattr(error, "sqlstate", None) in TRANSIENT


def retrying(error: BaseException | None) -> bool:
    """A transient error inside a retried action: it is answered there, run again or 409
    (app/web/errors.py does not turn it into a 503)."""
    return _retrying.get() and transient(error)


def retried(action: Callable[P, T]) -> Callable[P, T]:
    """A ledger action run again (up to ATTEMPTS times) when the database chose it as the
    victim of a deadlock or a serialization failure: nothing of the failed try was kept,
    and its rows are read again. The rows lock in one order (locking.lock_in_order), so this
    is the safety net, not the rule; past it the person is asked to try again (409)."""

    @functools.wraps(action)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(1, ATTEMPTS + 1):
            token = _retrying.set(True)
            try:
                return action(*args, **kwargs)
            except OperationalError as error:
                if not transient(error.orig):
                    raise
                db.session.rollback()
                if attempt == ATTEMPTS:
                    raise DomainError(_("有其他人正在同时处理这条记录，本次未保存，请稍后重试。"),
                                      409) from error
                time.sleep(0.05 * attempt)
            finally:
                _retrying.reset(token)
        raise AssertionError("unreachable")

    return run
