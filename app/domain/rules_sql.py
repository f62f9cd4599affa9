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
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy import update as sql_update
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement, SQLCoreOperations

from app import models as m
from app.domain import escalation, rules

IdColumn = ColumnElement[int] | InstrumentedAttribute[int]  # the row a rule is correlated to


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


# --- tasks, problems and investment as of a day D (rules.task_status and its neighbours) --

def task_open_on(as_of: dt.date) -> ColumnElement[bool]:
    """Open as of D (rules.task_status's open branch): neither cancelled nor done."""
    t = m.Task
    return and_(t.cancelled.is_(False), t.done_on.is_(None))


def task_overdue_on(as_of: dt.date) -> ColumnElement[bool]:
    """rules.task_status is "overdue" as of D: open, its deadline before D."""
    return and_(task_open_on(as_of), m.Task.deadline < as_of)


def task_due_soon_on(as_of: dt.date, cal: rules.Calendar,
                     settings: rules.Settings) -> ColumnElement[bool]:
    """rules.task_status is "due_soon" as of D: open, due at most N working days after D."""
    t = m.Task
    until = cal.due_soon_until(as_of, settings.due_soon_workdays)
    return and_(task_open_on(as_of), t.deadline >= as_of, t.deadline <= until)


def escalation_level_on(as_of: dt.date, cal: rules.Calendar,
                        settings: rules.Settings) -> ColumnElement[str | None]:
    """escalation.level as of D, of each task: 红/黄 by working days overdue (the deadline
    before escalation.since), 蓝 when due soon or overdue by fewer; else NULL."""
    t, s = m.Task, m.Supervision
    overdue = task_overdue_on(as_of)
    yellow = escalation.since(as_of, settings.escalation_yellow_workdays, cal)
    late = t.deadline < escalation.since(as_of, settings.escalation_red_workdays, cal)
    if settings.escalation_red_notices > 0:  # or N 督办单 since the deadline (escalation.level)
        sent = select(func.count()).where(s.task_id == t.id, s.channel == "notice",
                                          s.sent_on > t.deadline, s.sent_on <= as_of)
        late = or_(late, sent.scalar_subquery() >= settings.escalation_red_notices)
    return case(
        (and_(overdue, late), "red"),
        (and_(overdue, t.deadline < yellow), "yellow"),
        (or_(overdue, task_due_soon_on(as_of, cal, settings)), "blue"),
        else_=null(),
    )


def problem_unresolved_on(as_of: dt.date) -> ColumnElement[bool]:
    """rules.problem_unresolved: raised by D and not resolved by D."""
    pr = m.Problem
    return and_(pr.raised_on <= as_of, or_(pr.resolved_on.is_(None), pr.resolved_on > as_of))


def problem_overdue_on(as_of: dt.date) -> ColumnElement[bool]:
    """rules.problem_overdue: past its deadline at D and not resolved by D (no deadline:
    never)."""
    pr = m.Problem
    return and_(pr.deadline < as_of, or_(pr.resolved_on.is_(None), pr.resolved_on > as_of))


def ytd_reports(as_of: dt.date) -> ColumnElement[bool]:
    """An investment report of this year up to D's month (rules.ytd_months)."""
    first, last = rules.ytd_months(as_of)
    return and_(m.InvestmentReport.period >= first, m.InvestmentReport.period <= last)


def ytd_investment(as_of: dt.date, project_id: IdColumn | int = m.Project.id) -> Select:
    """rules.ytd_investment of one project (correlated to project by default), 0 if none."""
    ir = m.InvestmentReport
    return (select(func.coalesce(func.sum(ir.amount), 0))
            .where(ir.project_id == project_id, ytd_reports(as_of)))


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
        (task_overdue_on(as_of), "overdue"),
        (task_due_soon_on(as_of, cal, settings), "due_soon"),
        else_="pending",
    )
    overdue_days = case(
        (t.cancelled, 0),
        (and_(done, late), days_between(session, t.done_on, t.deadline)),
        (task_overdue_on(as_of), days_between(session, day, t.deadline)),
        else_=0,
    )
    level = escalation_level_on(as_of, cal, settings)
    # only the rows whose values change: no dead tuples nor index churn for the rest
    changed = or_(t.status.is_distinct_from(status), t.overdue_days.is_distinct_from(overdue_days),
                  t.escalation_level.is_distinct_from(level))
    result = session.execute(sql_update(t).values(
        status=status, overdue_days=overdue_days, escalation_level=level).where(changed))
    return typing.cast(CursorResult[Any], result).rowcount  # an UPDATE's result


def refresh_project_colour(session: Session, as_of: dt.date, settings: rules.Settings) -> int:
    """rules.project_color for every project, from the tasks' fresh statuses; one UPDATE
    of the projects whose colour changes."""
    p, t, pr = m.Project, m.Task, m.Problem
    task_in = lambda status: exists().where(t.project_id == p.id, t.status == status)  # noqa: E731
    problem_late = exists().where(pr.project_id == p.id, problem_overdue_on(as_of))
    completed = ytd_investment(as_of).scalar_subquery()
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


def count_if(condition: ColumnElement) -> ColumnElement:
    """How many rows meet the condition (0, not NULL, when none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def month_urged(period: dt.date, as_of: dt.date) -> ColumnElement[bool]:
    """A supervision sent in the period, up to as_of."""
    s = m.Supervision
    return and_(s.sent_on >= period, s.sent_on <= as_of)


def month_fed(period: dt.date, as_of: dt.date) -> ColumnElement[bool]:
    """A feedback reported in the period, up to as_of, and not returned."""
    f = m.Feedback
    # 'returned' written into the SQL, not bound: only then may SQLite use the partial index
    # ix_feedback_reported_task (WHERE review_status <> 'returned'), which the planner
    # matches against the statement's text (bound, the month's feedback was read from the
    # table, not the index: 1.6× the CPU of the whole statement at city size)
    return and_(f.reported_on >= period, f.reported_on <= as_of,
                f.review_status != literal_column("'returned'"))


def task_open_in(period: dt.date, as_of: dt.date) -> ColumnElement[bool]:
    """rules.task_open: not cancelled, assigned by A, not done before the period began."""
    t = m.Task
    return and_(t.cancelled.is_(False), t.assigned_on <= as_of,
                or_(t.done_on.is_(None), t.done_on >= period))


def task_overdue_in(period: dt.date, as_of: dt.date) -> ColumnElement[bool]:
    """rules.task_overdue_in: open in the period, past its deadline at A, not done by A."""
    t = m.Task
    return and_(task_open_in(period, as_of), t.deadline < as_of,
                or_(t.done_on.is_(None), t.done_on > as_of))


def task_due_in(period: dt.date, as_of: dt.date) -> ColumnElement[bool]:
    """rules.task_due_in: not cancelled, its deadline in the period up to A."""
    t = m.Task
    return and_(t.cancelled.is_(False), t.deadline >= period, t.deadline <= as_of)


def urged_in(period: dt.date, as_of: dt.date,
             task_id: IdColumn = m.Task.id) -> ColumnElement[bool]:
    """rules.urged_in: the task has a supervision sent in the period up to A."""
    s = m.Supervision
    return exists().where(s.task_id == task_id, month_urged(period, as_of))


def fed_back_in(period: dt.date, as_of: dt.date,
                task_id: IdColumn = m.Task.id) -> ColumnElement[bool]:
    """rules.fed_back_in: the task has a feedback in the period up to A, not returned."""
    f = m.Feedback
    return exists().where(f.task_id == task_id, month_fed(period, as_of))


def task_conditions(period: dt.date, as_of: dt.date, urged: ColumnElement[bool] | None = None,
                    fed: ColumnElement[bool] | None = None) -> dict[str, ColumnElement[bool]]:
    """Each count of a compliance row as a WHERE clause on task: what it counts.

    Urged and fed back are a probe per task unless given. The compliance table's drill-down
    lists by these; compliance_sql.compliance_counts writes the same conditions on its
    filtered `counted` rows (tests/jobs/test_rules_sql_property.py holds both to rules.py)."""
    t = m.Task
    opened, due = task_open_in(period, as_of), task_due_in(period, as_of)
    urged = urged_in(period, as_of) if urged is None else urged
    fed = fed_back_in(period, as_of) if fed is None else fed
    return {
        "tasks_open": opened,
        "tasks_urged": and_(opened, urged),
        "tasks_fed_back": and_(opened, fed),
        "tasks_due": due,
        "tasks_implemented": and_(due, t.done_on.is_not(None), t.done_on <= t.deadline),
        "tasks_overdue": task_overdue_in(period, as_of),
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
