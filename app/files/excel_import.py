"""Excel in: the import template, and importing departments, persons, projects and tasks.

All or nothing: every cell and row of the file is checked (the same domain checks as the
forms, app/domain/validation.py) and either everything is saved in one commit or nothing is,
with every problem reported by sheet, row and column. Rows are matched by their natural
keys, so importing the same file twice adds nothing the second time: a department by
name, a person by name within a department, a project by code, a task by (project code,
title, department).
"""

from __future__ import annotations

import datetime as dt
import logging
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import IO, cast

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import models as m
from app.domain import rules, status, validation
from app.domain.labels import joined
from app.domain.validation import DomainError
from app.files.import_rows import FAILED, ROW_HANDLERS, RowHandler, task_key
from app.files.import_sheets import (
    SHEETS,
    YES_NO,
    CellError,
    CellReader,
    Column,
    Sheet,
    display_value,
    spellings,
)

logger = logging.getLogger(__name__)

MAX_ROWS = 50_000  # per sheet
MAX_REPORTED = 200
TEMPLATE_ROWS = 5000  # the rows of the template that get drop-downs
LISTS_SHEET = "lists"
UNREADABLE = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError,
              SyntaxError, EOFError, OSError, zlib.error, IndexError, AttributeError)


@dataclass
class Report:
    """What an import did (rows new, updated, unchanged per sheet) or why it saved nothing."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    hidden_errors: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def total(self, kind: str) -> int:
        return sum(count[kind] for count in self.counts.values())

    def summary(self) -> str:
        if not self.ok:
            return _("导入失败：共 %(n)s 处问题，未保存任何数据。",
                     n=len(self.errors) + self.hidden_errors)
        return _("导入完成：新增 %(new)s 条，更新 %(updated)s 条，未变 %(unchanged)s 条。",
                 new=self.total("new"), updated=self.total("updated"),
                 unchanged=self.total("unchanged"))


def import_workbook(source: str | Path | IO[bytes], session: Session,
                    filename: str | None = None) -> Report:
    """Import an .xlsx file: all of it, or nothing with every problem reported.

    Raises DomainError (400) when the file is not a readable .xlsx workbook.
    """
    name = filename if filename is not None else str(source)
    if not name.lower().endswith(".xlsx"):
        raise DomainError(_("只能导入 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）。"),
                          400)
    tables = read_tables(source)
    if not tables:
        raise DomainError(_("文件中没有可导入的工作表（%(sheets)s）。",
                            sheets=joined(sheet.title for sheet in SHEETS)), 400)
    return Importer(session, tables).run()


def read_tables(source: str | Path | IO[bytes]) -> dict[str, list[tuple]]:
    """The rows of the template's sheets found in the file, by sheet key (header first)."""
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except UNREADABLE as error:
        raise _unreadable() from error
    try:
        names = {spelling: sheet for sheet in SHEETS for spelling in spellings(sheet.title)}
        tables = {}
        for worksheet in book.worksheets:
            sheet = names.get(worksheet.title.strip().casefold())
            if sheet is not None and sheet.key not in tables:
                tables[sheet.key] = _rows(sheet, worksheet.iter_rows(values_only=True))
        return tables
    except UNREADABLE as error:
        raise _unreadable() from error
    finally:
        book.close()


def _unreadable() -> DomainError:
    return DomainError(_("文件无法读取：不是有效的 Excel (.xlsx) 文件，或文件已损坏。"), 400)


def _rows(sheet: Sheet, rows: Iterator[tuple]) -> list[tuple]:
    found = []
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            raise DomainError(_("“%(sheet)s”超过 %(n)s 行，请分批导入。",
                                sheet=sheet.title, n=MAX_ROWS), 400)
        found.append(row)
    return found


class Importer:
    """One import: the rows read, the look-ups by natural key, the problems found."""

    def __init__(self, session: Session, tables: dict[str, list[tuple]]) -> None:
        self.session = session
        self.tables = tables
        self.reader = CellReader()
        self.report = Report()
        self.new: list[m.Model] = []
        self.touched: list[m.Model] = []
        self.departments: dict[str, m.Department] = {}
        self.persons: dict[tuple[str, str], list[m.Person]] = defaultdict(list)
        self.leaders: dict[str, list[m.Person]] = defaultdict(list)
        self.projects: dict[str, m.Project] = {}
        self.tasks: dict[tuple, list[m.Task]] = defaultdict(list)
        self.failed: set[tuple[str, tuple]] = set()  # (sheet key, row key) of rows in error

    def run(self) -> Report:
        """Check every row; save all of them in one commit, or none."""
        with self.session.no_autoflush:
            self._load_existing()
            for sheet in SHEETS:
                if sheet.key in self.tables:
                    self._import_sheet(sheet, ROW_HANDLERS[sheet.key])
        if self.report.errors:
            self.session.rollback()
            return self.report
        self._save()
        return self.report

    def problem(self, sheet: Sheet, row: int, column: object, message: str) -> None:
        """Note a problem of one cell (column given) or of one row."""
        message = message.rstrip("。.")
        if len(self.report.errors) >= MAX_REPORTED:
            self.report.hidden_errors += 1
        elif column is None:
            self.report.errors.append(_("%(sheet)s 第%(row)s行：%(message)s",
                                        sheet=sheet.title, row=row, message=message))
        else:
            self.report.errors.append(_("%(sheet)s 第%(row)s行 %(column)s：%(message)s",
                                        sheet=sheet.title, row=row, column=column,
                                        message=message))

    def _load_existing(self) -> None:
        for department in self.session.scalars(select(m.Department)):
            self.departments[department.name] = department
        for person in self.session.scalars(select(m.Person)):
            self.register_person(person)
        codes = set(self._keys("project", "code")) | set(self._keys("task", "project"))
        for chunk in _chunks(sorted(codes)):
            for project in self.session.scalars(select(m.Project).where(m.Project.code.in_(chunk))):
                self.projects[project.code] = project
        for chunk in _chunks(sorted(set(self._keys("task", "title")))):
            for task in self.session.scalars(select(m.Task).where(m.Task.title.in_(chunk))):
                self.tasks[task_key(task)].append(task)

    def _keys(self, key: str, name: str) -> Iterator[str]:
        """One column's values in a sheet, read as its rows will be (bad cells left out)."""
        sheet = next(sheet for sheet in SHEETS if sheet.key == key)
        rows = self.tables.get(key) or [()]
        for index, column in _header(sheet, rows[0]).items():
            if column.name != name:
                continue
            for row in rows[1:]:
                cell = row[index] if index < len(row) else None
                try:
                    value = self.reader.read(sheet, column, cell)
                except CellError:
                    continue
                if value is not None:
                    yield cast(str, value)  # a title, name or code: text

    def register_person(self, person: m.Person) -> None:
        self.persons[(person.department.name, person.name)].append(person)
        if person.is_leader:
            self.leaders[person.name].append(person)

    def _import_sheet(self, sheet: Sheet, handler: type[RowHandler]) -> None:
        rows = self.tables[sheet.key]
        columns = _header(sheet, rows[0] if rows else ())
        missing = [c for c in sheet.columns if c.required and c.default is None
                   and c not in columns.values()]
        for column in missing:
            self.problem(sheet, 1, column.title, _("缺少此列"))
        counts = self.report.counts.setdefault(str(sheet.title),
                                               {"new": 0, "updated": 0, "unchanged": 0})
        if missing:
            return
        rows_handler = handler(self, sheet, {column.name for column in columns.values()})
        for number, row in enumerate(rows[1:], start=2):
            if all(_blank(value) for value in row):
                continue
            values = self._read(sheet, columns, number, row)
            if values == sheet.example:
                continue
            outcome = rows_handler.handle(number, values)
            if outcome:
                counts[outcome] += 1

    def _read(self, sheet: Sheet, columns: dict[int, Column], number: int,
              row: tuple) -> dict[str, object]:
        """The row's stored values by column name; FAILED where a cell is bad (noted)."""
        values: dict[str, object] = {c.name: c.default for c in sheet.columns}
        for index, column in columns.items():
            cell = row[index] if index < len(row) else None
            try:
                values[column.name] = self.reader.read(sheet, column, cell)
            except CellError as error:
                self.problem(sheet, number, column.title, str(error))
                values[column.name] = FAILED
        return values

    def check(self, sheet: Sheet, number: int, item: m.Model, adding: bool) -> bool:
        """The forms' domain checks; a problem is put in the column its message names."""
        message = validation.check(item, adding)
        if not message:
            return True
        for column in sheet.columns:
            title = str(column.title)
            if message.startswith(title):
                self.problem(sheet, number, title, message[len(title):].lstrip(" ：:"))
                return False
        self.problem(sheet, number, None, message)
        return False

    def _save(self) -> None:
        """Add the new rows, bring the statuses they touch up to date, commit once."""
        tasks = [item for item in self.touched if isinstance(item, m.Task)]
        # statuses before the rows are written, so they are inserted with them (no second
        # pass of updates); the project colours need the rows' ids, so they come after
        status.refresh_tasks(tasks, cal=RememberingCalendar(status.calendar().overrides))
        try:
            self.session.add_all(self.new)
            self.session.flush()
            projects = {item.id for item in self.touched if isinstance(item, m.Project)}
            projects |= {task.project_id for task in tasks if task.project_id is not None}
            status.refresh_projects(projects)
            self.session.commit()
        except IntegrityError:
            logger.exception("excel import refused by the database")
            self.session.rollback()
            self.report.errors.append(_("数据与系统中已有的记录冲突（如编号或名称重复），"
                                        "未保存任何数据。"))


@dataclass(frozen=True)
class RememberingCalendar(rules.Calendar):
    """The working-day calendar, each day looked up once (chinese-calendar is slow per day)."""

    known: dict = field(default_factory=dict, compare=False)

    def is_workday(self, day: dt.date) -> bool:
        if day not in self.known:
            self.known[day] = super().is_workday(day)
        return self.known[day]


def _header(sheet: Sheet, header: tuple) -> dict[int, Column]:
    """The template's columns found in a header row, by position; other columns ignored."""
    names = {spelling: column for column in sheet.columns
             for spelling in {*spellings(column.title), column.name}}
    found: dict[int, Column] = {}
    for index, text in enumerate(header):
        column = names.get(str(text).strip().casefold()) if text is not None else None
        if column is not None and column not in found.values():
            found[index] = column
    return found


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ---- the template ----------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
EXAMPLE_FONT = Font(italic=True, color="808080")


def build_template() -> bytes:
    """The import template (.xlsx): one sheet per table, drop-downs, an example row each."""
    book = Workbook()
    default = book.active  # the empty sheet of a new workbook
    assert default is not None
    book.remove(default)
    lists = book.create_sheet(LISTS_SHEET)
    for sheet in SHEETS:
        _template_sheet(book, sheet, lists)
    _instructions(book.create_sheet(_("填写说明")))
    book.move_sheet(lists, offset=len(book.sheetnames) - 1)
    lists.sheet_state = "hidden"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _template_sheet(book: Workbook, sheet: Sheet, lists: Worksheet) -> None:
    worksheet = book.create_sheet(str(sheet.title))
    worksheet.append([str(column.title) for column in sheet.columns])
    worksheet.append([display_value(column, sheet.example.get(column.name))
                      for column in sheet.columns])
    worksheet.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        header = worksheet.cell(row=1, column=index)
        header.font = Font(bold=True, color="C00000" if column.required else "000000")
        header.fill = HEADER_FILL
        example = worksheet.cell(row=2, column=index)
        example.font = EXAMPLE_FONT
        worksheet.column_dimensions[letter].width = max(12, 2 * len(str(column.title)) + 4)
        if column.kind == "date":
            example.number_format = "yyyy-mm-dd"
        if column.kind in ("choice", "bool"):
            _drop_down(worksheet, letter, column, lists)


def _drop_down(worksheet: Worksheet, letter: str, column: Column, lists: Worksheet) -> None:
    """A list validation on the column; its labels in a column of the hidden lists sheet."""
    options = column.options or YES_NO
    labels = [str(label) for label in options.values()]
    used = lists["A1"].value is not None
    list_letter = get_column_letter(lists.max_column + 1 if used else 1)
    for row, label in enumerate(labels, start=1):
        lists[f"{list_letter}{row}"] = label
    rule = DataValidation(
        type="list", formula1=f"{LISTS_SHEET}!${list_letter}$1:${list_letter}${len(labels)}",
        allow_blank=True, showErrorMessage=True, errorTitle=_("取值无效"),
        error=_("请从下拉列表中选择。"))
    rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    worksheet.add_data_validation(rule)


def _instructions(worksheet: Worksheet) -> None:
    lines = [
        _("第 1 行为列名，请勿修改；红色列名为必填列。第 2 行为示例，与示例完全相同的行不会导入，"
          "可直接覆盖或删除。"),
        _("带下拉框的列请从列表中选择；日期填写为 2026-11-25 这样的格式或 Excel 日期；"
          "金额单位为万元。"),
        _("责任单位按名称匹配，责任人按“姓名 + 责任单位”匹配，项目按项目编号匹配，"
          "任务按“项目编号 + 标题 + 责任单位”匹配：已有的记录会被更新，不会重复新增。"),
        _("可以只保留需要的工作表；其他工作表和其他列会被忽略。"),
        _("文件中任何一处有误，整个文件都不会导入，并列出每一处问题（工作表、行、列）。"),
    ]
    worksheet.column_dimensions["A"].width = 120
    worksheet.append([_("填写说明")])
    worksheet["A1"].font = Font(bold=True)
    for line in lines:
        worksheet.append([line])
