"""The errors of a refused import, as the uploaded workbook itself (issue 18.6).

A copy of the file the user sent: each refused cell filled red with its message as a
comment, and a 错误说明 column after the header's last column that says, on each row in
error, every problem of that row. Sent back as it came in, the copy imports the same way:
the importer ignores the 错误说明 column, and a second round clears the first one's marks.
"""

from __future__ import annotations

from collections import defaultdict
from io import BytesIO
from typing import IO

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from app.files.importer import Problem

RED = "FFFFC7CE"  # Excel's own "light red fill"
RED_FILL = PatternFill(fill_type="solid", start_color=RED, end_color=RED)
NO_FILL = PatternFill(fill_type=None)
AUTHOR = "KeyLedger"


def error_column_title() -> str:
    """The title of the column that explains each row's errors."""
    return _("错误说明")


def error_workbook(source: IO[bytes], problems: list[Problem],
                   header_rows: dict[str, int]) -> bytes:
    """The uploaded workbook with the bad cells in red and a 错误说明 column (header_rows:
    each sheet's header row, 1-based, by the file's sheet name)."""
    source.seek(0)
    book = load_workbook(source)
    by_sheet: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_sheet[problem.sheet].append(problem)
    for title, found in by_sheet.items():
        if title in book.sheetnames:
            _mark(book[title], found, header_rows.get(title, 1))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _explanation_column(sheet: Worksheet, header_row: int) -> int:
    """The 错误说明 column (1-based): the one a former round made, emptied, or a new one."""
    title = error_column_title()
    for cell in sheet[header_row]:
        if cell.value == title:
            for row in sheet.iter_rows(min_row=header_row + 1, min_col=cell.column,
                                       max_col=cell.column):
                row[0].value = None
            return cell.column
    column = sheet.max_column + 1
    sheet.cell(header_row, column, title).font = Font(bold=True, color="FF9C0006")
    return column


def _clear_marks(sheet: Worksheet) -> None:
    """The red fills and comments of a former round gone."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.fill is not None and cell.fill.fill_type == "solid" and \
                    cell.fill.start_color.rgb == RED:
                cell.fill = NO_FILL
                if cell.comment is not None and cell.comment.author == AUTHOR:
                    cell.comment = None


def _mark(sheet: Worksheet, problems: list[Problem], header_row: int) -> None:
    """Fill the bad cells of one sheet, and explain each row in error."""
    _clear_marks(sheet)
    column = _explanation_column(sheet, header_row)
    rows: dict[int, list[str]] = defaultdict(list)
    for problem in problems:
        label = f"{problem.title}：{problem.message}" if problem.title else problem.message
        rows[problem.row].append(label)
        if problem.column is not None:
            cell = sheet.cell(problem.row, problem.column + 1)
            cell.fill = RED_FILL
            cell.comment = Comment(problem.message, AUTHOR)
    for row, messages in rows.items():
        sheet.cell(row, column, "；".join(messages))
