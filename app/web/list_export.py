"""Excel out: every CRUD list exports what its user sees, as .xlsx.

The export applies the view's row scope (its base filters) and the request's search
filters and order, writes the view's list columns under their labels, choice labels
instead of stored values, dates as dates and numbers as numbers. Rows are read in
batches (`yield_per`, a server-side cursor on PostgreSQL) into a write-only workbook
that openpyxl spools to disk, so memory stays flat however long the list is.
"""

from __future__ import annotations

import tempfile
from typing import Any

from flask import Response, current_app, request, send_file, url_for
from flask_appbuilder import ModelView
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_appbuilder.widgets import ListWidget
from markupsafe import Markup
from openpyxl import Workbook
from sqlalchemy import inspect
from sqlalchemy.orm import selectinload

from app.domain import status
from app.files.list_xlsx import SHEET_TITLE, column_writer, value_of, write_header
from app.web.row_scope import related_in_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 500


class ExportListWidget(ListWidget):
    """FAB's list, with an "导出 Excel" button carrying the page's filters and order."""

    template = "excel/list_widget.html"

    def __call__(self, **kwargs) -> Markup:
        args = self.template_args
        kwargs["export_url"] = export_url(args["modelview_name"], args["filters"])
        return super().__call__(**kwargs)


def export_url(modelview_name: str, filters: Filters) -> str | None:
    """The export link of a list page; none for a related list shown on another row's page."""
    endpoint = f"{modelview_name}.export"
    related = any(flt.is_related_view for flt, _value in filters.get_filters_values())
    if related or endpoint not in current_app.view_functions:
        return None
    wanted = ("_flt_", f"_oc_{modelview_name}", f"_od_{modelview_name}")
    args: dict[str, Any] = {key: request.args.getlist(key) for key in request.args
                            if key.startswith(wanted)}
    return url_for(endpoint, **args)


def export_list(view: ModelView) -> Response:
    """The view's list, filtered and ordered as on its page, as an .xlsx download."""
    title = str(view.list_title or view.datamodel.obj.__name__)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE.sub("", title)[:31] or "Sheet1")
    # a view may export more than its page lists (the office's columns: issue 17.5)
    columns = list(getattr(view, "export_columns", None) or view.list_columns)
    rows = write_header(sheet, [str(view.label_columns.get(c, c)) for c in columns])
    custom = getattr(type(view), "formatters_columns", None) or {}
    table = view.datamodel.obj.__tablename__
    writers = [(column, column_writer(sheet, table, column, custom.get(column)))
               for column in columns]
    extra = getattr(view, "export_sheets", None)  # more sheets about the rows exported
    ids: list[int] = []
    for item in _rows(view, columns):
        rows.append([write(related_in_scope(value_of(item, column)))
                     for column, write in writers])
        if extra is not None:
            ids.append(item.id)
    rows.close()
    if extra is not None:
        extra(book, ids)
    spool = tempfile.TemporaryFile(suffix=".xlsx")
    book.save(spool)
    spool.seek(0)
    filename = f"{title}-{status.today():%Y-%m-%d}.xlsx"
    return send_file(spool, mimetype=XLSX, as_attachment=True, download_name=filename,
                     max_age=0)


def _rows(view: ModelView, columns: list[str]):  # a query iterator
    """The list's rows: scope and search filters, the page's order, read in batches."""
    order = get_order_args().get(view.__class__.__name__)
    if order is None or order[0] not in view.order_columns:
        order = view.base_order or ("", "")
    order_column, order_direction = order
    get_filter_args(view._filters)
    filters = view._filters.get_joined_filters(view._base_filters)
    datamodel = view.datamodel
    query = datamodel.apply_all(datamodel.session.query(datamodel.obj), filters,
                                order_column, order_direction)
    relations = inspect(datamodel.obj).relationships
    loads = [selectinload(relations[c].class_attribute) for c in columns
             if c in relations and relations[c].lazy != "joined"]
    return query.options(*loads).yield_per(BATCH)
