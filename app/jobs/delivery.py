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

from sqlalchemy import DateTime, Integer, String, insert, literal, select, update
from sqlalchemy.sql.elements import ColumnElement

from app import models as m
from app.domain import clock, recipients
from app.extensions import db

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
TIMEOUT = 10


def _now() -> dt.datetime:
    return clock.utcnow()


def record(new: ColumnElement[bool], config: dict,
           channels: frozenset[str] = frozenset({"email", "webhook"})) -> int:
    """Notifications and pending deliveries of the new supervisions (those matching `new`),
    set-based: one INSERT … SELECT each (not committed). They reach everyone who must act
    on the task (app/domain/recipients.py): a notification for each login, an e-mail to
    each address, one message to the group robot — of `channels`, where configured.
    Returns the notifications."""
    s = m.Supervision
    told = recipients.of_tasks(select(s.task_id).where(new),
                               bool(config.get("NOTIFY_DEPARTMENT"))).subquery()
    people = select(s.id, told.c.user_id, told.c.email, s.message).join(
        told, told.c.task_id == s.task_id).where(new)
    notes = people.where(told.c.user_id.is_not(None)).with_only_columns(
        told.c.user_id, s.id, literal(_now(), DateTime), s.message).distinct()
    notified = db.session.connection().execute(insert(m.Notification.__table__).from_select(
        ["user_id", "supervision_id", "created_at", "message"], notes)).rowcount
    pending = literal("pending", String)
    if config.get("MAIL_SERVER") and "email" in channels:
        mails = people.where(told.c.email.is_not(None), told.c.email != "").with_only_columns(
            s.id, literal("email", String), told.c.email, pending, literal(0, Integer)
        ).distinct()
        db.session.connection().execute(
            insert(m.Delivery.__table__).from_select(DELIVERY_COLUMNS, mails))
    if config.get("WEBHOOK_URL") and "webhook" in channels:
        robots = select(s.id, literal("webhook", String), literal(config["WEBHOOK_URL"], String),
                        pending, literal(0, Integer)).where(new)
        db.session.connection().execute(
            insert(m.Delivery.__table__).from_select(DELIVERY_COLUMNS, robots))
    return notified


def configured(config: dict) -> frozenset[str]:
    """The channels out of the portal this installation has set up."""
    return frozenset(name for name, key in (("email", "MAIL_SERVER"), ("webhook", "WEBHOOK_URL"))
                     if config.get(key))


DELIVERY_COLUMNS = ["supervision_id", "channel", "recipient", "status", "attempts"]


def deliver_pending(config: dict) -> tuple[int, int]:
    """Try every delivery not sent yet; commit each outcome on its own. Each is claimed
    first (its attempts counted up where no one else did), so two runs at once — the daily
    job and a 督促 by hand — never send one message twice."""
    pending = db.session.execute(
        select(m.Delivery.id, m.Delivery.attempts).where(
            m.Delivery.status != "sent", m.Delivery.attempts < MAX_ATTEMPTS)
        .order_by(m.Delivery.id)).all()
    sent = failed = 0
    for pk, seen in pending:
        claimed = db.session.execute(
            update(m.Delivery).where(m.Delivery.id == pk, m.Delivery.attempts == seen,
                                     m.Delivery.status != "sent")
            .values(attempts=seen + 1)).rowcount
        db.session.commit()
        if not claimed:
            continue  # another run took it
        item = db.session.get(m.Delivery, pk)
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
    _task, subject, text = item.about
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = config.get("MAIL_DEFAULT_SENDER") or "keyledger@localhost"
    mail["To"] = item.recipient
    mail.set_content(text)
    with smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT") or 25,
                      timeout=TIMEOUT) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(mail)


def send_webhook(item: m.Delivery, config: dict) -> None:
    """The JSON a WeCom or DingTalk group robot accepts: a text message."""
    task, _subject, text = item.about
    person = task.person
    body: dict[str, Any] = {"msgtype": "text", "text": {"content": text}}
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


# a 督促 by hand: in the portal always, and out of it by the channel chosen (a 督办单 also
# by e-mail: it is the formal notice); 会议督办 is said at the meeting, and told in the portal
MANUAL_CHANNELS = {"in_app": frozenset(), "email": frozenset({"email"}),
                   "webhook": frozenset({"webhook"}), "notice": frozenset({"email"}),
                   "meeting": frozenset()}
