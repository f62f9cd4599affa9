"""Excel in: importing departments, persons, projects and tasks from the template's workbook.

All or nothing: every cell and row of the file is checked (the same domain checks as the
forms, app/domain/validation.py) and either everything is saved in one commit or nothing is,
with every problem reported by sheet, row and column. Rows are matched by their natural
keys, so importing the same file twice adds nothing the second time: a department by
name, a person by name within a department, a project by code, a task by (project code,
title, department).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from flask import current_app, has_app_context
from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy.orm import Session

from app.domain.labels import joined
from app.domain.validation import DomainError
from app.files.import_sheets import SHEETS, Sheet, spellings
from app.files.importer import Importer, Report
from app.files.xlsx_guard import Limits, check_package

MAX_ROWS = 50_000  # per sheet
UNREADABLE = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError,
              SyntaxError, EOFError, OSError, zlib.error, IndexError, AttributeError,
              NotImplementedError, RuntimeError)


def import_workbook(source: str | Path | IO[bytes], session: Session,
                    filename: str | None = None) -> Report:
    """Import an .xlsx file: all of it, or nothing with every problem reported.

    Raises DomainError (400) when the file is not a readable .xlsx workbook.
    """
    name = filename if filename is not None else str(source)
    if not name.lower().endswith(".xlsx"):
        raise DomainError(_("只能导入 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）。"),
                          400)
    limits = Limits.from_config(current_app.config) if has_app_context() else Limits()
    tables = read_tables(source, limits)
    if not tables:
        raise DomainError(_("文件中没有可导入的工作表（%(sheets)s）。",
                            sheets=joined(sheet.title for sheet in SHEETS)), 400)
    return Importer(session, tables, tables.titles).run()


class Tables(dict):
    """The rows of each sheet by sheet key, and the file's own name of each sheet."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: dict[str, str] = {}


def read_tables(source: str | Path | IO[bytes], limits: Limits | None = None) -> Tables:
    """The rows of the template's sheets found in the file, by sheet key (header first):
    the package checked against the limits first, then read as a stream."""
    limits = limits or Limits()
    if isinstance(source, Path):
        source = str(source)
    try:
        check_package(source, limits)
        if not isinstance(source, str):
            source.seek(0)
        book = load_workbook(source, read_only=True, data_only=True)
    except UNREADABLE as error:
        raise _unreadable() from error
    try:
        names = {spelling: sheet for sheet in SHEETS for spelling in spellings(sheet.title)}
        tables = Tables()
        for worksheet in book.worksheets:
            sheet = names.get(worksheet.title.strip().casefold())
            if sheet is not None and sheet.key not in tables:
                tables[sheet.key] = _rows(sheet, worksheet.iter_rows(values_only=True),
                                          limits)
                tables.titles[sheet.key] = worksheet.title
        return tables
    except UNREADABLE as error:
        raise _unreadable() from error
    finally:
        book.close()


def _unreadable() -> DomainError:
    """The refusal of a file that is not a readable workbook."""
    return DomainError(_("文件无法读取：不是有效的 Excel (.xlsx) 文件，或文件已损坏。"), 400)


def _rows(sheet: Sheet, rows: Iterator[tuple], limits: Limits) -> list[tuple]:
    """A sheet's rows, refused past MAX_ROWS or the time limit."""
    found = []
    for number, row in enumerate(rows, start=1):
        if number % 1000 == 0:
            limits.check_time()
        if number > MAX_ROWS + 1:
            raise DomainError(_("“%(sheet)s”超过 %(n)s 行，请分批导入。",
                                sheet=sheet.title, n=MAX_ROWS), 400)
        found.append(row)
    return found
