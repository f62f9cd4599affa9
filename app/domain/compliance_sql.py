"""The compliance table in SQL: every department's counts of one month in one statement,
and the county's (rules.compliance_table's figures; the conditions are rules_sql's).

Tested against rules.py on random ledgers (tests/jobs/test_rules_sql_property.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from app import models as m
from app.domain import rules
from app.domain.rules_sql import COUNT_NAMES, month_fed, month_urged, project_conditions


def compliance_counts(session: Session, period: dt.date, today: dt.date
                      ) -> dict[int, rules.ComplianceCounts]:
    """Every department's compliance counts of one period, in one statement (a department
    with nothing to count has zeros)."""
    period = rules.month_start(period)
    as_of = rules.compliance_as_of(period, today)
    return {department: rules.ComplianceCounts(*map(int, values))
            for department, *values in session.execute(_department_counts(period, as_of))}


def _department_counts(period: dt.date, as_of: dt.date) -> Select:
    """department LEFT JOIN its project counts LEFT JOIN its task counts, filtered first.

    Issue 19: the task part keeps the tasks that can count — open in the period or due in
    it — before joining the month's urged and fed-back slices (each DISTINCT, read by its
    date-first index), as bench/floor.sql does; joining every task ever assigned to those
    slices first and filtering after was 1.9× the floor on PostgreSQL and 3.4× on SQLite
    at city size. The conditions are the very ones of task_conditions and
    project_conditions (rules.py's rules; tests/jobs/test_rules_sql_property.py)."""
    t, s, f, p, mp, mt = m.Task, m.Supervision, m.Feedback, m.Project, m.meeting_project, m.Meeting
    d = m.Department
    urged = select(s.task_id).where(month_urged(period, as_of)).distinct().cte("urged")
    fed = select(f.task_id).where(month_fed(period, as_of)).distinct().cte("fed")
    dispatched = (select(mp.c.project_id).join(mt, mt.id == mp.c.meeting_id)
                  .where(mt.held_on >= period, mt.held_on <= as_of).distinct().cte("dispatched"))
    is_open = and_(t.assigned_on <= as_of, or_(t.done_on.is_(None), t.done_on >= period))
    is_due = and_(t.deadline >= period, t.deadline <= as_of)
    counted = (select(t.id, t.department_id, t.deadline, t.done_on,
                      is_open.label("is_open"), is_due.label("is_due"))
               .where(t.cancelled.is_(False), or_(is_open, is_due)).cte("counted"))
    c = counted.c
    opened, due = c.is_open, c.is_due
    count = func.count
    tasks = (select(c.department_id,
                    count().filter(opened).label("tasks_open"),
                    count(urged.c.task_id).filter(opened).label("tasks_urged"),
                    count(fed.c.task_id).filter(opened).label("tasks_fed_back"),
                    count().filter(due).label("tasks_due"),
                    count().filter(due, c.done_on <= c.deadline).label("tasks_implemented"),
                    count().filter(opened, c.deadline < as_of,
                                   or_(c.done_on.is_(None), c.done_on > as_of))
                    .label("tasks_overdue"))
             .select_from(counted)
             .outerjoin(urged, urged.c.task_id == c.id)
             .outerjoin(fed, fed.c.task_id == c.id)
             .group_by(c.department_id).subquery("task_counts"))
    in_scope = project_conditions(period, as_of)["projects_in_scope"]
    projects = (select(p.lead_department_id.label("department_id"),
                       count().label("projects_in_scope"),
                       count(dispatched.c.project_id).label("projects_dispatched"))
                .select_from(p).outerjoin(dispatched, dispatched.c.project_id == p.id)
                .where(in_scope).group_by(p.lead_department_id).subquery("project_counts"))
    zero = lambda column: func.coalesce(column, 0)  # noqa: E731
    return (select(d.id, *[zero(projects.c[n]) for n in COUNT_NAMES[:2]],
                   *[zero(tasks.c[n]) for n in COUNT_NAMES[2:]])
            .select_from(d)
            .outerjoin(projects, projects.c.department_id == d.id)
            .outerjoin(tasks, tasks.c.department_id == d.id)
            .order_by(d.id))


def compliance_table(session: Session, period: dt.date, today: dt.date
                     ) -> dict[int | None, rules.ComplianceCounts]:
    """rules.compliance_table in SQL: every department's counts and the county's (key None).

    The county is summed from the one statement's rows, not a UNION ALL row of it: the same
    figures (every task and project has a department), without the database reading the
    department rows a second time."""
    departments = compliance_counts(session, period, today)
    table: dict[int | None, rules.ComplianceCounts] = {None: county(departments)}
    return table | departments


def county(rows: dict[int, rules.ComplianceCounts]) -> rules.ComplianceCounts:
    """The county's row: the sum of its departments' (every task and project has one)."""
    totals = [sum(getattr(row, name) for row in rows.values()) for name in COUNT_NAMES]
    return rules.ComplianceCounts(*totals)
