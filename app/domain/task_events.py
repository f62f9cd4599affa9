"""Task events (issue 16, item 1): what happens to a task that the people who must act on it
hear of, in the portal and by e-mail and group robot where configured — a task assigned, a
feedback returned (with the office's comment), an extension approved (the deadline moves: the
one way it does) or rejected (with the reason).

Found where every save path meets, the session's flush (as the audit trail is): a FAB form,
the REST API, a domain action and an import all tell the same people. Only a person's act is
an event: a job or a command (the demo seed, `flask import`) acting as the system tells no
one. Each event is a `task_event` row, and reaches `recipients.of_tasks` (the responsible
person's login, or the unit's 联络员) but never the person who acted: one notification per
login, one e-mail per address, one robot message — written with the change, in its own
transaction, so a rolled-back change tells nobody. The deliveries go out with the next
`send_deliveries`, which the web layer queues after the request (app/web/notifications.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from sqlalchemy import DateTime, Integer, String, event, insert, inspect, literal, or_, select
from sqlalchemy.orm import Session

from app import models as m
from app.domain import access, clock, recipients
from app.extensions import db

SENT_FLAG = "task_event_deliveries"  # session.info: deliveries recorded, to be sent


def _changed(obj: object, key: str) -> bool:
    return bool(inspect(obj).attrs[key].history.has_changes())


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


def found(session: Session) -> list[tuple[int, str, str]]:
    """(task id, kind, message) of the events among the rows of this flush."""
    events = []
    for obj in session.new:
        if isinstance(obj, m.Task) and obj.id is not None:
            events.append((obj.id, "assigned", f"新交办任务：{obj.title}，时间节点 "
                                               f"{_day(obj.deadline)}。"))
    for obj in session.dirty:
        if isinstance(obj, m.Feedback) and _changed(obj, "review_status") \
                and obj.review_status == "returned":
            events.append((obj.task_id, "returned",
                           f"进展反馈被退回：{obj.task.title}（{_day(obj.reported_on)} 报送）。"
                           f"审核意见：{obj.review_comment or ''}"))
        elif isinstance(obj, m.Extension) and _changed(obj, "decision"):
            if obj.decision == "approved":
                events.append((obj.task_id, "extension_approved",
                               f"延期申请已批准：{obj.task.title}，时间节点延至 "
                               f"{_day(obj.new_deadline)}。"
                               + (f"审批意见：{obj.decision_comment}" if obj.decision_comment
                                  else "")))
            elif obj.decision == "rejected":
                events.append((obj.task_id, "extension_rejected",
                               f"延期申请被驳回：{obj.task.title}。理由："
                               f"{obj.decision_comment or ''}"))
    return events


def record(session: Session, events: list[tuple[int, str, str]], actor: int,
           config: Any) -> bool:
    """Write the events, their notifications and deliveries on the flush's connection;
    whether any delivery was recorded."""
    connection = session.connection()
    now = clock.utcnow()
    delivered = False
    for task_id, kind, message in events:
        inserted = connection.execute(insert(m.TaskEvent.__table__).values(
            task_id=task_id, kind=kind, message=message, created_at=now, actor_id=actor)
        ).inserted_primary_key
        assert inserted is not None
        event_id = inserted[0]
        told = recipients.of_tasks(select(literal(task_id, Integer)),
                                   bool(config.get("NOTIFY_DEPARTMENT"))).subquery()
        others = or_(told.c.user_id.is_(None), told.c.user_id != actor)
        logins = select(told.c.user_id, literal(event_id, Integer), literal(now, DateTime),
                        literal(message, String)).where(
            told.c.user_id.is_not(None), told.c.user_id != actor).distinct()
        connection.execute(insert(m.Notification.__table__).from_select(
            ["user_id", "event_id", "created_at", "message"], logins))
        columns = ["event_id", "channel", "recipient", "status", "attempts"]
        pending, tries = literal("pending", String), literal(0, Integer)
        if config.get("MAIL_SERVER"):
            mails = select(literal(event_id, Integer), literal("email", String),
                           told.c.email, pending, tries).where(
                others, told.c.email.is_not(None), told.c.email != "").distinct()
            delivered |= bool(connection.execute(
                insert(m.Delivery.__table__).from_select(columns, mails)).rowcount)
        if config.get("WEBHOOK_URL"):
            connection.execute(insert(m.Delivery.__table__).values(
                event_id=event_id, channel="webhook", recipient=config["WEBHOOK_URL"],
                status="pending", attempts=0))
            delivered = True
    return delivered


def _after_flush(session: Session, _context: object) -> None:
    actor = access.current()
    if actor.is_system or actor.user_id is None:
        return
    events = found(session)
    if events and record(session, events, actor.user_id, current_app.config):
        session.info[SENT_FLAG] = True


def _after_rollback(session: Session, _previous: object) -> None:
    session.info.pop(SENT_FLAG, None)


def init_app() -> None:
    for name, listener in (("after_flush", _after_flush),
                           ("after_soft_rollback", _after_rollback)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
