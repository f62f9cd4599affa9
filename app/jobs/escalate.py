"""escalate(as_of): 分级督办 (issue 16, item 3), daily. Each open task at a 督办 level
(app/domain/escalation.py: 蓝 due soon, 黄 from ESCALATION_YELLOW_WORKDAYS working days
overdue, 红 from ESCALATION_RED_WORKDAYS or, with ESCALATION_RED_NOTICES = N, once it has had
N 督办单 since its deadline) gets that level's 督办单 once, numbered
督办〔YEAR〕N号, told to the people who must act on the task (app/domain/recipients.py) and,
for 红, to the 分管领导 of the task's project in the portal.

Idempotent per task and level: a level already issued — or a higher one, as a task first
seen 15 working days late gets its 红 notice only — is not issued again, and a unique index
on (task, level) holds that even past this job. The levels stored on the tasks are
set on the tasks issued for, so the pages show what the notices say (refresh_status keeps
every task's level from day to day, as it keeps the status).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import DateTime, and_, exists, insert, literal, select, update
from sqlalchemy.orm import aliased, lazyload

from app import models as m
from app.domain import audit, choices, clock, notice_number, rules_sql, status
from app.extensions import db
from app.jobs import delivery
from app.jobs.locks import hold

LEVELS = list(choices.ESCALATION_LEVEL)  # lowest first
# the supervision kind a level's 督办单 is (it counts as the month's 督促 like any other)
KIND = {"blue": "due_soon", "yellow": "overdue", "red": "overdue"}
MESSAGES = {
    "blue": "【蓝色督办】任务“{title}”将于 {deadline} 到期，现发出{number}督办单，"
            "请按时办结并报送进展。",
    "yellow": "【黄色督办】任务“{title}”已逾期（时间节点 {deadline}），现发出{number}督办单，"
              "请说明滞后原因、落实整改措施并尽快办结。",
    "red": "【红色督办】任务“{title}”逾期（时间节点 {deadline}）经督办仍未办结，"
           "现发出{number}督办单，并报分管领导，请主要负责同志亲自研究、限期办结。",
}


def due(as_of: dt.date) -> list[tuple[int, str]]:
    """(task, level) of the open tasks whose level's 督办单 is not issued yet (nor a higher
    one), by task id."""
    t, s = m.Task, m.Supervision
    level = rules_sql.escalation_level_on(as_of, status.calendar(), status.settings())
    found = select(t.id, level.label("level")).where(
        t.assigned_on <= as_of, level.is_not(None)).order_by(t.id).subquery()
    issued: dict[int, set[str]] = {}
    for task_id, done in db.session.execute(select(s.task_id, s.level).where(
            s.level.is_not(None), s.task_id.in_(select(found.c.id)))):
        issued.setdefault(task_id, set()).add(done)
    return [(task_id, name) for task_id, name in db.session.execute(select(found))
            if not issued.get(task_id, set()) & set(LEVELS[LEVELS.index(name):])]


def issue(as_of: dt.date, chosen: list[tuple[int, str]]) -> list[m.Supervision]:
    """The 督办单 of the chosen (task, level), numbered in task order (not committed).
    Set-based: one INSERT of every row (executemany), one SELECT of them back by their
    numbers, and their audit rows in one more, however many are issued."""
    if not chosen:
        return []
    first = notice_number.reserve(as_of.year, len(chosen))
    tasks = {task.id: task for task in db.session.scalars(select(m.Task).where(
        m.Task.id.in_([task_id for task_id, _level in chosen])))}
    values = []
    for offset, (task_id, level) in enumerate(chosen):
        task, seq = tasks[task_id], first + offset
        number = notice_number.doc_number(as_of.year, seq)
        values.append({"task_id": task_id, "sent_on": as_of, "channel": "notice",
                       "kind": KIND[level], "level": level, "doc_year": as_of.year,
                       "doc_seq": seq, "message": MESSAGES[level].format(
                           title=task.title, deadline=task.deadline.isoformat(),
                           number=number)})
    db.session.execute(insert(m.Supervision.__table__), values)
    s = m.Supervision
    rows = list(db.session.scalars(select(s).where(
        s.doc_year == as_of.year, s.doc_seq.between(first, first + len(chosen) - 1))
        .order_by(s.doc_seq).options(lazyload("*"))))
    audit.record_inserted(db.session, rows)  # the INSERT above bypassed the flush
    return rows


def tell_leaders(ids: list[int]) -> int:
    """A notification in the portal for the 分管领导 of each 红 notice's project, unless the
    leader is told already (the responsible person, say); returns how many."""
    s, t, p, n = m.Supervision, m.Task, m.Project, m.Notification
    leader, login = aliased(m.Person), aliased(User)
    rows = (select(login.id, s.id, literal(clock.utcnow(), DateTime), s.message)
            .join(t, t.id == s.task_id).join(p, p.id == t.project_id)
            .join(leader, leader.id == p.lead_leader_id)
            .join(login, and_(login.id == leader.user_id, login.active.is_(True)))
            .where(s.id.in_(ids), s.level == "red",
                   ~exists().where(n.supervision_id == s.id, n.user_id == login.id)))
    return db.session.connection().execute(insert(n.__table__).from_select(
        ["user_id", "supervision_id", "created_at", "message"], rows)).rowcount


def refresh_levels(task_ids: list[int], level: str) -> int:
    """The stored level of the tasks just issued at `level`, so the pages show what the
    notices say before the next refresh_status (which keeps every task's level; only these
    rows are written here, so the two jobs of one tick never contend for the whole table)."""
    t = m.Task
    return db.session.execute(update(t).values(escalation_level=level).where(
        t.id.in_(task_ids), t.escalation_level.is_distinct_from(level))).rowcount


def run(as_of: dt.date) -> dict:
    """Issue the day's 督办单 by level, record whom they reach, commit; then send them."""
    hold("escalate", as_of)
    notice_number.reserve(as_of.year, 0)  # the year's counter first: issuers take turns
    rows = issue(as_of, due(as_of))
    ids = [row.id for row in rows]
    notified = delivery.record(m.Supervision.id.in_(ids), current_app.config) if ids else 0
    leaders = tell_leaders(ids) if ids else 0
    refreshed = sum(refresh_levels([row.task_id for row in rows if row.level == level], level)
                    for level in LEVELS)
    counts = Counter(row.level for row in rows)  # read before the commit expires the rows
    db.session.commit()
    sent, failed = delivery.deliver_pending(current_app.config)
    return {level: counts.get(level, 0) for level in LEVELS} | {
        "new": len(rows), "notified": notified, "leaders": leaders, "levels": refreshed,
        "sent": sent, "failed": failed}
