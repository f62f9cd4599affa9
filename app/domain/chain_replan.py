"""Re-planning a chain when a node slips: shift the later nodes, or keep the target.

Option "shift" moves the later deadlines through extensions (approved at once for the
office, requested for a department), so every original deadline stays on record.
Option "keep" moves nothing: it shortens the later nodes' planned durations instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import select

from app import models as m
from app.domain import backward_plan, status, validation
from app.domain.rules import Calendar
from app.domain.validation import DomainError
from app.extensions import db

MODES = ("shift", "keep")


@dataclass(frozen=True)
class Change:
    """A node after the slipped one: its deadline in force and what the option does to it."""

    node: m.ChainNode
    deadline: dt.date
    new_deadline: dt.date | None = None  # "shift"
    squeeze: backward_plan.Squeeze | None = None  # "keep"


@dataclass(frozen=True)
class Replan:
    late: m.ChainNode
    expected: dt.date
    mode: str
    changes: list[Change]
    implied_target: dt.date  # the last deadline of the chain after the change
    feasible: bool  # "keep": every later node still has at least one working day


def chain_node_of(task: m.Task) -> m.ChainNode | None:
    return db.session.scalar(select(m.ChainNode).where(m.ChainNode.task_id == task.id))


def _nodes(chain: m.TaskChain) -> list[backward_plan.Node]:
    return [backward_plan.Node(str(n.id), n.workdays, tuple(str(d.id) for d in n.depends_on))
            for n in chain.nodes]


def compute(late: m.ChainNode, expected: dt.date, mode: str, today: dt.date,
            cal: Calendar) -> Replan:
    """What each option does to the nodes after `late`, done on `expected` instead."""
    task = late.task
    if task.cancelled or task.done_on is not None:
        raise DomainError(_("已完成或已撤销的任务无需调整计划。"))
    if expected < today:
        raise DomainError(_("新的预计完成日期不能早于今天（%(today)s）。", today=today.isoformat()))
    if expected <= task.deadline:
        raise DomainError(_("新的预计完成日期应晚于现行时间节点（%(deadline)s）。",
                            deadline=task.deadline.isoformat()))
    chain = late.chain
    nodes = _nodes(chain)
    deadlines = {str(n.id): n.task.deadline for n in chain.nodes}
    by_key = {str(n.id): n for n in chain.nodes}
    key = str(late.id)
    if mode == "keep":
        cuts = backward_plan.squeeze(nodes, deadlines, key, expected, cal)
        changes = [Change(by_key[k], deadlines[k], squeeze=c) for k, c in cuts.items()]
        last = max([*deadlines.values(), expected])
        feasible = all(c.available >= 1 for c in cuts.values())
        return Replan(late, expected, mode, changes, last, feasible)
    moved = backward_plan.shift(nodes, deadlines, key, expected, cal)
    later = backward_plan.after(nodes, key)
    changes = [Change(by_key[n.key], deadlines[n.key], new_deadline=moved[n.key]) for n in later]
    return Replan(late, expected, "shift", changes, max(moved.values()), True)


def save(plan: Replan, lag_reason: str, measures: str, today: dt.date, approve: bool) -> int:
    """Record the lag on the late task and apply the option, in one transaction.

    Returns how many later nodes changed (deadlines moved, or durations shortened).
    """
    reason, steps = (lag_reason or "").strip(), (measures or "").strip()
    if not reason or not steps:
        raise DomainError(_("请填写滞后原因和整改措施。"))
    task = plan.late.task
    task.lag_reason, task.measures = reason, steps
    if plan.mode == "keep":
        changed = _shorten(plan)
    else:
        changed = _extend(plan, today, approve)
    chain_tasks = [n.task for n in plan.late.chain.nodes]
    status.refresh_tasks(chain_tasks, today)
    status.refresh_projects([plan.late.chain.project_id], today)
    db.session.commit()
    return changed


def _shorten(plan: Replan) -> int:
    if not plan.feasible:
        raise DomainError(_("保持目标日期已不可行：后续节点没有剩余的工作日。"
                            "请选择“后续节点顺延”。"))
    # "keep": every change has its squeeze
    cut = [c for c in plan.changes if cast(backward_plan.Squeeze, c.squeeze).shortened_by > 0]
    for change in cut:
        change.node.workdays = cast(backward_plan.Squeeze, change.squeeze).available
    return len(cut)


def _extend(plan: Replan, today: dt.date, approve: bool) -> int:
    """Later deadlines moved by extensions: approved at once, or requested of the office."""
    why = _("前置节点“%(node)s”预计于 %(day)s 完成，后续节点相应顺延（倒排工期调整）。",
            node=plan.late.task.title, day=plan.expected.isoformat())
    count = 0
    for change in plan.changes:
        task = change.node.task
        new_deadline = cast(dt.date, change.new_deadline)  # "shift": every change has one
        if new_deadline <= task.deadline or task.cancelled or task.done_on is not None:
            continue
        pending = db.session.scalar(select(m.Extension.id).where(
            m.Extension.task_id == task.id, m.Extension.decision == "pending"))
        if pending is not None:
            raise DomainError(_("“%(node)s”已有待审批的延期申请，请先审批后再调整。",
                                node=task.title))
        extension = m.Extension(task=task, requested_on=today, new_deadline=new_deadline,
                                reason=why, decision="approved" if approve else "pending")
        problem = validation.check(extension, adding=True)
        if problem:
            raise DomainError(problem)
        db.session.add(extension)
        if approve:
            task.deadline = new_deadline  # the original_deadline stays as it was
        count += 1
    return count
