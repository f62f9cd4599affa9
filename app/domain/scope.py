"""Department row scope: which rows a department-bound user may see and reference.

One clause per table, used by every route: FAB's list/show/edit/delete and REST
filters, related-field drop-downs, and the checks on related ids sent by API.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from app import models as m
from app.extensions import db

NO_DEPARTMENT = -1  # a scoped user with no department sees nothing
ACCEPTED = "accepted"  # a feedback's review status once the office accepted it


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


def write_clause(model: type, department_id: int) -> ColumnElement[bool]:
    """The rows of `model` a department-bound user may change: the department's own. Rows
    they only read are not among them: county leaders (every department sees them), another
    department's problems on their projects, and shared tables (holidays, compliance). Nor
    is feedback the office has accepted: it is final for the department (issue 14)."""
    d = department_id
    own: dict[type, Callable[[], ColumnElement[bool]]] = {
        m.Person: lambda: m.Person.department_id == d,
        m.Feedback: lambda: and_(scope_clause(m.Feedback, d),
                                 m.Feedback.review_status != ACCEPTED),
        m.Problem: lambda: m.Problem.department_id == d,
        m.Compliance: lambda: false(),
        m.Holiday: lambda: false(),
    }
    make = own.get(model)
    return make() if make else scope_clause(model, d)


# The column that names a row's own department, forced on add and edit.
DEPARTMENT_COLUMN = {
    m.Person: "department_id",
    m.Project: "lead_department_id",
    m.Task: "department_id",
    m.Problem: "department_id",
}


def row_in_scope(obj: m.Model, department_id: int) -> bool:
    """Whether this row (as stored) is one of the department's rows."""
    model = type(obj)
    session = db.session
    with session.no_autoflush:  # the row being checked may be pending, half-built
        found = session.scalar(
            select(model.id).where(model.id == obj.id, scope_clause(model, department_id))
        )
    return found is not None
