"""The Excel import page (系统管理 › Excel 导入): the template to download, the upload form,
and a refused file's errors as the same workbook, marked (app/files/import_errors.py).

Admin and Supervisor: read to see the page and download the template, add to import and to
download the errors of one's own last refused import (a GET of the file kept under a token
held in the session: nothing changes, and nobody else's session names it).
"""

from __future__ import annotations

from io import BytesIO

from flask import Response, abort, flash, request, send_file, session
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.domain.labels import joined
from app.domain.validation import DomainError
from app.extensions import db
from app.files.excel_import import Report, import_workbook
from app.files.excel_template import build_template
from app.files.import_sheets import SHEETS
from app.web import import_results
from app.web.list_export import XLSX

RESOURCE = "ExcelImport"


class ExcelImportView(BaseView):
    """Excel 导入: departments, persons, projects and tasks from the template, all or nothing."""

    route_base = "/excel"
    resource = RESOURCE
    class_permission_name = RESOURCE
    method_permission_name = {"page": "read", "download_template": "read", "upload": "add",
                              "download_errors": "add"}
    default_view = "page"
    title = _l("Excel 导入")

    @expose("/import/")
    @has_access
    def page(self):
        return self._page()

    @expose("/template/")
    @has_access
    def download_template(self) -> Response:
        """The import template, in the page's language."""
        return send_file(BytesIO(build_template()), mimetype=XLSX, as_attachment=True,
                         download_name=_("重点项目台账导入模板") + ".xlsx", max_age=0)

    @expose("/import/", methods=["POST"])
    @has_access
    def upload(self):
        """Import the uploaded file: everything saved, or nothing and every problem listed."""
        upload = request.files.get("file")
        session.pop(import_results.SESSION_KEY, None)  # the errors of the file before
        if upload is None or not upload.filename:
            return self._page(error=_("请选择要导入的文件。"), code=400)
        try:
            report = import_workbook(upload.stream, db.session, filename=upload.filename)
        except DomainError as error:
            db.session.rollback()
            return self._page(error=error.message, code=error.status)
        if not report.ok:
            token = import_results.keep(upload.stream, report, upload.filename)
            session[import_results.SESSION_KEY] = token
            return self._page(report=report, code=422, errors_kept=token is not None)
        flash(report.summary(), "success")
        return self._page(report=report)

    @expose("/import/errors/")
    @has_access
    def download_errors(self) -> Response:
        """The last refused file of this session, its bad cells in red (404 when none)."""
        found = import_results.kept(session.get(import_results.SESSION_KEY))
        if found is None:
            abort(404)
        data, filename = found
        return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True,
                         download_name=_("导入错误") + "_" + filename, max_age=0)

    def _page(self, report: Report | None = None, error: str | None = None,
              code: int = 200, errors_kept: bool = False) -> tuple[str, int]:
        page = self.render_template("excel/import.html", title=self.title, report=report,
                                    error=error, sheets=joined(sheet.title for sheet in SHEETS),
                                    errors_kept=errors_kept)
        return page, code
