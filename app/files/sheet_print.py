"""How every sheet the portal writes prints (issue 17.5): A4 landscape fitted to the page
width, the header rows on every page and frozen on screen, columns as wide as their text
(a CJK character counts two), rows as tall as their wrapped text, page numbers below.

Widths are in Excel's units (the width of one digit of the 11 pt default font); a row's
height in points, LINE_PT a line of 11 pt text. LibreOffice does not grow a row for
wrapped text the file does not size, and draws the overflow over the next row."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl.cell import Cell, MergedCell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

BASE_PT = 11.0  # the default font's size
LINE_PT = 15.0  # a line of 11 pt text, CJK glyphs included
MAX_HEIGHT = 409.0  # the tallest row Excel takes; a longer text is cut in print
MIN_WIDTH = 6.0
MAX_WIDTH = 60.0  # wider text wraps
PADDING = 3.0  # the cell's margins, and room for a proportional font's wider letters


def text_width(text: str) -> int:
    """Display width of a text: a wide (CJK, full-width) character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shown(value: object) -> str:
    """The text a cell shows for a value, near enough to size its column."""
    if isinstance(value, Cell | MergedCell):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return "2026-01-01 00:00" if value.time() != dt.time() else "2026-01-01"
    if isinstance(value, dt.date):
        return "2026-01-01"
    if isinstance(value, Decimal | float):
        return f"{value:,.2f}"
    return str(value)


def width_of(value: object, size: float = BASE_PT) -> float:
    """Width a value needs on one line, in column units, at a font size."""
    longest = max((text_width(part) for part in shown(value).split("\n")), default=0)
    return longest * size / BASE_PT + PADDING


def lines_needed(value: object, width: float, size: float = BASE_PT) -> int:
    """Lines a value takes wrapped in a column (or merged cells) `width` wide."""
    per_line = max(1.0, (width - PADDING) * BASE_PT / size)
    text = shown(value)
    if 2 * len(text) <= per_line and "\n" not in text:
        return 1  # fits even if every character is wide: no need to count (a list's speed)
    parts = text.split("\n")
    return sum(max(1, math.ceil(text_width(part) / per_line)) for part in parts)


def height_for(lines: int, size: float = BASE_PT) -> float:
    """Row height in points for lines of text at a font size."""
    return min(MAX_HEIGHT, round(lines * LINE_PT * max(size, BASE_PT) / BASE_PT, 1))


def fitted(widths: Iterable[float], cap: float = MAX_WIDTH) -> float:
    return min(cap, max(MIN_WIDTH, *widths))


def print_setup(sheet, title_rows: str, freeze: str) -> None:
    """A4 landscape, one page wide, title rows on every page, frozen below them, page numbers.
    Works on write-only sheets too (set before their first row)."""
    sheet.print_title_rows = title_rows
    sheet.freeze_panes = freeze
    setup = sheet.page_setup
    setup.orientation, setup.paperSize = "landscape", Worksheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    properties = sheet.sheet_properties.pageSetUpPr
    assert properties is not None  # openpyxl makes it with the sheet
    properties.fitToPage = True
    # &P the page, &N the pages: Excel's header and footer codes
    sheet.HeaderFooter.oddFooter.center.text = _("第 &P 页 共 &N 页")


def _size(cell: Cell | MergedCell) -> float:
    return float(cell.font.sz or BASE_PT) if cell.has_style else BASE_PT


def fit_columns(sheet: Worksheet, first_row: int = 1,
                caps: Sequence[float] | None = None) -> list[float]:
    """Each column as wide as its widest cell from first_row on (merged cells aside), up to
    its cap (MAX_WIDTH unless caps says)."""
    merged = {cell for r in sheet.merged_cells.ranges for cell in r.cells}
    needs: dict[int, list[float]] = {}
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            if (cell.row, cell.column) not in merged and cell.value is not None:
                needs.setdefault(cell.column, []).append(width_of(cell.value, _size(cell)))
    widths = []
    for index in range(1, sheet.max_column + 1):
        cap = caps[index - 1] if caps and index <= len(caps) else MAX_WIDTH
        width = fitted(needs.get(index, [MIN_WIDTH]), cap)
        sheet.column_dimensions[get_column_letter(index)].width = width
        widths.append(width)
    return widths


def fit_rows(sheet: Worksheet) -> None:
    """Text wider than its column (or merged cells) wraps; its row grows to hold its lines."""
    widths = {i: sheet.column_dimensions[get_column_letter(i)].width or 8.43
              for i in range(1, sheet.max_column + 1)}
    spans = {(r.min_row, r.min_col): sum(widths[c] for c in range(r.min_col, r.max_col + 1))
             for r in sheet.merged_cells.ranges if r.min_row == r.max_row}
    for row in sheet.iter_rows():
        height = 0.0
        for cell in row:
            if isinstance(cell, MergedCell) or cell.value is None:
                continue
            width = spans.get((cell.row, cell.column), widths.get(cell.column, 8.43))
            size = _size(cell)
            lines = lines_needed(cell.value, width, size)
            if lines > 1 and not cell.alignment.wrap_text:
                cell.alignment = wrapped(cell.alignment.horizontal, cell.alignment.vertical)
            if cell.alignment.wrap_text or size > BASE_PT:
                height = max(height, height_for(lines, size))
        number = row[0].row or 1
        if height > max(sheet.row_dimensions[number].height or 0, LINE_PT):
            sheet.row_dimensions[number].height = height


def widen_for_title(sheet: Worksheet, row: int = 1) -> None:
    """A title merged across the table's columns gets the width it needs on one line: the
    columns widen, the last ones first, each up to MAX_WIDTH (beyond, the title wraps)."""
    for merged in sheet.merged_cells.ranges:
        if merged.min_row != row:
            continue
        cell = sheet.cell(row, merged.min_col)
        letters = [get_column_letter(c) for c in range(merged.min_col, merged.max_col + 1)]
        missing = width_of(cell.value, _size(cell)) + PADDING - sum(
            sheet.column_dimensions[x].width or 8.43 for x in letters)
        for letter in reversed(letters):
            if missing <= 0:
                break
            dimension = sheet.column_dimensions[letter]
            grown = min(MAX_WIDTH, (dimension.width or 8.43) + missing)
            missing -= grown - (dimension.width or 8.43)
            dimension.width = grown


def lay_out(sheet: Worksheet, header_rows: tuple[int, int], freeze: str,
            caps: Sequence[float] | None = None) -> None:
    """A filled sheet laid out for print: widths from its header on, its merged title's
    row 1 as wide as it needs, heights for wrapped text, page setup."""
    first, last = header_rows
    fit_columns(sheet, first, caps)
    widen_for_title(sheet)
    fit_rows(sheet)
    print_setup(sheet, f"{first}:{last}", freeze)


def wrapped(horizontal: str | None = None, vertical: str | None = None) -> Alignment:
    """An alignment that wraps (from the top, unless said)."""
    return Alignment(horizontal=horizontal, vertical=vertical or "top", wrap_text=True)
