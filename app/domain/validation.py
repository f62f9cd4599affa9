"""Domain checks on a row about to be saved, shared by forms and the REST API."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from sqlalchemy import inspect

from app import models as m
from app.domain.labels import LABELS
from app.domain.node_templates import check_template_node
from app.domain.text import has_control


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
}


def _control_characters(item: m.Model) -> str | None:
    """Text with invisible control characters breaks the circular and the exports."""
    for attr in inspect(item).mapper.column_attrs:
        value = getattr(item, attr.key, None)
        if isinstance(value, str) and has_control(value):
            label = LABELS.get(attr.key, attr.key)
            return _("“%(field)s”含有不可见的控制字符，请删除后再保存。", field=label)
    return None


def check(item: m.Model, adding: bool) -> str | None:
    """The message refusing this change, or None when it may be saved."""
    problem = _control_characters(item)
    if problem:
        return problem
    rule = CHECKS.get(type(item))
    return rule(item, adding) if rule else None
