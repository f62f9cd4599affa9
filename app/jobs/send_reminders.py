"""send_reminders(as_of): the day's supervisions (督促), in the portal, by e-mail and robot.

One supervision per task, kind and day, however often it runs (a unique index backs it):
due_soon on open tasks due soon; overdue on overdue tasks, at most once every 7 days
each; from FEEDBACK_DAY, missing_feedback on open tasks with no feedback this month.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import and_, exists, select
from sqlalchemy.dialects import postgresql, sqlite

from .. import models as m
from .. import rules, status
from ..extensions import db
from . import delivery

OVERDUE_EVERY = dt.timedelta(days=7)
MESSAGES = {
    "due_soon": "【临期提醒】任务“{title}”将于 {deadline} 到期，请按时办结并报送进展。",
    "overdue": "【逾期督办】任务“{title}”已逾期 {days} 天（时间节点 {deadline}），"
               "请说明滞后原因、落实整改措施并尽快办结。",
    "missing_feedback": "【催报】任务“{title}”本月尚未报送进展，请于月底前反馈。",
}


def candidates(as_of: dt.date, settings: rules.Settings, cal: rules.Calendar) -> dict[str, list]:
    """Kind -> the open tasks that get that reminder on this day."""
    t, s, f = m.Task, m.Supervision, m.Feedback
    open_task = and_(t.cancelled.is_(False), t.done_on.is_(None), t.assigned_on <= as_of)
    due_soon = and_(t.deadline >= as_of,
                    t.deadline <= cal.due_soon_until(as_of, settings.due_soon_workdays))
    urged_lately = exists().where(s.task_id == t.id, s.kind == "overdue",
                                  s.sent_on > as_of - OVERDUE_EVERY, s.sent_on < as_of)
    overdue = and_(t.deadline < as_of, ~urged_lately)
    month = rules.month_start(as_of)
    fed_back = exists().where(f.task_id == t.id, f.reported_on >= month,
                              f.reported_on <= as_of, f.review_status != "returned")
    kinds = {"due_soon": due_soon, "overdue": overdue}
    if as_of.day >= settings.feedback_day:
        kinds["missing_feedback"] = ~fed_back
    return {kind: db.session.scalars(select(t).where(open_task, rule)).all()
            for kind, rule in kinds.items()}


def _insert_new(rows: list[dict]) -> list[int]:
    """Insert the supervisions not recorded yet; the ids of those inserted now."""
    if not rows:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(m.Supervision).on_conflict_do_nothing().returning(m.Supervision.id)
    return list(db.session.scalars(statement, rows))


def run(as_of: dt.date) -> dict:
    """Record the day's reminders, their notifications and deliveries; then send them."""
    settings, cal = status.settings(), status.calendar()
    planned = candidates(as_of, settings, cal)
    rows = [
        {"task_id": task.id, "sent_on": as_of, "channel": "in_app", "kind": kind,
         "message": message(kind, task, as_of)}
        for kind, tasks in planned.items() for task in tasks
    ]
    new_ids = _insert_new(rows)
    created = db.session.scalars(
        select(m.Supervision).where(m.Supervision.id.in_(new_ids))).all() if new_ids else []
    notified = delivery.record(created, current_app.config)
    db.session.commit()
    sent, failed = delivery.deliver_pending(current_app.config)
    counts = {kind: len(tasks) for kind, tasks in planned.items()}
    return counts | {"new": len(created), "notified": notified, "sent": sent, "failed": failed}


def message(kind: str, task: m.Task, as_of: dt.date) -> str:
    return MESSAGES[kind].format(title=task.title, deadline=task.deadline.isoformat(),
                                 days=(as_of - task.deadline).days)
