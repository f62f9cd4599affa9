"""A list export's write-only sheet laid out for print (issue 17.5): the header row bold,
repeated on every page and frozen; columns sized from the header and the first rows (the
rows stream to disk, so later rows cannot widen a column: they wrap); each row as tall as
its wrapped text, gridlines printed."""

from __future__ import annotations

from copy import copy

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from app.files.sheet_print import fitted, height_for, lines_needed, print_setup, width_of, wrapped

SAMPLE = 200  # rows read before the columns' widths are fixed


class ListSheet:
    """Rows appended to a write-only sheet, sized and laid out for print; close() at the end."""

    def __init__(self, sheet: WriteOnlyWorksheet, labels: list[str]) -> None:
        self.sheet = sheet
        self.widths: list[float] | None = None
        self.written = 0
        bold = Font(bold=True)
        header: list[object] = []
        for label in labels:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = bold
            header.append(cell)
        self.pending: list[list[object]] = [header]
        print_setup(sheet, "1:1", "A2")
        sheet.print_options.gridLines = True  # type: ignore[attr-defined]  # no borders of its own

    def append(self, values: list[object]) -> None:
        if self.widths is not None:
            self._write(values)
            return
        self.pending.append(values)
        if len(self.pending) > SAMPLE:
            self._start()

    def close(self) -> None:
        """Write what is still held (a list shorter than the sample)."""
        if self.widths is None:
            self._start()

    def _start(self) -> None:
        count = max(len(row) for row in self.pending)
        self.widths = [fitted([width_of(row[i]) for row in self.pending if i < len(row)])
                       for i in range(count)]
        for index, width in enumerate(self.widths, start=1):
            # a write-only sheet has column_dimensions too; the openpyxl stubs leave it out
            self.sheet.column_dimensions[get_column_letter(index)].width = width  # type: ignore[attr-defined]
        for row in self.pending:
            self._write(row)
        self.pending = []

    def _write(self, values: list[object]) -> None:
        assert self.widths is not None
        self.written += 1
        lines = max((lines_needed(value, width) for value, width in zip(values, self.widths,
                                                                         strict=False)),
                    default=1)
        # a row of several lines reads from its top: every cell of it wraps, top-aligned
        cells = [self._wrapped(v) if lines > 1 and v is not None else v for v in values]
        dimensions = self.sheet.row_dimensions  # type: ignore[attr-defined]
        if lines > 1:  # read when the row is written, then no longer needed
            dimensions[self.written].height = height_for(lines)
        self.sheet.append(cells)
        if lines > 1:
            del dimensions[self.written]

    def _wrapped(self, value: object) -> Cell:
        """The value in a cell of its own that wraps (a shared label cell stays as it is)."""
        source = value if isinstance(value, Cell) else None
        cell = WriteOnlyCell(self.sheet, value=source.value if source else value)  # type: ignore[arg-type]
        if source is not None:
            cell.data_type = source.data_type  # a quoted "=…" text stays text
            # font, number format, quote prefix: openpyxl copies cells so; stubs lack _style
            cell._style = copy(source._style)  # type: ignore[attr-defined]
        cell.alignment = wrapped()
        return cell
