"""The one save path of a change a person makes: check it (the version read, the table's
domain rules, what a department-bound user may set), then write, refresh statuses, commit.

FAB's CRUD hooks, the REST API and every hand-written page call `guard_write` before the
row is written; who may write which table at all is the flush guard's (app/domain/access.py
and app/domain/write_guard.py), which holds even for a page that forgot to ask.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import inspect
from sqlalchemy.orm import RelationshipDirection

from app import models as m
from app.domain import locking, validation
from app.domain.access import current_department_scope, has_role, in_scope
from app.domain.labels import LABELS
from app.domain.scope import DEPARTMENT_COLUMN
from app.domain.validation import DomainError
from app.extensions import db

# Fields only unscoped roles (the office, admins) may set; staff get the default.
RESERVED_FIELDS: dict[type[m.Model], dict[str, object]] = {
    m.Person: {"user": None, "is_leader": False},
    m.Feedback: {"review_status": "submitted", "review_comment": None},
    m.Extension: {"decision": "pending"},
    m.Project: {"status_color": "green"},
    m.Task: {"status": "pending", "overdue_days": 0},
}


def relationships(model: type[m.Model]) -> list:
    return [
        rel for rel in inspect(model).relationships
        if rel.direction in (RelationshipDirection.MANYTOONE, RelationshipDirection.MANYTOMANY)
        and rel.key not in ("created_by", "changed_by")
    ]


def guard_write(item: m.Model, adding: bool) -> None:
    """Check a change: the version read, the table's domain rules, the scoped user's limits."""
    if not adding:
        locking.check(item)  # issue 7: a stale form or client is refused with what differs
    problem = validation.check(item, adding)
    if problem:
        raise DomainError(problem)
    if isinstance(item, m.Person) and not has_role("Admin"):
        if inspect(item).attrs["user"].history.has_changes() and item.user is not None:
            raise DomainError(_("只有系统管理员可以为责任人关联登录账号。"), 403)
    department = current_department_scope()
    if department is None:
        return
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
        setattr(item, relation, db.session.get(m.Department, department))
    for rel in relationships(model):
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
