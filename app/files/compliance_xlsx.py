"""The compliance table as an office prints it: A4 landscape, one page wide."""

from __future__ import annotations

import datetime as dt
import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from app.domain.text import printable
from app.files.list_xlsx import neutralise
from app.files.sheet_print import lay_out
from app.reports.compliance import INDICATORS, RATE_OF, rate_class

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
FILLS = {"rate-full": "C6EFCE", "rate-part": "FFEB9C", "rate-low": "FFC7CE"}


def _headers(sheet) -> None:
    """Two header rows: each indicator over its 完成/应完成/比率 columns."""
    top = [_("名次"), _("责任单位"), _("调度"), "", "", _("督促"), "", "", _("落实"), "", "",
           _("反馈"), "", "", _("逾期任务"), _("得分"), _("是否达标")]
    sub = ["", "", *[_("完成"), _("应完成"), _("比率")] * 4, "", "", ""]
    sheet.append(top)
    sheet.append(sub)
    for first in (3, 6, 9, 12):
        sheet.merge_cells(start_row=3, start_column=first, end_row=3, end_column=first + 2)
    for column in (1, 2, 15, 16, 17):
        sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
    for row in sheet.iter_rows(min_row=3, max_row=4):
        for cell in row:
            cell.font, cell.alignment, cell.border = Font(bold=True), CENTER, BOX
            cell.fill = PatternFill("solid", fgColor="DDEBF7")


def _row(sheet, row, judged: bool = True) -> None:
    """One unit's row, or (row.totals) its subtree's sums, with the same columns; a month
    not judged yet (in progress) has no colours and no verdict."""
    c = row.compliance
    values = [row.rank or "", printable(row.name)]
    for key, (num, den, _label) in INDICATORS.items():
        values += [getattr(c, num), getattr(c, den), getattr(c, RATE_OF[key])]
    verdict = (_("是") if c.compliant else _("否")) if judged else _("进行中")
    values += [c.tasks_overdue, c.score, verdict]
    sheet.append(["—" if v is None else v for v in values])
    cells = sheet[sheet.max_row]
    for cell in cells:
        cell.border, cell.alignment = BOX, CENTER
        if getattr(row, "totals", False):  # "XX（含下级）": a subtree's sums
            cell.font = Font(italic=True)
    for index, key in zip((5, 8, 11, 14), INDICATORS, strict=True):
        cell, value = cells[index - 1], getattr(c, RATE_OF[key])
        if value is not None:
            cell.number_format = "0.0%"
            if judged:
                cell.fill = PatternFill("solid", fgColor=FILLS[rate_class(value)])
    cells[15].number_format = "0.0"


def compliance_workbook(period: dt.date, rows: list, in_progress: str | None = None) -> bytes:
    """Title, period, merged Chinese headers, percent formats, frozen header, A4 landscape.
    `in_progress`: the note of a month not judged yet ("截至 3日（进行中）"), said under the
    title; its rates are not coloured and it has no verdict."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = _("考核表")
    sheet.append([_("%(year)s年%(month)s月重点项目督查考核表", year=period.year,
                    month=period.month)])
    sheet.merge_cells("A1:Q1")
    sheet["A1"].font, sheet["A1"].alignment = Font(bold=True, size=16), CENTER
    line = _("考核月份：%(period)s", period=f"{period:%Y-%m}")
    if in_progress:
        line += _("（%(note)s，为截至目前的数据，不作考核结论）", note=in_progress)
    sheet.append([line])
    sheet.merge_cells("A2:Q2")
    _headers(sheet)
    for row in rows:
        _row(sheet, row, judged=not in_progress)
    # A4 landscape one page wide (a county of many units runs on to more pages, the header
    # rows on each), widths from the text, heights for wrapped names
    lay_out(sheet, (3, 4), "C5")
    neutralise(book)  # a department named "=…" is text, not a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
