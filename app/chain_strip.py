"""The chain as a Gantt-like strip: each node a bar from its start to its deadline.

Shared by the project's page, the 倒排工期 preview and the chain sheet of the export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import choices
from . import models as m
from .rules import Calendar


@dataclass(frozen=True)
class Bar:
    title: str
    department: str
    person: str
    start: dt.date
    deadline: dt.date
    original_deadline: dt.date
    status: str
    status_label: str
    left: float  # per cent of the strip
    width: float
    task_id: int | None = None


@dataclass(frozen=True)
class Strip:
    name: str
    target: dt.date
    today: dt.date
    bars: list[Bar]
    target_left: float
    today_left: float


@dataclass(frozen=True)
class Item:
    """A node as the strip needs it."""

    title: str
    department: str
    person: str
    start: dt.date
    deadline: dt.date
    original_deadline: dt.date
    status: str
    task_id: int | None = None


def strip(name: str, target: dt.date, today: dt.date, items: Iterable[Item]) -> Strip:
    """Place every node on one time axis that also holds the target and today."""
    items = list(items)
    low = min([i.start for i in items] + [today, target])
    high = max([i.deadline for i in items] + [today, target])
    days = (high - low).days + 1

    def at(day: dt.date) -> float:
        return round(100 * (day - low).days / days, 2)

    bars = [Bar(i.title, i.department, i.person, i.start, i.deadline, i.original_deadline,
                i.status, choices.label(choices.TASK_STATUS, i.status), at(i.start),
                max(round(100 * ((i.deadline - i.start).days + 1) / days, 2), 0.8), i.task_id)
            for i in items]
    return Strip(name, target, today, bars, at(target), at(today))


def node_start(node: m.ChainNode, cal: Calendar) -> dt.date:
    """A node's start: its duration counted back from the deadline in force."""
    return cal.subtract_workdays(node.task.deadline, max(node.workdays, 1) - 1)


def chain_items(chain: m.TaskChain, cal: Calendar) -> list[Item]:
    return [Item(n.task.title, n.task.department.name, n.task.person.name if n.task.person else "",
                 node_start(n, cal), n.task.deadline, n.task.original_deadline, n.task.status,
                 n.task_id) for n in chain.nodes]


def chain_strips(chains: Iterable[m.TaskChain], today: dt.date, cal: Calendar) -> list[Strip]:
    return [strip(c.name, c.target, today, chain_items(c, cal)) for c in chains if c.nodes]


def chain_rows(session: Session, project_ids: list[int]) -> list[list[object]]:
    """The export's chain sheet: one row per node of the projects' chains."""
    rows: list[list[object]] = []
    for low in range(0, len(project_ids), 500):
        query = (select(m.ChainNode).join(m.TaskChain).join(m.Project)
                 .where(m.TaskChain.project_id.in_(project_ids[low:low + 500]))
                 .order_by(m.Project.code, m.TaskChain.id, m.ChainNode.position))
        for node in session.scalars(query):
            task = node.task
            rows.append([task.project.code if task.project else "", node.chain.project.name,
                         node.chain.name, node.chain.target, node.position + 1, task.title,
                         task.department.name, task.person.name if task.person else "",
                         node.workdays, task.original_deadline, task.deadline,
                         choices.label(choices.TASK_STATUS, task.status)])
    return rows


def chain_header() -> list[str]:
    return [_("项目编号"), _("项目名称"), _("节点模板"), _("目标日期"), _("序号"), _("节点"),
            _("责任单位"), _("责任人"), _("工期（工作日）"), _("原定时间节点"), _("时间节点"),
            _("状态")]


def chain_sheet(book: Workbook, project_ids: list[int]) -> None:
    """The 节点链 sheet of the project export: the nodes of the exported projects' chains."""
    from .excel_export import _text, _write_header
    from .extensions import db

    sheet = book.create_sheet(_("节点链"))
    _write_header(sheet, chain_header())
    for row in chain_rows(db.session, project_ids):
        sheet.append([_text(sheet, v) if isinstance(v, str) else v for v in row])
