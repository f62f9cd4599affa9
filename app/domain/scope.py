"""Row scope: which rows a limited user (a role's 数据范围 short of 全部数据) may see and
reference.

One clause per table, used by every route: FAB's list/show/edit/delete and REST
filters, related-field drop-downs, and the checks on related ids sent by API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from app import models as m
from app.extensions import db

NO_DEPARTMENT = -1  # a scoped user with no department sees nothing
ACCEPTED = "accepted"  # a feedback's review status once the office accepted it

# A role's 数据范围 (issue 15; app/domain/choices.py DATA_SCOPE); a role with no row: OWN.
ALL, OWN, SUBTREE, CUSTOM, SELF = "all", "own", "subtree", "custom", "self"
DEFAULT_KIND = OWN
BUILT_IN_KINDS = {"Admin": ALL, "Supervisor": ALL, "Leader": ALL, "DeptStaff": OWN}


@dataclass(frozen=True)
class Scope:
    """The rows a limited user sees: the union of their roles' data scopes.

    `departments`: the units whose rows they see and write (本单位, 本单位及下级, 指定单位).
    `person_id`: 仅本人 — also the tasks whose 责任人 is this person, and those tasks'
    feedback, extensions and supervision records, which they write too. `read_only`: the
    units whose other rows (their unit, people, projects, meetings, problems, compliance) a
    仅本人 user reads for context but changes nothing of. `home`: the user's own unit, where
    the rows they add land unless they chose another unit of `departments`.
    Unlimited (全部数据) is no Scope at all: None.
    """

    departments: frozenset[int] = frozenset()
    person_id: int | None = None
    read_only: frozenset[int] = frozenset()
    home: int | None = None

    @classmethod
    def of(cls, value: Scope | int) -> Scope:
        """A Scope as given, or one unit's (an id, as callers passed before issue 15)."""
        return value if isinstance(value, Scope) else cls(frozenset({value}), home=value)

    @property
    def readable(self) -> frozenset[int]:
        return self.departments | self.read_only

    def writable(self) -> Scope:
        """The part of the scope its user may change."""
        return Scope(self.departments, self.person_id, frozenset(), self.home)

    def narrowed(self, department_id: int) -> Scope:
        """The part of the scope within one unit (a filter chosen on a page)."""
        one = frozenset({department_id})
        return Scope(self.departments & one, self.person_id, self.read_only & one,
                     department_id)

    def covers(self, department_id: int | None) -> bool:
        """Whether rows of this unit are the user's to change."""
        return department_id in self.departments


NOTHING = Scope()


def subtree(roots: Iterable[int]) -> set[int]:
    """The units of these and every unit under them, in one recursive query (SQLite and
    PostgreSQL alike; UNION, not UNION ALL, so even a cycle in the data ends)."""
    roots = set(roots)
    if not roots:
        return set()
    d = m.Department
    tree = select(d.id).where(d.id.in_(roots)).cte("tree", recursive=True)
    tree = tree.union(select(d.id).where(d.parent_id == tree.c.id))
    return set(db.session.scalars(select(tree.c.id)))


def resolve(kinds: Iterable[tuple[str, Iterable[int]]], home: int | None,
            person_id: int | None) -> Scope | None:
    """The scope of a user holding roles of these (kind, chosen units) with this own unit
    and person: the union of the roles' scopes; None when one of them is 全部数据."""
    departments: set[int] = set()
    read_only: set[int] = set()
    personal = None
    for kind, chosen in kinds:
        if kind == ALL:
            return None
        if kind == OWN and home is not None:
            departments.add(home)
        elif kind == SUBTREE and home is not None:
            departments |= subtree({home})
        elif kind == CUSTOM:
            departments |= set(chosen)
        elif kind == SELF and person_id is not None:
            personal = person_id
            if home is not None:
                read_only.add(home)
    return Scope(frozenset(departments), personal, frozenset(read_only - departments), home)


def scope_clause(model: type, given: Scope | int) -> ColumnElement[bool]:
    """The WHERE clause limiting `model` to the rows of a scope (or of one unit)."""
    s = Scope.of(given)
    d = sorted(s.readable)
    own_tasks = select(m.Task.id).where(_task_clause(s))
    own_projects = select(m.Project.id).where(m.Project.lead_department_id.in_(d))
    clauses: dict[type, Callable[[], ColumnElement[bool]]] = {
        m.Department: lambda: m.Department.id.in_(d),
        m.Person: lambda: or_(m.Person.department_id.in_(d), m.Person.is_leader.is_(True)),
        m.Project: lambda: m.Project.lead_department_id.in_(d),
        m.InvestmentReport: lambda: m.InvestmentReport.project_id.in_(own_projects),
        m.Meeting: lambda: or_(
            m.Meeting.id.in_(
                select(m.meeting_project.c.meeting_id).where(
                    m.meeting_project.c.project_id.in_(own_projects)
                )
            ),
            m.Meeting.id.in_(select(m.Task.meeting_id).where(
                or_(m.Task.department_id.in_(d), _task_clause(s)))),
        ),
        m.Task: lambda: _task_clause(s),
        m.Extension: lambda: m.Extension.task_id.in_(own_tasks),
        m.Feedback: lambda: m.Feedback.task_id.in_(own_tasks),
        m.Supervision: lambda: m.Supervision.task_id.in_(own_tasks),
        m.TaskClosure: lambda: m.TaskClosure.task_id.in_(own_tasks),
        m.Problem: lambda: or_(
            m.Problem.department_id.in_(d), m.Problem.project_id.in_(own_projects)
        ),
        m.Compliance: lambda: or_(
            m.Compliance.department_id.in_(d), m.Compliance.department_id.is_(None)
        ),
        m.Holiday: lambda: true(),
    }
    make = clauses.get(model)
    return make() if make else false()


def _task_clause(s: Scope) -> ColumnElement[bool]:
    """A scope's tasks: its units', and with 仅本人 the person's own."""
    clause: ColumnElement[bool] = m.Task.department_id.in_(sorted(s.departments))
    if s.person_id is not None:
        clause = or_(clause, m.Task.person_id == s.person_id)
    return clause


def write_clause(model: type, given: Scope | int) -> ColumnElement[bool]:
    """The rows of `model` a limited user may change: their units' own (and with 仅本人
    their own tasks' records). Rows they only read are not among them: county leaders
    (every department sees them), another department's problems on their projects, the
    units a 仅本人 user reads for context, and shared tables (holidays, compliance). Nor
    is feedback the office has accepted: it is final for the department (issue 14)."""
    s = Scope.of(given).writable()
    d = sorted(s.departments)
    own: dict[type, Callable[[], ColumnElement[bool]]] = {
        m.Person: lambda: m.Person.department_id.in_(d),
        m.Feedback: lambda: and_(scope_clause(m.Feedback, s),
                                 m.Feedback.review_status != ACCEPTED),
        m.Problem: lambda: m.Problem.department_id.in_(d),
        m.Compliance: lambda: false(),
        m.Holiday: lambda: false(),
    }
    make = own.get(model)
    return make() if make else scope_clause(model, s)


# The column that names a row's own department, forced on add and edit.
DEPARTMENT_COLUMN = {
    m.Person: "department_id",
    m.Project: "lead_department_id",
    m.Task: "department_id",
    m.Problem: "department_id",
}


def row_in_scope(obj: m.Model, department_id: Scope | int) -> bool:
    """Whether this row (as stored) is one of the scope's rows."""
    model = type(obj)
    session = db.session
    with session.no_autoflush:  # the row being checked may be pending, half-built
        found = session.scalar(
            select(model.id).where(model.id == obj.id, scope_clause(model, department_id))
        )
    return found is not None
