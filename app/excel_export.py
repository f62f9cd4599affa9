"""Excel out: every CRUD list exports what its user sees, as .xlsx.

The export applies the view's row scope (its base filters) and the request's search
filters and order, writes the view's list columns under their labels, choice labels
instead of stored values, dates as dates and numbers as numbers. Rows are read in
batches (`yield_per`, a server-side cursor on PostgreSQL) into a write-only workbook
that openpyxl spools to disk, so memory stays flat however long the list is.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from decimal import Decimal
from functools import reduce
from typing import Any

from flask import Response, current_app, request, send_file, url_for
from flask_appbuilder import ModelView
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_appbuilder.widgets import ListWidget
from flask_babel import gettext as _
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import inspect
from sqlalchemy.orm import selectinload

from . import status
from .labels import choices_for, joined

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 500
MAX_TEXT = 32767  # the most characters an Excel cell holds
SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")
# text a spreadsheet could take for a formula (OWASP "CSV injection"): kept as quoted text
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"period": "yyyy-mm", "datetime": "yyyy-mm-dd hh:mm", "money": "#,##0.00",
           "float": "0.0#", "rate": "0.0%"}


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
    columns = list(view.list_columns)
    _write_header(sheet, [str(view.label_columns.get(c, c)) for c in columns])
    custom = getattr(type(view), "formatters_columns", None) or {}
    table = view.datamodel.obj.__tablename__
    writers = [(column, _column_writer(sheet, table, column, custom.get(column)))
               for column in columns]
    extra = getattr(view, "export_sheets", None)  # more sheets about the rows exported
    ids: list[int] = []
    for item in _rows(view, columns):
        sheet.append([write(_value(item, column)) for column, write in writers])
        if extra is not None:
            ids.append(item.id)
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


def _write_header(sheet: WriteOnlyWorksheet, labels: list[str]) -> None:
    for index, label in enumerate(labels, start=1):
        # a write-only sheet has column_dimensions too; the openpyxl stubs leave it out
        sheet.column_dimensions[get_column_letter(index)].width = max(  # type: ignore[attr-defined]
            12, 2 * len(label) + 2)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _value(item: object, column: str) -> object:
    return reduce(lambda obj, attr: getattr(obj, attr, None), column.split("."), item)


def _column_writer(sheet: WriteOnlyWorksheet, table: str, column: str,
                   formatter: Callable | None) -> Callable[[object], object]:
    """How one column's values become cells; a choice column's labels translated once."""
    options = choices_for(table, column)
    if options is None:
        return lambda value: _cell(sheet, column, value, formatter)
    labels = {value: _text(sheet, label) for value, label in options.items()}
    return lambda value: labels[value] if value in labels else _text(sheet, value or "")


def _cell(sheet: WriteOnlyWorksheet, column: str, value: object,
          formatter: Callable | None) -> object:
    """A date or number with its format, 是/否, else the (formatted) text."""
    if value is None:
        return _text(sheet, _plain(formatter(value)) if formatter else "")
    if isinstance(value, bool):
        return _text(sheet, _("是") if value else _("否"))
    kind = _kind(column, value)
    if kind == "datetime" and formatter:
        return _text(sheet, _plain(formatter(value)))  # e.g. a UTC time shown in local time
    if kind is None:
        shown = formatter(value) if formatter else value
        return _text(sheet, joined(shown) if isinstance(shown, list | tuple) else _plain(shown))
    if kind in ("date", "int"):
        return value  # openpyxl's own formats: yyyy-mm-dd, General
    # a Decimal or a date: openpyxl writes them, its stubs type value as str | float | datetime
    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
    cell.number_format = FORMATS[kind]
    return cell


def _kind(column: str, value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "period" if column == "period" else "date"
    if isinstance(value, Decimal):
        return "money"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "rate" if column.endswith("_rate") else "float"
    return None


def _plain(value: object) -> str:
    """Text without markup (a formatter's coloured label keeps only its words)."""
    if isinstance(value, Markup):
        return value.striptags()
    return "" if value is None else str(value)


def _text(sheet: WriteOnlyWorksheet, value: object) -> str | Cell:
    """Text, always text: a leading "=" is not a formula; control characters go."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_TEXT]
    if not text.startswith(FORMULA_START):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    as_text(cell)
    return cell


def as_text(cell: Cell) -> None:
    """A cell holding text that starts like a formula: typed text, quote-prefixed, so Excel
    neither evaluates it nor turns it into a formula when someone edits the cell."""
    cell.data_type = "s"
    cell.quotePrefix = True


def neutralise(book: Workbook) -> None:
    """Every text cell of a (not write-only) workbook that starts like a formula: as_text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    as_text(cell)
