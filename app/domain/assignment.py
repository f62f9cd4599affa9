"""Assigning a task at a meeting (交办): the form's input checked into a new task."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flask_babel import gettext as _

from app import models as m
from app.domain import access, ledger, status
from app.domain.access import in_scope
from app.domain.labels import LABELS
from app.domain.save import guard_write
from app.domain.validation import DomainError
from app.extensions import db

MAX_WORKDAYS = 500  # 限时办结 beyond two working years is a typing error


def row_id(raw: object) -> int | None:
    """An id sent in a form or a URL, or None when it cannot be one."""
    return access.id_or_none(raw)


def parse_date(raw: str | None, missing: str) -> dt.date:
    """A date typed as YYYY-MM-DD, or a DomainError."""
    text = (raw or "").strip()
    if not text:
        raise DomainError(missing)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError(_("日期格式应为“年-月-日”，如 2026-05-12。")) from None


def parse_workdays(raw: str | None) -> int:
    """限时办结: a whole number of working days, 1 to MAX_WORKDAYS."""
    try:
        workdays = int((raw or "").strip())
    except ValueError:
        raise DomainError(_("请填写办结时限（工作日数，整数）。")) from None
    if workdays > MAX_WORKDAYS:
        raise DomainError(_("办结时限不能超过 %(max)s 个工作日。", max=MAX_WORKDAYS))
    return workdays


def pick(model: type, raw: str | None, field: str, required: bool) -> m.Model | None:
    """A row chosen in a drop-down, in scope; a DomainError if missing or unknown."""
    if not (raw or "").strip():
        if required:
            raise DomainError(_("请选择“%(field)s”。", field=LABELS[field]))
        return None
    pk = row_id(raw)
    row = db.session.get(model, pk) if pk is not None else None
    if row is None or not in_scope(row):
        raise DomainError(_("所选的“%(field)s”不存在或不在本单位范围内。", field=LABELS[field]))
    return row


def assignment_day(meeting: m.Meeting, chosen: str | None) -> dt.date:
    """The day a task is assigned: the meeting's date, or today when the user says so."""
    return status.today() if chosen == "today" else meeting.held_on


def assignment_deadline(form: Mapping[str, str], assigned_on: dt.date) -> dt.date:
    """The deadline typed as a date, or computed as within N working days (限时办结)."""
    if form.get("deadline_mode") == "workdays":
        return ledger.deadline_within(assigned_on, parse_workdays(form.get("workdays")))
    return parse_date(form.get("deadline"), _("请填写时间节点。"))


def task_from_form(meeting: m.Meeting, form: Mapping[str, str]) -> m.Task:
    """A new task assigned at a meeting, checked; not yet in the session."""
    title = (form.get("title") or "").strip()
    if not title:
        raise DomainError(_("请填写任务标题。"))
    department = pick(m.Department, form.get("department"), "department", required=True)
    person = pick(m.Person, form.get("person"), "person", required=False)
    assert department is not None  # required: pick raised if missing
    if person is not None and person.department_id != department.id:
        raise DomainError(_("所选责任人不属于该责任单位。"))
    project = pick(m.Project, form.get("project"), "project", required=False)
    assigned_on = assignment_day(meeting, form.get("assigned_from"))
    deadline = assignment_deadline(form, assigned_on)
    task = m.Task(title=title, expected_outcome=(form.get("expected_outcome") or "").strip()
                  or None, department=department, person=person, project=project,
                  meeting=meeting, assigned_on=assigned_on, deadline=deadline,
                  original_deadline=deadline)
    guard_write(task, adding=True)  # the task rules every form and the API share
    return task
