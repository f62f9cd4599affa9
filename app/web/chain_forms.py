"""The two forms of 倒排工期: schedule a project (preview, recompute, confirm) and re-plan.

Plain POST round-trips: every press of a button posts the whole form, the server
recomputes, and nothing is written before "确认生成任务" / "保存调整".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from typing import Any, cast

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import models as m
from app.domain import access, chain_replan, chains, status, tree
from app.domain.access import current_department_scope, in_scope
from app.domain.assignment import parse_date, row_id
from app.domain.node_templates import MAX_WORKDAYS
from app.domain.scope import scope_clause
from app.domain.validation import DomainError
from app.extensions import appbuilder, db
from app.reports.chain_strip import Item, chain_items, chain_strips, strip


def departments() -> list[m.Department]:
    return tree.tree_order(db.session.scalars(
        select(m.Department).where(m.Department.active.is_(True)).order_by(m.Department.name)))


def persons_by_department() -> dict[int, list[m.Person]]:
    """The persons the user may choose, by department."""
    query = select(m.Person).order_by(m.Person.name)
    department = current_department_scope()
    if department is not None:
        query = query.where(scope_clause(m.Person, department))
    grouped: dict[int, list[m.Person]] = defaultdict(list)
    for person in db.session.scalars(query):
        grouped[person.department_id].append(person)
    return grouped


def _chosen_template(templates: list[m.NodeTemplate], form: dict) -> m.NodeTemplate:
    wanted = row_id(form.get("template") or templates[0].id)
    for template in templates:
        if template.id == wanted:
            return template
    raise DomainError(_("所选的节点模板不存在。"), 404)


def schedule_page(view: BaseView, project: m.Project):
    """倒排工期 of one project: the form, its preview, and the confirmation."""
    today = status.today()
    posted = request.method == "POST"
    form = request.form if posted else request.args
    page: dict[str, Any] = {
        "project": project, "templates": chains.templates(), "today": today, "form": form,
        "steps": [], "strip": None, "warning": None, "error": None, "chosen": None,
        "departments": departments(), "persons": persons_by_department()}
    if not page["templates"]:
        page["error"] = _("还没有可用的节点模板，请先在“节点模板”中建立模板及其节点。")
        return view.render_template("chains/schedule.html", title=_l("倒排工期"), **page)
    code = 200
    try:
        template = page["chosen"] = _chosen_template(page["templates"], form)
        page["steps"] = chains.steps_of(template)
        default = project.planned_start.isoformat() if project.planned_start else ""
        raw_target = form.get("target", default)
        if not raw_target.strip() and not posted:
            return view.render_template("chains/schedule.html", title=_l("倒排工期"), **page)
        target = parse_date(raw_target, _("请填写目标日期。"))
        page["steps"] = steps_from_form(template, form)
        steps, result = chains.plan(page["steps"], target, today, status.calendar())
        page["steps"], page["warning"] = steps, chains.shortfall_message(result)
        page["strip"] = preview_strip(template.name, target, today, steps)
        if posted and form.get("action") == "confirm":
            if page["warning"]:
                raise DomainError(page["warning"])
            chains.check_people(steps, in_scope)
            chains.create_chain(project, template, target, steps, today)
            return back_to_project(project.id, _("已按“%(name)s”倒排生成 %(count)d 项任务。",
                                                 name=template.name, count=len(steps)))
    except DomainError as error:
        db.session.rollback()
        page["error"] = error.message
        code = error.status if posted else 200
    return view.render_template("chains/schedule.html", title=_l("倒排工期"), **page), code


def replan_page(view: BaseView, node: m.ChainNode):
    """调整计划 from a slipped node: preview either option, then save it."""
    today, cal = status.today(), status.calendar()
    form = request.form
    mode = cast(str, form.get("mode")) if form.get("mode") in chain_replan.MODES else "shift"
    chain = node.chain
    page: dict[str, Any] = {
        "node": node, "chain": chain, "form": form, "mode": mode, "plan": None, "error": None,
        "today": today, "strip": strip(chain.name, chain.target, today, chain_items(chain, cal))}
    code = 200
    if request.method == "POST":
        try:
            expected = parse_date(form.get("expected"), _("请填写新的预计完成日期。"))
            page["plan"] = chain_replan.compute(node, expected, mode, today, cal)
            if form.get("action") == "save":
                approve = current_department_scope() is None
                count = chain_replan.save(page["plan"], form.get("lag_reason", ""),
                                    form.get("measures", ""), today, approve)
                return back_to_project(chain.project_id, saved_message(mode, approve, count))
        except DomainError as error:
            db.session.rollback()
            page["error"], code = error.message, error.status
    return view.render_template("chains/replan.html", title=_l("调整计划"), **page), code


def saved_message(mode: str, approve: bool, count: int) -> str:
    if mode == "keep":
        return _("已记录滞后原因和整改措施；%(count)d 个后续节点压缩工期，目标日期不变。",
                 count=count)
    if approve:
        return _("已记录滞后原因和整改措施；%(count)d 个后续节点的时间节点已顺延，"
                 "原定时间节点保留。", count=count)
    return _("已记录滞后原因和整改措施；已为 %(count)d 个后续节点提交延期申请，待督查室审批。",
             count=count)


RESOURCE = "ReverseSchedule"


def load_project(pk: int) -> m.Project:
    """The project, if its lead department is in the user's scope; 404 otherwise."""
    return access.load(m.Project, pk)


def may_schedule() -> bool:
    return appbuilder().sm.has_access("can_edit", RESOURCE)


def _workdays(raw: str | None, step: chains.Step) -> int:
    if raw is None or not raw.strip():
        return step.workdays
    try:
        value = int(raw.strip())
    except ValueError:
        raise DomainError(_("“%(node)s”的工期应为整数个工作日。", node=step.title)) from None
    if value < 1:
        raise DomainError(_("“%(node)s”的工期应至少为 1 个工作日。", node=step.title))
    if value > MAX_WORKDAYS:
        raise DomainError(_("“%(node)s”的工期不能超过 %(max)d 个工作日。", node=step.title,
                            max=MAX_WORKDAYS))
    return value


def steps_from_form(template: m.NodeTemplate, form: dict) -> list[chains.Step]:
    """The template's nodes, with the department, person and duration the user set."""
    out = []
    for step in chains.steps_of(template):
        dept = form.get(f"department-{step.key}")
        person = form.get(f"person-{step.key}")
        out.append(replace(
            step, workdays=_workdays(form.get(f"workdays-{step.key}"), step),
            department_id=row_id(dept) if dept is not None else step.department_id,
            person_id=row_id(person) if person else None))
    return out


def preview_strip(name: str, target: dt.date, today: dt.date,
                  steps: list[chains.Step]) -> object:
    names = dict(db.session.execute(select(m.Department.id, m.Department.name)).all())
    people = {}
    ids = [s.person_id for s in steps if s.person_id]
    if ids:
        people = dict(db.session.execute(
            select(m.Person.id, m.Person.name).where(m.Person.id.in_(ids))).all())
    return strip(name, target, today, [
        Item(s.title, names.get(s.department_id, ""), people.get(s.person_id, ""),
             cast(dt.date, s.start), cast(dt.date, s.deadline), cast(dt.date, s.deadline),
             "pending") for s in steps])  # planned steps: their dates are set


def load_task(task_id: int) -> m.Task:
    """A task of a chain whose project is in the user's scope; 404 otherwise."""
    task = access.load(m.Task, task_id)
    if task.project is None:
        raise access.NotFound()
    return task


def project_chain_strips(pk: int | str | None) -> list:
    """The strips of a project's chains, for its page (the project is in scope there)."""
    pk = row_id(pk)
    if pk is None:
        return []
    return chain_strips(chains.project_chains(pk), status.today(), status.calendar())


def back_to_project(project_id: int, message: str):
    flash(message, "success")
    return redirect(url_for("ProjectView.show", pk=project_id))
