"""The monthly 督查通报 as an Excel workbook: the circular's tables, one sheet each."""

from __future__ import annotations

import copy
import datetime as dt
import io

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from app.files.circular_columns import (
    DASH,
    NUMBER,
    OVERDUE,
    PROBLEMS,
    RANKING,
    TASK,
    Column,
    issue_line,
    numbered,
    overdue_mark,
    period_of,
)
from app.files.list_xlsx import neutralise
from app.files.sheet_print import lay_out

XLSX_FORMATS: dict[str, str] = {"rate": "0.0%", "score": "0.0", "date": "yyyy-mm-dd"}
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="center", wrap_text=True)
SHADE = PatternFill("solid", fgColor="DDEBF7")
RED = "C00000"


def xlsx_value(kind: str, value: object) -> object:
    """A value as the workbook stores it: numbers and dates typed, none as a dash."""
    if kind == "mark":
        return overdue_mark(bool(value))
    if value is None or value == "":
        return DASH
    if kind == "date":
        return dt.date.fromisoformat(str(value))
    return value


def _kind(column: Column, row: dict) -> str:
    """The column's kind; the summary's value column takes each line's own."""
    return row["kind"] if column.kind == "line" else column.kind


def _append(sheet, number: int, columns: tuple[Column, ...], row: dict, styles: dict) -> None:
    """One row: typed values, borders, number formats, overdue marks in red.

    A cell's style is set once per kind of cell (`styles`: one workbook's, by column, kind,
    text or not, mark or not) and copied to the next such cell: openpyxl hashes a Border,
    an Alignment and a Font on every assignment (issue 19: seconds for a city's lists)."""
    kinds = [_kind(column, row) for column in columns]
    sheet.append([xlsx_value(kind, row.get(c.key)) for c, kind in zip(columns, kinds,
                                                                       strict=True)])
    # the row's cells by number: sheet[sheet.max_row] counts every cell of the sheet
    cells = [sheet.cell(number, index) for index in range(1, len(columns) + 1)]
    for cell, column, kind in zip(cells, columns, kinds, strict=True):
        red = kind == "mark" and bool(row.get(column.key))
        key = (column.key, column.chars, kind, isinstance(cell.value, str), red)
        if key in styles:
            cell._style = copy.copy(styles[key])
            continue
        cell.border = BOX
        cell.alignment = WRAP if kind == "text" and column.chars > 12 else CENTER
        if kind in XLSX_FORMATS and not isinstance(cell.value, str):
            cell.number_format = XLSX_FORMATS[kind]
        if red:
            cell.font = Font(bold=True, color=RED)
        styles[key] = copy.copy(cell._style)


def _sheet(book, title: str, heading: str, columns: tuple[Column, ...],
           rows: list[dict]) -> None:
    """A sheet: a title line over the table's width, a bold header frozen and on every
    printed page, typed rows, widths and heights that print (app/files/sheet_print.py)."""
    sheet = book.create_sheet(title)
    sheet.append([heading])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet["A1"].font, sheet["A1"].alignment = Font(bold=True, size=14), CENTER
    sheet.row_dimensions[1].height = 24
    sheet.append([str(c.label) for c in columns])
    for cell in sheet[2]:
        cell.font, cell.alignment, cell.border, cell.fill = Font(bold=True), CENTER, BOX, SHADE
    styles: dict = {}
    for number, row in enumerate(rows, start=3):  # under the title and the header
        _append(sheet, number, columns, row, styles)
    # widths from the text, each up to its column's own; the title row as wide as it needs
    lay_out(sheet, (2, 2), "A3", caps=[float(c.chars) for c in columns])


SUMMARY = (Column(_l("指标"), "label", chars=20), Column(_l("数值"), "value", "line", chars=16))
TOTALS = (
    ("projects_in_scope", _l("纳入考核项目"), "int"),
    ("projects_dispatched", _l("已调度项目"), "int"),
    ("dispatch_rate", _l("调度率"), "rate"),
    ("tasks_open", _l("在办任务"), "int"),
    ("tasks_urged", _l("已督促任务"), "int"),
    ("supervision_rate", _l("督促率"), "rate"),
    ("tasks_fed_back", _l("已反馈任务"), "int"),
    ("feedback_rate", _l("反馈率"), "rate"),
    ("tasks_due", _l("当月到期任务"), "int"),
    ("tasks_implemented", _l("按期落实任务"), "int"),
    ("implementation_rate", _l("落实率"), "rate"),
    ("tasks_overdue", _l("逾期任务"), "int"),
    ("score", _l("综合得分"), "score"),
)
COUNTS = tuple(Column(label, key, "int", chars=12) for key, label, kind in TOTALS
               if kind == "int" and key != "tasks_overdue")


def yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def summary_lines(data: dict) -> list[dict]:
    """汇总: the county's figures, one a line, each with its kind."""
    totals = data["totals"]
    return [{"label": _("考核月份"), "value": data["period"], "kind": "text"},
            {"label": _("统计截至"), "value": data["as_of"], "kind": "date"},
            *[{"label": str(label), "value": totals[key], "kind": kind}
              for key, label, kind in TOTALS],
            *([{"label": _("办结销号"), "value": data["closures"], "kind": "int"}]
              if "closures" in data else []),  # issue 16: none in circulars built before
            {"label": _("是否达标"), "value": yes_no(totals["compliant"]), "kind": "text"}]


def render_xlsx(data: dict) -> bytes:
    """The circular as a workbook: 汇总, 排名, 逾期任务, 未反馈任务, 未解决问题."""
    book = Workbook()
    default = book.active  # the empty sheet of a new workbook
    assert default is not None
    book.remove(default)
    period = period_of(data)
    _sheet(book, _("汇总"), _("%(year)s年%(month)s月重点项目推进情况督查通报",
                             year=period.year, month=period.month),
           SUMMARY, summary_lines(data))
    ranking = [row | {"verdict": yes_no(row["compliant"])} for row in data["ranking"]]
    _sheet(book, _("排名"), _("责任单位排名"),
           (*RANKING, Column(_l("是否达标"), "verdict", chars=10), *COUNTS), ranking)
    _sheet(book, _("逾期任务"), _("逾期任务"), (NUMBER, *OVERDUE), numbered(data["overdue_tasks"]))
    _sheet(book, _("未反馈任务"), _("本月未反馈任务"), (NUMBER, *TASK),
           numbered(data["unreported_tasks"]))
    _sheet(book, _("未解决问题"), _("未解决问题"), (NUMBER, *PROBLEMS),
           numbered(data["unresolved_problems"]))
    book.properties.title = f"{_('重点项目推进情况督查通报')}{issue_line(data)}"
    book.properties.creator = "KeyLedger"
    neutralise(book)  # a task titled "=…" is text, not a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
