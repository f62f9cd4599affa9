"""Reminders out of the portal: a notification for the person's login, an e-mail to the
person, a message to the group robot. A failed delivery is recorded and retried by the
next run; one failure never blocks the others."""

from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
import urllib.request
from email.message import EmailMessage
from typing import Any, cast

from sqlalchemy import DateTime, Integer, String, insert, literal, select
from sqlalchemy.sql.elements import ColumnElement

from app import models as m
from app.domain import clock
from app.extensions import db

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
TIMEOUT = 10


def _now() -> dt.datetime:
    return clock.utcnow()


def record(new: ColumnElement[bool], config: dict) -> int:
    """Notifications and pending deliveries of the new supervisions (those matching `new`),
    set-based: one INSERT … SELECT each (not committed). Returns the notifications."""
    s, t, p = m.Supervision, m.Task, m.Person
    people = select(s.id, p.user_id, p.email, s.message).join(t, t.id == s.task_id).join(
        p, p.id == t.person_id).where(new)
    notes = people.where(p.user_id.is_not(None)).with_only_columns(
        p.user_id, s.id, literal(_now(), DateTime), s.message)
    notified = db.session.connection().execute(insert(m.Notification.__table__).from_select(
        ["user_id", "supervision_id", "created_at", "message"], notes)).rowcount
    pending = literal("pending", String)
    if config.get("MAIL_SERVER"):
        mails = people.where(p.email.is_not(None), p.email != "").with_only_columns(
            s.id, literal("email", String), p.email, pending, literal(0, Integer))
        db.session.connection().execute(
            insert(m.Delivery.__table__).from_select(DELIVERY_COLUMNS, mails))
    if config.get("WEBHOOK_URL"):
        robots = select(s.id, literal("webhook", String), literal(config["WEBHOOK_URL"], String),
                        pending, literal(0, Integer)).where(new)
        db.session.connection().execute(
            insert(m.Delivery.__table__).from_select(DELIVERY_COLUMNS, robots))
    return notified


DELIVERY_COLUMNS = ["supervision_id", "channel", "recipient", "status", "attempts"]


def deliver_pending(config: dict) -> tuple[int, int]:
    """Try every delivery not sent yet; commit each outcome on its own."""
    pending = db.session.scalars(
        select(m.Delivery).where(m.Delivery.status != "sent",
                                 m.Delivery.attempts < MAX_ATTEMPTS)
        .order_by(m.Delivery.id)).all()
    sent = failed = 0
    for item in pending:
        item.attempts += 1
        try:
            SENDERS[item.channel](item, config)
        except (OSError, smtplib.SMTPException, ValueError) as error:
            item.status, item.last_error = "failed", f"{type(error).__name__}: {error}"[:2000]
            failed += 1
            logger.warning("delivery %s by %s failed: %s", item.id, item.channel, error)
        else:
            item.status, item.sent_at, item.last_error = "sent", _now(), None
            sent += 1
        db.session.commit()
    return sent, failed


def send_email(item: m.Delivery, config: dict) -> None:
    mail = EmailMessage()
    mail["Subject"] = "督办提醒：" + item.supervision.task.title
    mail["From"] = config.get("MAIL_DEFAULT_SENDER") or "keyledger@localhost"
    mail["To"] = item.recipient
    mail.set_content(item.supervision.message or "")
    with smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT") or 25,
                      timeout=TIMEOUT) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(mail)


def send_webhook(item: m.Delivery, config: dict) -> None:
    """The JSON a WeCom or DingTalk group robot accepts: a text message."""
    supervision = item.supervision
    person = supervision.task.person
    body: dict[str, Any] = {"msgtype": "text", "text": {"content": supervision.message or ""}}
    if person is not None and person.phone:
        body["text"]["mentioned_mobile_list"] = [person.phone]  # WeCom
        body["at"] = {"atMobiles": [person.phone]}  # DingTalk
    request = urllib.request.Request(
        cast(str, item.recipient), data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        answer = json.loads(response.read() or b"{}")
    if answer.get("errcode", 0) != 0:
        raise ValueError(f"robot refused: {answer}")


SENDERS = {"email": send_email, "webhook": send_webhook}
