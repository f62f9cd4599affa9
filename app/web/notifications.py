"""提醒: each login's reminders in the portal, marked read one by one or all at once, and
the unread count the navbar shows on every page (one COUNT per page)."""

from __future__ import annotations

import datetime as dt
import logging

from flask import Flask, Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from app import jobs
from app import models as m
from app.domain import access, clock, task_events
from app.extensions import db
from app.web.access import request_cache
from app.web.job_runs import current_user_id
from app.web.times import local_time

logger = logging.getLogger(__name__)
PAGE_SIZE = 50
RESOURCE = "Notification"


def _now() -> dt.datetime:
    return clock.utcnow()


def unread_count() -> int | None:
    """The logged-in user's unread notifications, counted once a request; None if unknown."""
    user_id = getattr(current_user, "id", None)
    if user_id is None or current_user.is_anonymous:
        return None
    cache = request_cache("unread_notifications")
    if user_id not in cache:
        try:
            cache[user_id] = db.session.scalar(
                select(func.count()).select_from(m.Notification)
                .where(m.Notification.user_id == user_id, m.Notification.read_at.is_(None)))
        except SQLAlchemyError:  # an error page after a failed transaction: no badge
            logger.warning("unread notifications not counted", exc_info=True)
            cache[user_id] = None
    return cache[user_id]


def own(pk: int) -> m.Notification:
    """One of the current user's notifications, or 404 (another's is never found)."""
    row = db.session.scalar(select(m.Notification).where(
        m.Notification.id == pk, m.Notification.user_id == current_user_id()))
    if row is None:
        abort(404)
    return row


class NotificationView(BaseView):
    """我的提醒: the current user's notifications, newest first, unread in bold."""

    route_base = "/notifications"
    resource = RESOURCE
    class_permission_name = RESOURCE
    method_permission_name = {"mine": "read", "mark_read": "edit", "mark_all_read": "edit"}
    default_view = "mine"

    @expose("/")
    @has_access
    def mine(self):
        """The page of the user's notifications."""
        mine = m.Notification.user_id == current_user_id()
        total = db.session.scalar(select(func.count()).select_from(m.Notification).where(mine))
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(request.args.get("page", 1, type=int), 1), pages)
        rows = db.session.scalars(
            select(m.Notification).where(mine)
            .options(selectinload(m.Notification.supervision),
                     selectinload(m.Notification.event))
            .order_by(m.Notification.created_at.desc(), m.Notification.id.desc())
            .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
        return self.render_template(
            "jobs/notifications.html", rows=rows, page=page, pages=pages, total=total,
            unread=unread_count(), local_time=local_time, title=_("我的提醒"),
            can_mark=self.appbuilder.sm.has_access("can_edit", self.class_permission_name),
            can_see_tasks=self.appbuilder.sm.has_access("can_read", "Task"))

    @expose("/<int:pk>/read", methods=["POST"])
    @has_access
    def mark_read(self, pk: int):
        """Mark one of the user's notifications read."""
        row = own(pk)
        if row.read_at is None:
            row.read_at = _now()
            db.session.commit()
        return redirect(url_for(".mine", page=request.args.get("page", 1, type=int)))

    @expose("/read-all", methods=["POST"])
    @has_access
    def mark_all_read(self):
        """Mark every unread notification of the user read."""
        access.require(access.EDIT, RESOURCE)  # one UPDATE, no rows flushed: ask the door
        done = db.session.execute(
            update(m.Notification)
            .where(m.Notification.user_id == current_user_id(),
                   m.Notification.read_at.is_(None))
            .values(read_at=_now()))
        db.session.commit()
        flash(_("已将 %(count)s 条提醒标为已读。", count=done.rowcount), "success")
        return redirect(url_for(".mine"))


def send_task_events(response: Response) -> Response:
    """After a request whose change recorded e-mails or robot messages of task events
    (app/domain/task_events.py), queue send_deliveries, so they go now; a queue that is down
    leaves them to the next run (they are recorded)."""
    if db.session.info.pop(task_events.SENT_FLAG, False) and response.status_code < 400:
        try:
            jobs.enqueue("send_deliveries", jobs.parse_args("send_deliveries", None),
                         current_user_id())
        except jobs.QueueUnavailable:
            logger.warning("send_deliveries not queued: the queue is unavailable")
    return response


def init_app(app: Flask) -> None:
    """Templates (the navbar) may call unread_notifications(); task events' messages are
    queued for sending after the request that recorded them."""
    app.jinja_env.globals["unread_notifications"] = unread_count
    app.after_request(send_task_events)

