"""A month in progress (app/domain/month_close.py): the day its figures run to, and what is
still due in the rest of the month, per department in the user's scope and for the county."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_, select

from app import models as m
from app.domain import rules
from app.domain.access import current_department_scope
from app.domain.scope import scope_clause
from app.extensions import db


def still_due_clause(period: dt.date, as_of: dt.date):
    """Tasks not cancelled, due after A and by the month's end, not done by A."""
    t = m.Task
    return and_(t.cancelled.is_(False), t.deadline > as_of,
                t.deadline <= rules.month_end(period),
                or_(t.done_on.is_(None), t.done_on > as_of))


def still_due(period: dt.date, as_of: dt.date) -> dict[int | None, int]:
    """Tasks still due this month after A: by department (the user's scope), None = county."""
    where = still_due_clause(period, as_of)
    query = select(m.Task.department_id, func.count()).where(where).group_by(
        m.Task.department_id)
    scope = current_department_scope()
    if scope is not None:
        query = query.where(scope_clause(m.Task, scope))
    counts: dict[int | None, int] = {department: n for department, n in db.session.execute(query)}
    counts.pop(None, None)  # a task with no department counts for the county only
    # the county's total, as the county's compliance row is everyone's
    counts[None] = db.session.scalar(select(func.count()).select_from(m.Task).where(where))
    return counts
