"""我的台账's figures: a department's open tasks, each with its status as of today
(rules.task_status), working days left, last feedback and whether it is fed back this month
(the compliance rule), in the order the page lists them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, raiseload

from app import models as m
from app.domain import escalation, rules, rules_sql, status
from app.domain.scope import Scope, scope_clause
from app.extensions import db

LAGGING = ("overdue", "due_soon")  # the statuses that ask for a lag reason and measures


@dataclass
class LedgerRow:
    """One open task as the ledger shows it, its status computed as of today."""

    task: m.Task
    status: str
    overdue_days: int
    workdays_left: int
    last_feedback: Any  # (reported_on, percent_complete, review_status, review_comment)
    month_fed_back: bool
    pending_extension: Any = None  # (requested_on, new_deadline) of a request not decided
    notices: list[Any] = field(default_factory=list)  # (id, sent_on) of its 督办通知单
    escalation: str | None = None  # its 督办 level as of today (escalation.level)

    @property
    def lagging(self) -> bool:
        return self.status in LAGGING


def open_tasks(department: Scope | int | None, today: dt.date, offset: int, limit: int
               ) -> list[m.Task]:
    """The tasks open today from `offset` (at most `limit`), by deadline.

    For open tasks deadline order is status order: overdue, then due soon, then the rest.
    """
    query = (
        select(m.Task)
        .where(rules_sql.task_open_on(today))
        .options(raiseload("*"), joinedload(m.Task.project).raiseload("*"),
                 joinedload(m.Task.person).raiseload("*"),
                 joinedload(m.Task.department).raiseload("*"))
        .order_by(m.Task.deadline, m.Task.id)
        .offset(offset).limit(limit)
    )
    if department is not None:
        query = query.where(scope_clause(m.Task, department))
    return list(db.session.scalars(query))


def feedback_summary(task_ids: list[int], today: dt.date) -> dict[int, Any]:
    """Per task: its last feedback, and whether it is fed back this month up to today (the
    compliance rule, rules.fed_back_in)."""
    f = m.Feedback
    this_month = rules_sql.month_fed(rules.month_start(today), today)
    ranked = select(
        f.task_id, f.reported_on, f.percent_complete, f.review_status, f.review_comment,
        func.row_number().over(partition_by=f.task_id,
                               order_by=(f.reported_on.desc(), f.id.desc())).label("rank"),
        func.max(case((this_month, 1), else_=0)).over(partition_by=f.task_id).label("month_in"),
    ).where(f.task_id.in_(task_ids)).subquery()
    rows = db.session.execute(select(ranked).where(ranked.c.rank == 1))
    return {row.task_id: row for row in rows}


def ledger_rows(tasks: list[m.Task], today: dt.date) -> list[LedgerRow]:
    """The tasks with status (app.domain.rules, as of today), days left and feedback."""
    cal, conf = status.calendar(), status.settings()
    ids = [t.id for t in tasks]
    summary = feedback_summary(ids, today)
    pending, notices = pending_extensions(ids), notices_of(ids)
    rows = []
    for task in tasks:
        state, overdue = rules.task_status(task.deadline, task.done_on, task.cancelled, today,
                                           cal, conf)
        last = summary.get(task.id)
        sent = notices.get(task.id, [])
        level = escalation.level(task.deadline, task.done_on, task.cancelled, today, cal, conf,
                                 sum(task.deadline < n.sent_on <= today for n in sent))
        rows.append(LedgerRow(task, state, overdue, cal.workdays_between(today, task.deadline),
                              last, bool(last and last.month_in), pending.get(task.id),
                              notices.get(task.id, []), level))
    order = {"overdue": 0, "due_soon": 1}
    return sorted(rows, key=lambda r: (order.get(r.status, 2), r.task.deadline, r.task.id))


def pending_extensions(task_ids: list[int]) -> dict[int, Any]:
    """Per task: its extension request awaiting the office's decision (at most one)."""
    e = m.Extension
    rows = db.session.execute(select(e.task_id, e.requested_on, e.new_deadline).where(
        e.task_id.in_(task_ids), e.decision == "pending"))
    return {row.task_id: row for row in rows}


def notices_of(task_ids: list[int]) -> dict[int, list[Any]]:
    """Per task: the 督办通知单 sent on it (id, sent_on, level, doc_year, doc_seq), the latest
    first."""
    s = m.Supervision
    found: dict[int, list[Any]] = {}
    for row in db.session.execute(select(s.task_id, s.id, s.sent_on, s.level, s.doc_year,
                                         s.doc_seq).where(
            s.task_id.in_(task_ids), s.channel == "notice").order_by(s.sent_on.desc(),
                                                                    s.id.desc())):
        found.setdefault(row.task_id, []).append(row)
    return found
