"""Domain checks on a row about to be saved, shared by forms and the REST API."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from sqlalchemy import String, Text, inspect, select

from app import models as m
from app.domain import clock, text
from app.domain.labels import LABELS
from app.domain.node_templates import check_template_node
from app.domain.scope import ACCEPTED, DEPARTMENT_COLUMN
from app.domain.tree import check_parent
from app.extensions import db


class DomainError(Exception):
    """A refused change, with the message the user reads and the HTTP status."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _changed(item: m.Model, field: str) -> bool:
    return inspect(item).attrs[field].history.has_changes()


def _task(item: m.Task, adding: bool) -> str | None:
    if item.assigned_on and item.deadline and item.deadline < item.assigned_on:
        return _("时间节点不能早于交办日期。")
    if item.done_on and item.assigned_on and item.done_on < item.assigned_on:
        return _("完成日期不能早于交办日期。")
    if adding:
        item.original_deadline = item.deadline
    elif _changed(item, "deadline") and not getattr(item, "_extension_approved", False):
        return _("时间节点只能通过批准延期申请调整。")
    return None


def _feedback(item: m.Feedback, adding: bool) -> str | None:
    if item.percent_complete is None or not 0 <= item.percent_complete <= 100:
        return _("完成百分比应在 0 到 100 之间。")
    if item.task is not None and item.task.cancelled:
        return _("已撤销的任务不能反馈。")
    if adding or _changed(item, "reported_on") or _changed(item, "task"):
        return _reported_on(item)
    return None


def _reported_on(item: m.Feedback) -> str | None:
    """Evidence is dated when it happened: from the task's assignment up to today, and not
    in a month already judged (its 督查通报 issued), whose scores it would rewrite."""
    day, task = item.reported_on, item.task
    if day is None:
        return _("请填写反馈日期。")
    if day > clock.today():
        return _("反馈日期不能晚于今天。")
    if task is not None and task.assigned_on is not None and day < task.assigned_on:
        return _("反馈日期不能早于任务的交办日期（%(day)s）。", day=task.assigned_on.isoformat())
    with db.session.no_autoflush:
        judged = db.session.scalar(select(m.Circular.id).where(
            m.Circular.period == day.replace(day=1)).limit(1))
    if judged is not None:
        return _("%(month)s 的督查通报已经印发，不能再报送该月的反馈。",
                 month=f"{day:%Y-%m}")
    return None


def unwritable(model: type, ids: set[int]) -> str | None:
    """Why a department may not change these rows, when a rule says it (None: scope)."""
    if model is m.Feedback:
        with db.session.no_autoflush:
            final = db.session.scalar(select(m.Feedback.id).where(
                m.Feedback.id.in_(ids), m.Feedback.review_status == ACCEPTED).limit(1))
        if final is not None:
            return _("督查室已采纳的反馈不能修改或删除；如需更正，请报送一条新的反馈。")
    return None


def _extension(item: m.Extension, adding: bool) -> str | None:
    task = item.task
    if task is None:
        return None
    if adding and (task.cancelled or task.done_on is not None):
        return _("已完成或已撤销的任务不能申请延期。")
    asked = adding or _changed(item, "new_deadline")  # not when approval moved the deadline
    if asked and item.new_deadline and task.deadline and item.new_deadline <= task.deadline:
        return _("申请延至的日期应晚于现行时间节点。")
    return None


def _investment_report(item: m.InvestmentReport, adding: bool) -> str | None:
    if item.period is not None:
        item.period = item.period.replace(day=1)
    if item.amount is not None and item.amount < 0:
        return _("完成投资不能为负数。")
    return None


def _problem(item: m.Problem, adding: bool) -> str | None:
    if item.deadline and item.raised_on and item.deadline < item.raised_on:
        return _("解决时限不能早于提出日期。")
    if item.resolved_on and item.raised_on and item.resolved_on < item.raised_on:
        return _("解决日期不能早于提出日期。")
    if item.resolved_on and item.resolved_on > clock.today():
        return _("解决日期不能晚于今天。")
    if item.coordinating_leader is not None and not item.coordinating_leader.is_leader:
        return _("协调领导应为县级领导，请从列表中选择。")
    return None


def _project(item: m.Project, adding: bool) -> str | None:
    if item.planned_start and item.planned_end and item.planned_end < item.planned_start:
        return _("计划竣工不能早于计划开工。")
    if item.actual_start and item.actual_end and item.actual_end < item.actual_start:
        return _("实际竣工不能早于实际开工。")
    for field in ("total_investment", "annual_plan_investment"):
        value = getattr(item, field)
        if value is not None and value < 0:
            return _("投资额不能为负数。")
    return None


CHECKS: dict[type, Callable[[m.Model, bool], str | None]] = {
    m.Task: _task,
    m.Feedback: _feedback,
    m.Extension: _extension,
    m.InvestmentReport: _investment_report,
    m.Problem: _problem,
    m.Project: _project,
    m.TemplateNode: check_template_node,  # issue 9: durations and cycles
    m.Department: check_parent,  # issue 15: no unit its own ancestor
}


def max_length(column: object) -> int | None:
    """The characters a text column holds: a String's length, TEXT_MAX for Text."""
    kind = getattr(column, "type", None)
    if isinstance(kind, Text):
        return text.TEXT_MAX
    if isinstance(kind, String):
        return kind.length
    return None


def _text(item: m.Model) -> str | None:
    """The one text rule (app/domain/text.py) on every text column of the row."""
    for attr in inspect(item).mapper.column_attrs:
        value = getattr(item, attr.key, None)
        if not isinstance(value, str):
            continue
        column = attr.columns[0]
        limit = max_length(column)
        found = text.problem(value, isinstance(column.type, String) and not isinstance(
            column.type, Text), limit)
        if found is None:
            continue
        label = LABELS.get(attr.key, attr.key)
        if found == "length":
            return _("“%(field)s”不能超过 %(n)s 个字（现有 %(count)s 个）。", field=label,
                     n=limit, count=len(value))
        if found == "line":
            return _("“%(field)s”应为一行文字，不能含换行或制表符。", field=label)
        if found == "invisible":
            return _("“%(field)s”含有零宽字符、文字方向控制符或行分隔符等不可见字符，"
                     "请删除后再保存。", field=label)
        return _("“%(field)s”含有不可见的控制字符，请删除后再保存。", field=label)
    return None


def _inactive_department(item: m.Model, adding: bool) -> str | None:
    """A unit that is 停用 takes no new rows (task, project, problem, person) and no row
    moved to it; what it already has stays, and may still be edited."""
    column = DEPARTMENT_COLUMN.get(type(item))
    if column is None:
        return None
    relation = column.removesuffix("_id")
    if not (adding or _changed(item, relation) or _changed(item, column)):
        return None
    with db.session.no_autoflush:
        department = getattr(item, relation) or (
            db.session.get(m.Department, getattr(item, column)) if getattr(item, column)
            else None)
    if department is None or department.active is not False:
        return None
    return _("“%(name)s”已停用，不能再给它新建或转入记录；请选择启用的责任单位。",
             name=department.name)


def _login_taken(item: m.Model) -> str | None:
    """A login is tied to one person: choosing one tied to someone else is refused, naming
    them (the database's unique index would only say "重复")."""
    if not isinstance(item, m.Person) or item.user is None or not _changed(item, "user"):
        return None
    with db.session.no_autoflush:
        other = db.session.scalar(select(m.Person).where(m.Person.user_id == item.user.id,
                                                         m.Person.id != item.id))
    if other is None:
        return None
    return _("登录账号“%(username)s”已关联责任人“%(name)s”，一个账号只能关联一名责任人。",
             username=item.user.username, name=other.name)


def check(item: m.Model, adding: bool) -> str | None:
    """The message refusing this change, or None when it may be saved."""
    problem = _text(item) or _inactive_department(item, adding) or _login_taken(item)
    if problem:
        return problem
    rule = CHECKS.get(type(item))
    return rule(item, adding) if rule else None
