"""督促 by the office (督查室): urge chosen tasks, and the 督办通知单 of a notice sent.

Each page is a FAB BaseView with two permissions on its own resource: read (see the
page) and edit (act on it). Rows are loaded within the user's department scope; the
domain actions are those of app.domain.ledger, which commit once.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import format_date
from flask_babel import gettext as _

from app import jobs
from app import models as m
from app.domain import access, choices, ledger, notice_number, rules, status
from app.domain.assignment import row_id
from app.domain.validation import DomainError
from app.extensions import db
from app.jobs import delivery
from app.web.job_runs import current_user_id
from app.web.office import EDIT, ISSUER, READ, OfficeView


class UrgeView(OfficeView):
    """督促 by hand: the chosen tasks, a channel and a message; 督办单 print as notices."""

    route_base = "/office"
    resource = "Urging"
    method_permission_name = {"urge_form": EDIT, "urge": EDIT, "notice": READ, "notices": READ}
    default_view = "urge_form"

    @expose("/urge")
    @has_access
    def urge_form(self):
        """The form for the tasks chosen (?task=1&task=2), all in scope."""
        return self._form(self._tasks(request.args.getlist("task")))

    @expose("/urge", methods=["POST"])
    @has_access
    def urge(self):
        """Record a supervision on each chosen task; notices go to their print page."""
        tasks = self._tasks(request.form.getlist("task"))
        channel = request.form.get("channel", "")
        message = (request.form.get("message") or "").strip()
        try:
            if channel not in choices.SUPERVISION_CHANNEL:
                raise DomainError(_("请选择督促方式。"))
            if not message:
                raise DomainError(_("请填写督促内容。"))
            rows = ledger.urge(tasks, channel, message, status.today(),
                               notify=lambda ids: delivery.record(
                                   m.Supervision.id.in_(ids), current_app.config,
                                   delivery.MANUAL_CHANNELS[channel]))
        except DomainError as error:
            db.session.rollback()
            return self._form(tasks, error.message, error.status)
        if delivery.MANUAL_CHANNELS[channel] & delivery.configured(current_app.config):
            send_soon(current_user_id())  # something to send out of the portal
        if channel == "notice":
            return redirect(url_for(".notices", id=[row.id for row in rows]))
        flash(_("已督促 %(count)s 项任务。", count=len(rows)), "success")
        return redirect(url_for("SupervisionView.list"))

    @expose("/notice/<int:pk>")
    @has_access
    def notice(self, pk: int):
        """The printable 督办通知单 of one supervision sent by notice."""
        return self._notices([pk])

    @expose("/notice/")
    @has_access
    def notices(self):
        """Several notices (?id=1&id=2), one A4 page each."""
        return self._notices(request.args.getlist("id"))

    def _tasks(self, raw_ids: list[str]) -> list[m.Task]:
        ids = {row_id(i) for i in raw_ids}
        if None in ids:
            abort(404)
        tasks = db.session.scalars(
            access.scoped(m.Task, m.Task.id.in_(ids)).order_by(m.Task.id)).all()
        if len(tasks) != len(ids):
            abort(404)
        return list(tasks)

    def _form(self, tasks: list[m.Task], error: str | None = None,
              code: int = 200) -> tuple[str, int]:
        if not tasks and error is None:
            error, code = _("请至少选择一项任务。"), 422
        return self.page("office/urge.html", code, tasks=tasks, error=error,
                         channels=choices.pairs(choices.SUPERVISION_CHANNEL),
                         form=request.form, title=_("督促"),
                         default_message=_("请抓紧推进，按时间节点完成并及时反馈进展。"))

    def _notices(self, raw_ids: list) -> tuple[str, int]:
        ids = [row_id(i) for i in raw_ids]
        if not ids or None in ids:
            abort(404)
        found = db.session.scalars(access.scoped(m.Supervision, m.Supervision.id.in_(ids),
                                          m.Supervision.channel == "notice")).all()
        by_id = {row.id: row for row in found}
        if set(by_id) != set(ids):
            abort(404)
        cal, conf = status.calendar(), status.settings()
        notices = [notice_of(by_id[i], cal, conf) for i in dict.fromkeys(ids)]
        return self.page("office/notice.html", notices=notices, title=_("督办通知单"))


def send_soon(requested_by: int | None) -> None:
    """Queue send_deliveries, so the e-mails and robot messages of a 督促 go now, not with
    the next daily run; a queue that is down leaves them to that run (they are recorded)."""
    try:
        jobs.enqueue("send_deliveries", jobs.parse_args("send_deliveries", None), requested_by)
    except jobs.QueueUnavailable:
        flash(_("消息将在下次定时发送时发出（任务队列暂不可用）。"), "warning")


def notice_of(row: m.Supervision, cal: rules.Calendar, conf: rules.Settings) -> dict:
    """What a 督办通知单 says: number, unit, task, deadlines, days overdue on its date."""
    task = row.task
    done = task.done_on if task.done_on is not None and task.done_on <= row.sent_on else None
    _status, overdue = rules.task_status(task.deadline, done, task.cancelled, row.sent_on,
                                         cal, conf)
    return {
        "number": notice_number.doc_number(row.doc_year, row.doc_seq),
        "level": row.level,
        "task": task, "supervision": row, "overdue_days": overdue,
        "issuer": ISSUER, "sent_on": format_date(row.sent_on, "long"),
        "deadline": format_date(task.deadline, "long"),
        "original_deadline": format_date(task.original_deadline, "long"),
    }
