"""Department row scope: which rows a department-bound user may see and reference.

One clause per table, used by every route: FAB's list/show/edit/delete and REST
filters, related-field drop-downs, and the checks on related ids sent by API.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import has_request_context
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from . import models as m
from .extensions import appbuilder
from .security import request_cache

UNSCOPED_ROLES = frozenset({"Admin", "Supervisor", "Leader"})
NO_DEPARTMENT = -1  # a scoped user with no department sees nothing


def scope_clause(model: type, department_id: int) -> ColumnElement[bool]:
    """The WHERE clause limiting `model` to the rows of one department."""
    d = department_id
    own_tasks = select(m.Task.id).where(m.Task.department_id == d)
    own_projects = select(m.Project.id).where(m.Project.lead_department_id == d)
    clauses: dict[type, Callable[[], ColumnElement[bool]]] = {
        m.Department: lambda: m.Department.id == d,
        m.Person: lambda: or_(m.Person.department_id == d, m.Person.is_leader.is_(True)),
        m.Project: lambda: m.Project.lead_department_id == d,
        m.InvestmentReport: lambda: m.InvestmentReport.project_id.in_(own_projects),
        m.Meeting: lambda: or_(
            m.Meeting.id.in_(
                select(m.meeting_project.c.meeting_id).where(
                    m.meeting_project.c.project_id.in_(own_projects)
                )
            ),
            m.Meeting.id.in_(select(m.Task.meeting_id).where(m.Task.department_id == d)),
        ),
        m.Task: lambda: m.Task.department_id == d,
        m.Extension: lambda: m.Extension.task_id.in_(own_tasks),
        m.Feedback: lambda: m.Feedback.task_id.in_(own_tasks),
        m.Supervision: lambda: m.Supervision.task_id.in_(own_tasks),
        m.Problem: lambda: or_(
            m.Problem.department_id == d, m.Problem.project_id.in_(own_projects)
        ),
        m.Compliance: lambda: or_(
            m.Compliance.department_id == d, m.Compliance.department_id.is_(None)
        ),
        m.Holiday: lambda: true(),
    }
    make = clauses.get(model)
    return make() if make else false()


# The column that names a row's own department, forced on add and edit.
DEPARTMENT_COLUMN = {
    m.Person: "department_id",
    m.Project: "lead_department_id",
    m.Task: "department_id",
    m.Problem: "department_id",
}


def current_department_scope() -> int | None:
    """The department the current user is limited to, or None when unlimited."""
    if not has_request_context():
        return None
    user = appbuilder().sm.current_user
    cache = request_cache("department_scope")
    key = getattr(user, "id", None)
    if key not in cache:
        cache[key] = _compute_scope(user)
    return cache[key]


def _compute_scope(user: User | None) -> int | None:
    if user is None:
        return NO_DEPARTMENT
    if {role.name for role in user.roles} & UNSCOPED_ROLES:
        return None
    session = appbuilder().session
    dept = session.scalar(select(m.Person.department_id).where(m.Person.user_id == user.id))
    return dept if dept is not None else NO_DEPARTMENT


def is_scoped() -> bool:
    return current_department_scope() is not None


def has_role(name: str) -> bool:
    """Whether the current user holds a role of this name."""
    user = appbuilder().sm.current_user
    return user is not None and any(role.name == name for role in user.roles)


class DepartmentScopeFilter(BaseFilter):
    """FAB filter: the rows of the current user's department, or all for unscoped roles."""

    name = "department scope"
    arg_name = None

    def apply(self, query, value):  # FAB's signature
        department = current_department_scope()
        if department is None:
            return query
        return query.filter(scope_clause(self.model, department))


SCOPE = [["id", DepartmentScopeFilter, None]]


def in_scope(obj: m.Model | None) -> bool:
    """Whether the current user may see or reference this row."""
    department = current_department_scope()
    if department is None or obj is None:
        return True
    model = type(obj)
    session = appbuilder().session
    with session.no_autoflush:  # the row being checked may be pending, half-built
        found = session.scalar(
            select(model.id).where(model.id == obj.id, scope_clause(model, department))
        )
    return found is not None
