"""Cells of the .xlsx lists the portal writes: headers, labels for choice values, dates as
dates and numbers as numbers, text that a spreadsheet cannot take for a formula."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from functools import reduce

from flask_babel import gettext as _
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from app.domain.labels import choices_for, joined
from app.files.list_sheet import ListSheet

MAX_TEXT = 32767  # the most characters an Excel cell holds
SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")
# text a spreadsheet could take for a formula (OWASP "CSV injection"): kept as quoted text
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"period": "yyyy-mm", "datetime": "yyyy-mm-dd hh:mm", "money": "#,##0.00",
           "float": "0.0#", "rate": "0.0%"}


def write_header(sheet: WriteOnlyWorksheet, labels: list[str]) -> ListSheet:
    """The list's header row; append the rows to what it answers, then close() it."""
    return ListSheet(sheet, labels)


def value_of(item: object, column: str) -> object:
    return reduce(lambda obj, attr: getattr(obj, attr, None), column.split("."), item)


def column_writer(sheet: WriteOnlyWorksheet, table: str, column: str,
                   formatter: Callable | None) -> Callable[[object], object]:
    """How one column's values become cells; a choice column's labels translated once."""
    options = choices_for(table, column)
    if options is None:
        return lambda value: _cell(sheet, column, value, formatter)
    labels = {value: text_cell(sheet, label) for value, label in options.items()}
    return lambda value: labels[value] if value in labels else text_cell(sheet, value or "")


def _cell(sheet: WriteOnlyWorksheet, column: str, value: object,
          formatter: Callable | None) -> object:
    """A date or number with its format, 是/否, else the (formatted) text."""
    if value is None:
        return text_cell(sheet, _plain(formatter(value)) if formatter else "")
    if isinstance(value, bool):
        return text_cell(sheet, _("是") if value else _("否"))
    kind = _kind(column, value)
    if kind == "datetime" and formatter:
        return text_cell(sheet, _plain(formatter(value)))  # e.g. a UTC time shown in local time
    if kind is None:
        shown = formatter(value) if formatter else value
        return text_cell(sheet, joined(shown) if isinstance(shown, list | tuple) else _plain(shown))
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


def text_cell(sheet: WriteOnlyWorksheet, value: object) -> str | Cell:
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
