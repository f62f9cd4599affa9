"""督查通报 downloads: the list of months with their .docx and .xlsx, and "重新生成".

Everyone who reads circulars (Supervisor, Leader, Admin) downloads them; whoever may run
jobs now (the JobRun add permission: Supervisor, Admin) regenerates a month's files.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable

from flask import abort, flash, redirect, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.widgets import ListWidget
from flask_babel import gettext as _
from sqlalchemy import select

from app import jobs
from app import models as m
from app.domain import choices
from app.domain.roles import METHOD_PERMISSIONS
from app.extensions import appbuilder, db
from app.web.disposition import attachment
from app.web.job_runs import local_time

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


def download_name(period: dt.date, kind: str) -> str:
    """督查通报-2026-11.docx."""
    return f"{_('督查通报')}-{period:%Y-%m}.{kind}"


def may_regenerate() -> bool:
    """Regenerating runs the build_circular job: the right to run jobs now."""
    return appbuilder().sm.has_access("can_add", "JobRun")


class CircularListWidget(ListWidget):
    """FAB's list with a last column: the month's downloads, or "重新生成"."""

    template = "circulars/list_widget.html"

    def __init__(self, **kwargs) -> None:
        pks = kwargs.get("pks") or []
        c = m.Circular
        query = select(c.id, c.docx.is_not(None), c.xlsx.is_not(None)).where(c.id.in_(pks))
        kwargs["files"] = {pk: {"docx": docx, "xlsx": xlsx}
                           for pk, docx, xlsx in db.session.execute(query)}
        kwargs["can_regenerate"] = may_regenerate()
        super().__init__(**kwargs)


class CircularFiles:
    """The download and regenerate routes of the circular list (mixed into CircularView)."""

    list_widget = CircularListWidget
    method_permission_name = {**METHOD_PERMISSIONS, "download": "read", "regenerate": "read"}
    formatters_columns: dict[str, Callable[..., object]] | None = {"period": month,
                                                                 "built_at": local_time}
    datamodel: SQLAInterface  # the model view's, which this is mixed into
    _base_filters: Filters

    def _circular(self, pk: int) -> m.Circular:
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        return item

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

    @expose("/regenerate/<int:pk>", methods=["POST"])
    @has_access
    def regenerate(self, pk: int):
        """重新生成: run build_circular for the month again (embedded: now)."""
        if not may_regenerate():
            abort(403)
        period = self._circular(pk).period
        user = getattr(appbuilder().sm.current_user, "id", None)
        try:
            run = jobs.enqueue("build_circular", jobs.parse_args("build_circular", period),
                               requested_by=user)
        except jobs.QueueUnavailable:
            logger.warning("circular of %s not regenerated: the queue is unavailable", period)
            flash(_("任务队列暂不可用，请稍后再试。"), "danger")
            return redirect(url_for(".list"))
        assert run is not None  # None only for a schedule_key already claimed
        state = choices.label(choices.JOB_STATUS, run.status)
        flash(_("已提交重新生成%(month)s的督查通报，状态：%(status)s。", month=month(period),
                status=state), "danger" if run.status == "failed" else "success")
        return redirect(url_for(".list"))
