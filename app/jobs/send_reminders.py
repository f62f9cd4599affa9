"""send_reminders(as_of): the day's supervisions (督促), in the portal, by e-mail and robot.

One supervision per task, kind and day, however often it runs (a unique index backs it):
due_soon on open tasks due soon; overdue on overdue tasks, at most once every 7 days
each; from FEEDBACK_DAY, missing_feedback on open tasks with no feedback this month.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from string import Formatter

from flask import current_app
from sqlalchemy import Date, String, and_, cast, exists, literal, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import lazyload
from sqlalchemy.sql.elements import ColumnElement

from app import models as m
from app.domain import audit, rules, rules_sql, status
from app.extensions import db
from app.jobs import delivery
from app.jobs.locks import hold

OVERDUE_EVERY = dt.timedelta(days=7)
MESSAGES = {
    "due_soon": "【临期提醒】任务“{title}”将于 {deadline} 到期，请按时办结并报送进展。",
    "overdue": "【逾期督办】任务“{title}”已逾期 {days} 天（时间节点 {deadline}），"
               "请说明滞后原因、落实整改措施并尽快办结。",
    "missing_feedback": "【催报】任务“{title}”本月尚未报送进展，请于月底前反馈。",
}


def candidates(as_of: dt.date, settings: rules.Settings,
               cal: rules.Calendar) -> dict[str, ColumnElement[bool]]:
    """Kind -> the condition on task of the open tasks that get that reminder on this day."""
    t, s = m.Task, m.Supervision
    urged_lately = exists().where(s.task_id == t.id, s.kind == "overdue",
                                  s.sent_on > as_of - OVERDUE_EVERY, s.sent_on < as_of)
    kinds = {"due_soon": rules_sql.task_due_soon_on(as_of, cal, settings),
             "overdue": and_(rules_sql.task_overdue_on(as_of), ~urged_lately)}
    if as_of.day >= settings.feedback_day:
        kinds["missing_feedback"] = and_(
            rules_sql.task_open_on(as_of), ~rules_sql.fed_back_in(rules.month_start(as_of), as_of))
    # a task assigned after the day (a backfill of an earlier day) is not reminded then
    return {kind: and_(t.assigned_on <= as_of, rule) for kind, rule in kinds.items()}


def message_sql(kind: str, as_of: dt.date) -> ColumnElement[str]:
    """MESSAGES[kind] filled in by the database from the task's columns."""
    t = m.Task
    fields = {"title": t.title, "deadline": cast(t.deadline, String),
              "days": cast(rules_sql.days_between(db.session, literal(as_of, Date), t.deadline),
                           String)}
    text: ColumnElement[str] = literal("", String)
    for before, name, _spec, _conversion in Formatter().parse(MESSAGES[kind]):
        text = text + literal(before, String) if before else text
        text = text + fields[name] if name else text
    return text


def _insert_new(as_of: dt.date, kinds: dict[str, ColumnElement[bool]]) -> list[tuple[int, str]]:
    """One INSERT … SELECT of the day's reminders not recorded yet: (id, kind) of those added."""
    t, s = m.Task, m.Supervision
    chosen = union_all(*(
        select(t.id, literal(as_of, Date), literal("in_app", String), literal(kind, String),
               message_sql(kind, as_of)).where(rule)
        for kind, rule in kinds.items())).subquery()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(s).from_select(["task_id", "sent_on", "channel", "kind", "message"],
                                       # SQLite: a WHERE before ON CONFLICT, or it is
                                       # read as a join's ON
                                       select(*chosen.c).where(chosen.c.id.is_not(None)))
                 .on_conflict_do_nothing().returning(s.id, s.kind))
    return [tuple(row) for row in db.session.execute(statement)]


def run(as_of: dt.date) -> dict:
    """Record the day's reminders, their notifications and deliveries; then send them.

    Set-based: a fixed number of statements however many tasks are reminded."""
    hold("send_reminders", as_of)  # until the records are committed, before sending
    settings, cal = status.settings(), status.calendar()
    added = _insert_new(as_of, candidates(as_of, settings, cal))
    new = rules_sql.id_in(db.session, m.Supervision.id, [pk for pk, _kind in added])
    created = db.session.scalars(select(m.Supervision).where(new)
                                 .options(lazyload("*"))).all()
    audit.record_inserted(db.session, created)  # the INSERT above bypassed the flush
    notified = delivery.record(new, current_app.config)
    db.session.commit()
    sent, failed = delivery.deliver_pending(current_app.config)
    counts = Counter(kind for _pk, kind in added)
    return dict(counts) | {"new": len(added), "notified": notified, "sent": sent,
                           "failed": failed}
