"""One Excel import: the rows checked against the ledger by natural key, and the report.

Called by app/files/excel_import.py once the file is read; the rows of each sheet are
app/files/import_rows.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import models as m
from app.domain import rules, status, validation
from app.files.import_headers import Header, find_header
from app.files.import_rows import FAILED, ROW_HANDLERS, RowHandler, task_key
from app.files.import_sheets import SHEETS, CellError, CellReader, Column, Sheet

logger = logging.getLogger(__name__)

MAX_REPORTED = 200


@dataclass(frozen=True)
class Problem:
    """One refused cell (column: its 0-based position) or row (column None) of the file."""

    sheet: str
    row: int
    column: int | None
    title: str
    message: str


@dataclass
class Report:
    """What an import did (rows new, updated, unchanged per sheet) or why it saved nothing."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    hidden_errors: int = 0
    cells: list[Problem] = field(default_factory=list)  # every problem, where it is
    notes: list[str] = field(default_factory=list)  # what was converted (元 to 万元)
    header_rows: dict[str, int] = field(default_factory=dict)  # 1-based, by the file's name

    @property
    def ok(self) -> bool:
        """Whether the import saved (no problem found)."""
        return not self.errors

    def total(self, kind: str) -> int:
        """The rows of one kind (new, updated, unchanged) over all sheets."""
        return sum(count[kind] for count in self.counts.values())

    def summary(self) -> str:
        """One sentence for the page: what was saved, or why nothing was."""
        if not self.ok:
            return _("导入失败：共 %(n)s 处问题，未保存任何数据。",
                     n=len(self.errors) + self.hidden_errors)
        return _("导入完成：新增 %(new)s 条，更新 %(updated)s 条，未变 %(unchanged)s 条。",
                 new=self.total("new"), updated=self.total("updated"),
                 unchanged=self.total("unchanged"))


class Importer:
    """One import: the rows read, the look-ups by natural key, the problems found."""

    def __init__(self, session: Session, tables: dict[str, list[tuple]],
                 titles: dict[str, str] | None = None) -> None:
        self.session = session
        self.tables = tables
        self.titles = titles or {}  # the file's own name of each sheet, by sheet key
        self.headers: dict[str, Header] = {}
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
        """Note a problem of one cell (column given) or of one row, where it is."""
        message = message.rstrip("。.")
        header = self.headers.get(sheet.key)
        index = header.index(column) if header is not None and column is not None else None
        self.report.cells.append(Problem(self.titles.get(sheet.key, str(sheet.title)), row,
                                         index, str(column or ""), message))
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
        """The ledger's rows the file may name, by natural key."""
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
        header = find_header(sheet, rows)
        for index, column in header.columns.items():
            if column.name != name:
                continue
            for row in rows[header.row + 1:]:
                cell = row[index] if index < len(row) else None
                try:
                    value = self.reader.read(sheet, column, cell)
                except CellError:
                    continue
                if value is not None:
                    yield cast(str, value)  # a title, name or code: text

    def register_person(self, person: m.Person) -> None:
        """Make a person findable by department and name (leaders by name)."""
        self.persons[(person.department.name, person.name)].append(person)
        if person.is_leader:
            self.leaders[person.name].append(person)

    def _import_sheet(self, sheet: Sheet, handler: type[RowHandler]) -> None:
        """Check and count one sheet's rows below its header (app/files/import_headers.py);
        a missing required column stops the sheet."""
        rows = self.tables[sheet.key]
        header = self.headers[sheet.key] = find_header(sheet, rows)
        columns = header.columns
        self.report.header_rows[self.titles.get(sheet.key, str(sheet.title))] = header.row + 1
        missing = [c for c in sheet.columns if c.required and c.default is None
                   and c not in columns.values()]
        for column in missing:
            self.problem(sheet, header.row + 1, column.title, _("缺少此列"))
        counts = self.report.counts.setdefault(str(sheet.title),
                                               {"new": 0, "updated": 0, "unchanged": 0})
        if missing:
            return
        rows_handler = handler(self, sheet, {column.name for column in columns.values()})
        for number, row in enumerate(rows[header.row + 1:], start=header.row + 2):
            if header.is_blank(row):
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
            while self.reader.notes:
                self.report.notes.append(_("%(sheet)s 第%(row)s行 %(column)s：%(note)s",
                                           sheet=sheet.title, row=number, column=column.title,
                                           note=self.reader.notes.pop(0)))
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
        """Whether `day` is a working day, looked up once."""
        if day not in self.known:
            self.known[day] = super().is_workday(day)
        return self.known[day]


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    """The items in slices of `size` (for IN lists)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
