"""The two forms of 倒排工期: schedule a project (preview, recompute, confirm) and re-plan.

Plain POST round-trips: every press of a button posts the whole form, the server
recomputes, and nothing is written before "确认生成任务" / "保存调整".
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from flask import request
from flask_appbuilder import BaseView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from . import chains, replan, status
from . import models as m
from .assignment import parse_date, row_id
from .chain_strip import chain_items, strip
from .chain_views import back_to_project, preview_strip, steps_from_form
from .extensions import db
from .scope import current_department_scope, in_scope, scope_clause
from .validation import DomainError


def departments() -> list[m.Department]:
    return list(db.session.scalars(
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
    mode = cast(str, form.get("mode")) if form.get("mode") in replan.MODES else "shift"
    chain = node.chain
    page: dict[str, Any] = {"node": node, "chain": chain, "form": form, "mode": mode, "plan": None,
            "error": None, "today": today,
            "strip": strip(chain.name, chain.target, today, chain_items(chain, cal))}
    code = 200
    if request.method == "POST":
        try:
            expected = parse_date(form.get("expected"), _("请填写新的预计完成日期。"))
            page["plan"] = replan.compute(node, expected, mode, today, cal)
            if form.get("action") == "save":
                approve = current_department_scope() is None
                count = replan.save(page["plan"], form.get("lag_reason", ""),
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
