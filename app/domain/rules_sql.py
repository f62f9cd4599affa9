"""The rules of rules.py for every row at once, in set-based SQL (a few statements).

Tested against rules.py row by row, on random ledgers (tests/jobs/test_rules_sql_property.py):
they must never disagree.
"""

from __future__ import annotations

import datetime as dt
import json
import typing
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    Integer,
    and_,
    any_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy import update as sql_update
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement, SQLCoreOperations

from app import models as m
from app.domain import rules


def days_between(session: Session, later: SQLCoreOperations[Any],
                 earlier: SQLCoreOperations[Any]) -> ColumnElement:
    """later - earlier in days, on SQLite and PostgreSQL alike."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return later - earlier


def id_in(session: Session, column: SQLCoreOperations[Any], ids: list[int]) -> ColumnElement[bool]:
    """column IN ids, as one bound parameter however many (SQLite allows 32766 at most)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(ids, postgresql.ARRAY(Integer)))
    values = func.json_each(literal(json.dumps(ids))).table_valued("value")
    return column.in_(select(values.c.value))


def refresh_task_status(session: Session, as_of: dt.date, cal: rules.Calendar,
                        settings: rules.Settings) -> int:
    """rules.task_status for every task, in one UPDATE; returns the rows that changed."""
    t = m.Task
    day = literal(as_of, Date)
    done, late = t.done_on.is_not(None), t.done_on > t.deadline
    status = case(
        (t.cancelled, "cancelled"),
        (and_(done, t.done_on <= t.deadline), "done_on_time"),
        (done, "done_late"),
        (t.deadline < day, "overdue"),
        (t.deadline <= cal.due_soon_until(as_of, settings.due_soon_workdays), "due_soon"),
        else_="pending",
    )
    overdue_days = case(
        (t.cancelled, 0),
        (and_(done, late), days_between(session, t.done_on, t.deadline)),
        (and_(t.done_on.is_(None), t.deadline < day), days_between(session, day, t.deadline)),
        else_=0,
    )
    # only the rows whose values change: no dead tuples nor index churn for the rest
    changed = or_(t.status.is_distinct_from(status), t.overdue_days.is_distinct_from(overdue_days))
    result = session.execute(
        sql_update(t).values(status=status, overdue_days=overdue_days).where(changed))
    return typing.cast(CursorResult[Any], result).rowcount  # an UPDATE's result


def refresh_project_colour(session: Session, as_of: dt.date, settings: rules.Settings) -> int:
    """rules.project_color for every project, from the tasks' fresh statuses; one UPDATE
    of the projects whose colour changes."""
    p, t, pr, ir = m.Project, m.Task, m.Problem, m.InvestmentReport
    task_in = lambda status: exists().where(t.project_id == p.id, t.status == status)  # noqa: E731
    problem_late = exists().where(
        pr.project_id == p.id, pr.deadline < as_of,
        or_(pr.resolved_on.is_(None), pr.resolved_on > as_of))
    completed = (
        select(func.coalesce(func.sum(ir.amount), 0))
        .where(ir.project_id == p.id, ir.period >= dt.date(as_of.year, 1, 1),
               ir.period <= rules.month_start(as_of))
        .scalar_subquery()
    )
    plan = cast(func.nullif(p.annual_plan_investment, 0), Float)  # never divide by 0
    lag = literal(rules.time_progress(as_of), Float) - cast(completed, Float) / plan
    has_plan = and_(p.annual_plan_investment.is_not(None), p.annual_plan_investment > 0)
    colour = case(
        (or_(task_in("overdue"), problem_late, and_(has_plan, lag > settings.lag_red)), "red"),
        (or_(task_in("due_soon"), and_(has_plan, lag > settings.lag_yellow)), "yellow"),
        else_="green",
    )
    result = session.execute(sql_update(p).values(status_color=colour)
                             .where(p.status_color.is_distinct_from(colour)))
    return typing.cast(CursorResult[Any], result).rowcount  # an UPDATE's result


COUNT_NAMES = ("projects_in_scope", "projects_dispatched", "tasks_open", "tasks_urged",
               "tasks_fed_back", "tasks_due", "tasks_implemented", "tasks_overdue")


def _count(condition: ColumnElement) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def month_urged(period: dt.date, as_of: dt.date) -> ColumnElement[bool]:
    """A supervision sent in the period, up to as_of."""
    s = m.Supervision
    return and_(s.sent_on >= period, s.sent_on <= as_of)


def month_fed(period: dt.date, as_of: dt.date) -> ColumnElement[bool]:
    """A feedback reported in the period, up to as_of, and not returned."""
    f = m.Feedback
    return and_(f.reported_on >= period, f.reported_on <= as_of, f.review_status != "returned")


def task_conditions(period: dt.date, as_of: dt.date, urged: ColumnElement[bool] | None = None,
                    fed: ColumnElement[bool] | None = None) -> dict[str, ColumnElement[bool]]:
    """Each count of a compliance row as a WHERE clause on task: what it counts.

    Urged and fed back are a probe per task unless given (compliance_counts gives them
    as joins to the month's slices)."""
    t, s, f = m.Task, m.Supervision, m.Feedback
    opened = and_(t.cancelled.is_(False), t.assigned_on <= as_of,
                  or_(t.done_on.is_(None), t.done_on >= period))
    if urged is None:
        urged = exists().where(s.task_id == t.id, month_urged(period, as_of))
    if fed is None:
        fed = exists().where(f.task_id == t.id, month_fed(period, as_of))
    due = and_(t.cancelled.is_(False), t.deadline >= period, t.deadline <= as_of)
    return {
        "tasks_open": opened,
        "tasks_urged": and_(opened, urged),
        "tasks_fed_back": and_(opened, fed),
        "tasks_due": due,
        "tasks_implemented": and_(due, t.done_on.is_not(None), t.done_on <= t.deadline),
        "tasks_overdue": and_(opened, t.deadline < as_of,
                              or_(t.done_on.is_(None), t.done_on > as_of)),
    }


def project_conditions(period: dt.date, as_of: dt.date) -> dict[str, ColumnElement[bool]]:
    """Each project count of a compliance row as a WHERE clause on project."""
    p, mp, mt = m.Project, m.meeting_project, m.Meeting
    in_scope = or_(p.stage.in_(rules.IN_SCOPE_STAGES),
                   and_(p.stage.in_(rules.FINISHED_STAGES), p.actual_end >= period))
    dispatched = exists().where(mp.c.project_id == p.id, mp.c.meeting_id == mt.id,
                                mt.held_on >= period, mt.held_on <= as_of)
    return {"projects_in_scope": in_scope,
            "projects_dispatched": and_(in_scope, dispatched)}


def compliance_counts(session: Session, period: dt.date, today: dt.date
                      ) -> dict[int, rules.ComplianceCounts]:
    """Every department's compliance counts of one period: two grouped SELECTs."""
    period = rules.month_start(period)
    as_of = rules.compliance_as_of(period, today)
    counts = {d: [0] * 8 for d in session.scalars(select(m.Department.id))}
    project_counts = [_count(c) for c in project_conditions(period, as_of).values()]
    projects = select(m.Project.lead_department_id, *project_counts).group_by(
        m.Project.lead_department_id)
    for department, *values in session.execute(projects):
        counts[department][0:2] = values
    for department, *values in session.execute(_task_counts(period, as_of)):
        counts[department][2:8] = values
    return {d: rules.ComplianceCounts(*map(int, v)) for d, v in counts.items()}


def _task_counts(period: dt.date, as_of: dt.date) -> Select:
    """The task counts per department in one pass: the month's supervisions and feedback
    are read once as slices (date-first indexes) and joined, not probed per task."""
    t, s, f = m.Task, m.Supervision, m.Feedback
    urged = select(s.task_id).where(month_urged(period, as_of)).distinct().subquery("urged")
    fed = select(f.task_id).where(month_fed(period, as_of)).distinct().subquery("fed")
    conditions = task_conditions(period, as_of, urged=urged.c.task_id.is_not(None),
                                 fed=fed.c.task_id.is_not(None))
    return (select(t.department_id, *[_count(c) for c in conditions.values()])
            .select_from(t).outerjoin(urged, urged.c.task_id == t.id)
            .outerjoin(fed, fed.c.task_id == t.id).group_by(t.department_id))


def county(rows: dict[int, rules.ComplianceCounts]) -> rules.ComplianceCounts:
    """The county's row: the sum of its departments' (every task and project has one)."""
    totals = [sum(getattr(row, name) for row in rows.values()) for name in COUNT_NAMES]
    return rules.ComplianceCounts(*totals)
