"""报表 › 督查通报 (issue 17, item 3): every month with data or a circular, latest first, with
its 发文字号, 签发 and files, and 生成 / 重新生成.

Everyone who reads circulars (Supervisor, Leader, Admin) sees the months and downloads the
files; whoever may run jobs now (the JobRun add permission, 立即运行) builds a month.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable

from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _

from app import jobs
from app import models as m
from app.domain import choices, rules, status
from app.domain.roles import METHOD_PERMISSIONS
from app.domain.validation import DomainError
from app.extensions import appbuilder
from app.reports.circular_months import circular_months
from app.reports.compliance import parse_period
from app.web.disposition import attachment
from app.web.times import local_time

logger = logging.getLogger(__name__)

MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def month(value: dt.date | None) -> str:
    """A period as 2026年11月."""
    if value is None:
        return ""
    return _("%(year)s年%(month)s月", year=value.year, month=value.month)


def issuer(name: str | None) -> str:
    """签发人: the user who built it, or 系统 for the scheduled job."""
    return name or _("系统")


def download_name(period: dt.date, kind: str) -> str:
    """督查通报-2026-11.docx."""
    return f"{_('督查通报')}-{period:%Y-%m}.{kind}"


def may_build() -> bool:
    """Building runs the build_circular job: the right to run jobs now."""
    return appbuilder().sm.has_access("can_add", "JobRun")


def ended_period(value: str | None) -> dt.date:
    """The month to build, from the form: a month that has ended; 400 otherwise."""
    if not value:
        raise DomainError(_("月份应为“年-月”，如 2026-11。"), 400)
    period = parse_period(value)
    if period >= rules.month_start(status.today()):
        raise DomainError(_("只能生成已结束月份的督查通报。"), 400)
    return period


class CircularFiles:
    """The month list, download and build routes of the circulars (mixed into CircularView)."""

    method_permission_name = {**METHOD_PERMISSIONS, "download": "read", "build": "read"}
    formatters_columns: dict[str, Callable[..., object]] | None = {
        "period": month, "built_at": local_time, "issued_by": issuer}
    datamodel: SQLAInterface  # the model view's, which this is mixed into
    _base_filters: Filters

    def _circular(self, pk: int) -> m.Circular:
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        return item

    @expose("/list/")
    @has_access
    def list(self):
        """Every month with data or a circular, latest first."""
        return self.render_template(  # type: ignore[attr-defined]
            "circulars/months.html", months=circular_months(status.today()),
            can_build=may_build(), title=getattr(self, "list_title", None), month=month,
            issuer=issuer,
            local_time=local_time)

    @expose("/download/<int:pk>/<kind>")
    @has_access
    def download(self, pk: int, kind: str):
        """The month's circular as .docx or .xlsx."""
        if kind not in MIMETYPES:
            abort(404)
        item = self._circular(pk)
        content = getattr(item, kind)
        if content is None:
            abort(404)
        response = send_file(io.BytesIO(content), mimetype=MIMETYPES[kind])
        response.headers["Content-Disposition"] = attachment(
            download_name(item.period, kind), f"duchatongbao-{item.period:%Y-%m}.{kind}")
        return response

    @expose("/build/", methods=["POST"])
    @has_access
    def build(self):
        """生成 / 重新生成: run build_circular for the month (embedded: now)."""
        if not may_build():
            abort(403)
        period = ended_period(request.form.get("period"))
        user = getattr(appbuilder().sm.current_user, "id", None)
        try:
            run = jobs.enqueue("build_circular", jobs.parse_args("build_circular", period),
                               requested_by=user)
        except jobs.QueueUnavailable:
            logger.warning("circular of %s not built: the queue is unavailable", period)
            flash(_("任务队列暂不可用，请稍后再试。"), "danger")
            return redirect(url_for(".list"))
        assert run is not None  # None only for a schedule_key already claimed
        state = choices.label(choices.JOB_STATUS, run.status)
        flash(_("已提交生成%(month)s的督查通报，状态：%(status)s。", month=month(period),
                status=state), "danger" if run.status == "failed" else "success")
        return redirect(url_for(".list"))
