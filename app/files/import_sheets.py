"""The sheets of the Excel import template: their columns, and how a cell becomes a value.

Shared by the template (app/files/excel_template.py builds it) and the importer, so what the
template offers is exactly what the importer reads. Headers and choice labels are read
in Chinese or English, and choice columns also take the stored values of DESIGN.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, inspect

from app import models as m
from app.domain import choices, typed_input
from app.domain.labels import LABELS, joined
from app.domain.typed_input import InputError

LOCALES = ("zh", "en")
YES_NO = {True: _l("是"), False: _l("否")}
MAX_MONEY = Decimal("999999999999.99")  # Numeric(14, 2)
CENT = Decimal("0.01")


class CellError(ValueError):
    """A cell that cannot be read; the message says why."""


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the attribute it fills and how its cells are read."""

    name: str
    kind: str = "text"  # text, choice, bool, date, money, ref (a name or code, resolved later)
    required: bool = False
    options: dict | None = None
    default: object = None
    label: object = None  # the header; LABELS[name] unless given

    @property
    def title(self) -> object:
        return self.label if self.label is not None else LABELS[self.name]


@dataclass(frozen=True)
class Sheet:
    """One sheet of the template: a table, its columns and an example row (stored values)."""

    key: str
    title: object
    model: type[m.Model]
    columns: tuple[Column, ...]
    example: dict

    def max_length(self, column: Column) -> int | None:
        """The longest text the table's column holds (None: no limit, or not a column)."""
        columns = inspect(self.model).columns
        if column.kind != "text" or column.name not in columns:
            return None
        kind = columns[column.name].type
        return kind.length if isinstance(kind, String) else None


D = dt.date
# The example rows: plainly examples, so real data never equals them (equal rows are skipped).
EXAMPLE_DEPARTMENT = "（示例）县发展改革委"
EXAMPLE_PERSON = "（示例）张三"
EXAMPLE_CODE = "示例-2026-001"
DEPARTMENTS = Sheet("department", _l("责任单位"), m.Department, (
    Column("name", required=True),
    Column("kind", "choice", True, choices.DEPARTMENT_KIND, default="department"),
    Column("active", "bool", True, default=True),
), example={"name": EXAMPLE_DEPARTMENT, "kind": "department", "active": True})

PERSONS = Sheet("person", _l("责任人"), m.Person, (
    Column("name", required=True, label=_l("姓名")),
    Column("title", label=_l("职务")),
    Column("department", "ref", True),
    Column("phone"),
    Column("email"),
    Column("is_leader", "bool", True, default=False),
), example={"name": EXAMPLE_PERSON, "title": "科长", "department": EXAMPLE_DEPARTMENT,
            "phone": "13800000000", "email": None, "is_leader": False})

PROJECTS = Sheet("project", _l("重点项目"), m.Project, (
    Column("code", required=True),
    Column("name", required=True),
    Column("category", "choice", True, choices.PROJECT_CATEGORY),
    Column("source", "choice", options=choices.PROJECT_SOURCE),
    Column("industry"),
    Column("stage", "choice", True, choices.PROJECT_STAGE, default="planning"),
    Column("list_level", "choice", True, choices.LIST_LEVEL, default="county"),
    Column("total_investment", "money"),
    Column("annual_plan_investment", "money"),
    Column("planned_start", "date"),
    Column("planned_end", "date"),
    Column("actual_start", "date"),
    Column("actual_end", "date"),
    Column("location"),
    Column("content"),
    Column("lead_department", "ref", True),
    Column("responsible_person", "ref"),
    Column("lead_leader", "ref"),
    Column("funding"),
), example={"code": EXAMPLE_CODE, "name": "（示例）县城污水处理厂提标改造工程",
            "category": "eco_environment", "source": "public_demand", "industry": None,
            "stage": "preparation", "list_level": "county",
            "total_investment": Decimal("12000.00"), "annual_plan_investment": Decimal("3000.00"),
            "planned_start": D(2026, 3, 1), "planned_end": D(2027, 12, 31), "actual_start": None,
            "actual_end": None, "location": "城关镇", "content": "新增日处理能力 2 万吨",
            "lead_department": EXAMPLE_DEPARTMENT, "responsible_person": EXAMPLE_PERSON,
            "lead_leader": None, "funding": "专项债券"})

TASKS = Sheet("task", _l("任务"), m.Task, (
    Column("project", "ref", label=LABELS["code"]),
    Column("title", required=True),
    Column("expected_outcome"),
    Column("department", "ref", True),
    Column("person", "ref"),
    Column("assigned_on", "date", True),
    Column("deadline", "date", True),
    Column("done_on", "date"),
    Column("cancelled", "bool", True, default=False),
    Column("lag_reason"),
    Column("measures"),
), example={"project": EXAMPLE_CODE, "title": "（示例）完成可行性研究报告批复",
            "expected_outcome": "取得可研批复文件", "department": EXAMPLE_DEPARTMENT,
            "person": EXAMPLE_PERSON, "assigned_on": D(2026, 1, 5), "deadline": D(2026, 3, 31),
            "done_on": None, "cancelled": False, "lag_reason": None, "measures": None})

SHEETS = (DEPARTMENTS, PERSONS, PROJECTS, TASKS)


def spellings(text: object) -> set[str]:
    """A label as it reads in every language of the portal, casefolded."""
    found = set()
    for locale in LOCALES:
        with force_locale(locale):
            found.add(str(text).strip().casefold())
    return found


class CellReader:
    """Reads cells into stored values; the label look-ups are built once per import."""

    def __init__(self) -> None:
        self._options: dict[int, dict[str, str]] = {}
        self.notes: list[str] = []  # what was converted (an amount in 元), for the report
        self._yes_no = {word: value for value, label in YES_NO.items()
                        for word in spellings(label)}
        self._yes_no |= {"true": True, "false": False, "yes": True, "no": False,
                         "1": True, "0": False}

    def read(self, sheet: Sheet, column: Column, value: object) -> object:
        """The stored value of a cell, or the column's default when empty; CellError if bad."""
        if isinstance(value, str):
            value = value.strip() or None
        if value is None:
            if column.required and column.default is None:
                raise CellError(_("不能为空"))
            return column.default
        reader = getattr(self, f"_{column.kind}")
        return reader(sheet, column, value)

    def _text(self, sheet: Sheet, column: Column, value: object) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a phone number typed as a number
        if isinstance(value, dt.datetime):
            value = value.date()
        text = str(value).strip()
        limit = sheet.max_length(column)
        if limit is not None and len(text) > limit:
            raise CellError(_("不能超过 %(n)s 个字（现有 %(count)s 个）", n=limit, count=len(text)))
        return text

    _ref = _text

    def _choice(self, sheet: Sheet, column: Column, value: object) -> str:
        assert column.options is not None  # a choice column has its options
        options = self._options.get(id(column.options))
        if options is None:
            options = {stored.casefold(): stored for stored in column.options}
            for stored, label in column.options.items():
                options |= dict.fromkeys(spellings(label), stored)
            self._options[id(column.options)] = options
        text = str(value).strip()
        if text.casefold() not in options:
            raise CellError(_("“%(value)s”不是可选值，可选：%(options)s", value=text,
                              options=joined(column.options.values())))
        return options[text.casefold()]

    def _bool(self, sheet: Sheet, column: Column, value: object) -> bool:
        if isinstance(value, bool):
            return value
        word = str(value).strip().casefold()
        if word not in self._yes_no:
            raise CellError(_("应填“是”或“否”，收到“%(value)s”", value=typed_input.shown(value)))
        return self._yes_no[word]

    def _date(self, sheet: Sheet, column: Column, value: object) -> dt.date:
        try:
            day = typed_input.parse_date(value)
        except InputError as error:
            raise CellError(error.message) from None
        if day is None:
            raise CellError(typed_input.date_error(value).message)
        return day

    def _money(self, sheet: Sheet, column: Column, value: object) -> Decimal:
        try:
            amount = typed_input.parse_amount(value)
        except InputError as error:
            raise CellError(error.message) from None
        if amount is None:
            raise CellError(typed_input.amount_error(value).message)
        if amount.value < 0:
            raise CellError(_("不能为负数，收到“%(value)s”", value=typed_input.shown(value)))
        if amount.value > MAX_MONEY:
            raise CellError(_("数值超出范围（最大 %(max)s 万元），收到“%(value)s”",
                              max=f"{MAX_MONEY:,}", value=typed_input.shown(value)))
        if amount.note:
            self.notes.append(amount.note)
        return amount.value.quantize(CENT, ROUND_HALF_UP)


def display_value(column: Column, value: object) -> object:
    """A stored value as the template shows it: labels for choices and yes/no."""
    if value is None:
        return None
    if column.kind == "choice":
        assert column.options is not None  # a choice column has its options
        return choices.label(column.options, value)
    if column.kind == "bool":
        return str(YES_NO[bool(value)])
    if isinstance(value, Decimal):
        return float(value)
    return value
