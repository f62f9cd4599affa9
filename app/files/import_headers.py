"""The header row of an import sheet as offices keep it (issue 18.6).

A ledger often has one or two title rows above its header ("清河县2026年重点项目任务台账"),
merged or not, headers written in the office's own words ("任务标题", "时间节点\\n（完成
时限）") and a 序号 column. The header is the row, among the first ten, that names the most
of the sheet's columns; a header cell is read without spaces or line breaks, full-width
brackets as half-width, a trailing "*" dropped, and also without a bracketed remark. The
synonyms of every column are SYNONYMS, here and nowhere else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.files.import_sheets import Column, Sheet, spellings

HEADER_ROWS = 10  # the header is looked for in the first ten rows
SPACES = re.compile(r"\s+")
REMARK = re.compile(r"\([^()]*\)")
# header words offices use, by sheet and column, besides the template's own labels
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "department": {
        "name": ("单位名称", "责任单位", "单位"),
        "kind": ("单位类型", "类别"),
        "active": ("是否启用", "状态"),
    },
    "person": {
        "name": ("责任人", "责任人姓名", "名字"),
        "department": ("所在单位", "单位", "工作单位"),
        "phone": ("联系电话", "手机", "手机号", "电话号码"),
        "email": ("邮箱", "电子邮件", "email", "e-mail"),
        "is_leader": ("是否县级领导", "县领导"),
    },
    "project": {
        "code": ("项目代码", "项目编码"),
        "name": ("项目名称",),
        "category": ("重点领域", "项目类别", "领域"),
        "stage": ("项目阶段", "建设阶段", "项目状态"),
        "list_level": ("层级", "项目级别", "级别"),
        "total_investment": ("总投资", "计划总投资", "项目总投资"),
        "annual_plan_investment": ("年度计划投资", "年度计划", "年度投资计划", "本年计划投资"),
        "planned_start": ("计划开工时间", "计划开工日期", "开工时间"),
        "planned_end": ("计划竣工时间", "计划竣工日期", "竣工时间"),
        "actual_start": ("实际开工时间", "实际开工日期"),
        "actual_end": ("实际竣工时间", "实际竣工日期"),
        "content": ("主要建设内容", "建设规模及内容", "建设规模和内容"),
        "lead_department": ("牵头责任单位", "责任单位", "主责单位"),
        "responsible_person": ("项目责任人", "具体责任人"),
        "lead_leader": ("县级分管领导", "包抓领导", "联系领导"),
    },
    "task": {
        "project": ("项目代码", "所属项目编号"),
        "title": ("任务标题", "任务名称", "任务", "任务事项", "工作任务", "重点任务", "事项"),
        "expected_outcome": ("预期成效", "工作目标", "目标成效", "完成标准"),
        "department": ("责任部门", "主责单位", "牵头单位", "承办单位"),
        "person": ("具体责任人", "承办人"),
        "assigned_on": ("交办时间", "下达日期", "交办日"),
        "deadline": ("完成时限", "时限", "截止日期", "截止时间", "完成期限", "办结时限"),
        "done_on": ("实际完成日期", "实际完成时间", "办结日期", "完成时间"),
        "cancelled": ("是否撤销", "撤销"),
    },
}
SERIAL_HEADERS = frozenset({"序号", "序", "no", "no."})  # a row number, not data


def header_key(text: object) -> str:
    """A header cell as compared: no spaces or line breaks, half-width, casefolded."""
    return SPACES.sub("", unicodedata.normalize("NFKC", str(text))).rstrip("*").casefold()


def _keys(text: object) -> set[str]:
    """A header's key, and the key without its bracketed remark ("时间节点(完成时限)")."""
    key = header_key(text)
    bare = REMARK.sub("", key)
    return {key, bare} if bare else {key}


@dataclass
class Header:
    """Where a sheet's header is (0-based row) and its columns by position."""

    row: int = 0
    columns: dict[int, Column] = field(default_factory=dict)
    serial: int | None = None  # the 序号 column

    def index(self, column: object) -> int | None:
        """The position of a column given by its title."""
        return next((i for i, c in self.columns.items() if str(c.title) == str(column)), None)

    def is_blank(self, row: Sequence[object]) -> bool:
        """Whether a data row is empty, or carries only its 序号."""
        return all(_blank(value) for index, value in enumerate(row) if index != self.serial)


def names(sheet: Sheet) -> dict[str, Column]:
    """Every accepted header key of a sheet's columns: labels in each language, the
    stored name, the synonyms; the template's own labels first."""
    found: dict[str, Column] = {}
    for column in sheet.columns:
        for spelling in {*spellings(column.title), column.name}:
            for key in _keys(spelling):
                found.setdefault(key, column)
    for name, words in SYNONYMS.get(sheet.key, {}).items():
        column = next(c for c in sheet.columns if c.name == name)
        for word in words:
            for key in _keys(word):
                found.setdefault(key, column)
    return found


def read_header(sheet: Sheet, row: Sequence[object], known: dict[str, Column]) -> Header:
    """The sheet's columns found in one row, by position; other columns ignored."""
    header = Header()
    for index, text in enumerate(row):
        if _blank(text):
            continue
        keys = _keys(text)
        if header.serial is None and keys & SERIAL_HEADERS:
            header.serial = index
            continue
        column = next((known[key] for key in sorted(keys, key=len, reverse=True)
                       if key in known), None)
        if column is not None and column not in header.columns.values():
            header.columns[index] = column
    return header


def find_header(sheet: Sheet, rows: Sequence[Sequence[object]]) -> Header:
    """The header among the first rows: the one naming the most columns (the first of
    equals); the first row when none names any."""
    known = names(sheet)
    best = Header()
    for number, row in enumerate(rows[:HEADER_ROWS]):
        header = read_header(sheet, row, known)
        if len(header.columns) > len(best.columns):
            header.row = number
            best = header
    return best


def _blank(value: object) -> bool:
    """Whether a cell is empty or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())
