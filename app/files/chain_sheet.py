"""The 节点链 sheet of the project export: the nodes of the exported projects' chains."""

from __future__ import annotations

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import models as m
from app.domain import choices
from app.extensions import db
from app.files.list_xlsx import text_cell, write_header


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
    sheet = book.create_sheet(_("节点链"))
    rows = write_header(sheet, chain_header())
    for row in chain_rows(db.session, project_ids):
        rows.append([text_cell(sheet, v) if isinstance(v, str) else v for v in row])
    rows.close()
