"""倒排工期 on the ledger: a node template scheduled backwards into a chain of tasks.

The arithmetic is backward_plan.py's; this module turns templates and forms into its nodes,
words its refusals in Chinese, and writes the chain's tasks in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from sqlalchemy import select

from app import models as m
from app.domain import backward_plan, status
from app.domain.rules import Calendar
from app.domain.validation import DomainError
from app.extensions import db


@dataclass(frozen=True)
class Step:
    """One node of a chain being planned: what the form shows and the dates computed."""

    key: str  # the template node's id
    title: str
    expected_outcome: str | None
    workdays: int
    department_id: int | None
    person_id: int | None
    depends_on: tuple[str, ...]
    start: dt.date | None = None
    deadline: dt.date | None = None


def steps_of(template: m.NodeTemplate) -> list[Step]:
    """The template's nodes with their defaults, in the template's order."""
    return [Step(str(n.id), n.title, n.expected_outcome, n.workdays, n.department_id, None,
                 tuple(str(d.id) for d in n.depends_on)) for n in template.nodes]


def nodes_of(steps: list[Step]) -> list[backward_plan.Node]:
    return [backward_plan.Node(s.key, s.workdays, s.depends_on) for s in steps]


def schedule_error(error: backward_plan.ScheduleError, titles: dict[str, str]) -> DomainError:
    """A scheduling refusal in the words the user reads."""
    title = titles.get(error.key, error.key)
    if error.kind == "duration":
        return DomainError(_("“%(node)s”的工期应至少为 1 个工作日。", node=title))
    if error.kind == "cycle":
        return DomainError(_("节点之间的等待关系构成了循环，无法排期，"
                             "请检查“%(node)s”等节点所等待的节点。", node=title))
    return DomainError(_("“%(node)s”所等待的节点不在本模板中。", node=title))


def plan(steps: list[Step], target: dt.date, today: dt.date,
         cal: Calendar) -> tuple[list[Step], backward_plan.Plan]:
    """Each step with its start and deadline counted back from `target` in working days."""
    if target < today:
        raise DomainError(_("目标日期不能早于今天（%(today)s）。", today=today.isoformat()))
    if not steps:
        raise DomainError(_("这个模板还没有节点。"))
    try:
        result = backward_plan.plan(nodes_of(steps), target, today, cal)
    except backward_plan.ScheduleError as error:
        raise schedule_error(error, {s.key: s.title for s in steps}) from None
    dated = [replace(s, start=result.slots[s.key].start, deadline=result.slots[s.key].deadline)
             for s in steps]
    return dated, result


def shortfall_message(result: backward_plan.Plan) -> str | None:
    """What to tell the user when the chain would have to start before today."""
    if not result.shortfall:
        return None
    return _("按这个目标日期，第一个节点须在 %(start)s 开始，比今天早 %(days)d 个工作日，时间不够；"
             "从今天开始最早能在 %(earliest)s 完成，请推迟目标日期或压缩工期。",
             start=result.first_start.isoformat(), days=result.shortfall,
             earliest=result.earliest_target.isoformat())


def check_people(steps: list[Step], may_use: Callable[[m.Person], bool]) -> None:
    """Every step has a department; a person, if any, belongs to it and may be chosen."""
    for step in steps:
        if step.department_id is None or db.session.get(m.Department, step.department_id) is None:
            raise DomainError(_("请为“%(node)s”选择责任单位。", node=step.title))
        if step.person_id is None:
            continue
        person = db.session.get(m.Person, step.person_id)
        if person is None or not may_use(person):
            raise DomainError(
                _("“%(node)s”的责任人不存在或不在本单位范围内。", node=step.title), 404)
        if person.department_id != step.department_id:
            raise DomainError(_("“%(node)s”的责任人不属于所选责任单位。", node=step.title))


def create_chain(project: m.Project, template: m.NodeTemplate, target: dt.date,
                 steps: list[Step], today: dt.date) -> m.TaskChain:
    """The chain's tasks, deadlines as planned, in one transaction."""
    chain = m.TaskChain(project=project, template_id=template.id, name=template.name,
                        target=target, created_on=today)
    built: dict[str, m.ChainNode] = {}
    for position, step in enumerate(steps):
        task = m.Task(project=project, title=step.title, expected_outcome=step.expected_outcome,
                      department_id=step.department_id, person_id=step.person_id,
                      assigned_on=today, deadline=step.deadline,
                      original_deadline=step.deadline)
        built[step.key] = m.ChainNode(chain=chain, task=task, template_node_id=int(step.key),
                                      position=position, workdays=step.workdays)
    for step in steps:
        built[step.key].depends_on = [built[key] for key in step.depends_on]
    db.session.add(chain)
    db.session.flush()
    status.refresh_tasks([node.task for node in built.values()], today)
    status.refresh_projects([project.id], today)
    db.session.commit()
    return chain


def project_chains(project_id: int) -> list[m.TaskChain]:
    """The chains scheduled for a project, oldest first."""
    return list(db.session.scalars(
        select(m.TaskChain).where(m.TaskChain.project_id == project_id).order_by(m.TaskChain.id)))


def templates() -> list[m.NodeTemplate]:
    """The templates that have nodes, by name."""
    rows = db.session.scalars(select(m.NodeTemplate).order_by(m.NodeTemplate.name))
    return [t for t in rows if t.nodes]
