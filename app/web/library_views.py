"""CRUD screens of the project library and its settings: meetings, projects, persons,
departments, node templates, holidays, compliance rows and circulars."""

from __future__ import annotations

from typing import Any

from flask import redirect, url_for
from flask_appbuilder.actions import action
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from wtforms.validators import NumberRange

from app import models as m
from app.domain import choices, tree
from app.domain.labels import LABELS
from app.domain.roles import METHOD_PERMISSIONS
from app.extensions import db
from app.files.chain_sheet import chain_sheet
from app.web.access import request_cache
from app.web.circular_pages import CircularFiles
from app.web.crud_base import interface
from app.web.crud_kit import (
    AUDIT,
    NOT_NEGATIVE,
    STATUS_COLOR_STYLE,
    TitledView,
    badge,
    percent,
)
from app.web.ledger_views import InvestmentReportView, ProblemView, TaskView
from app.web.login_tie import FREE_LOGIN, login_label
from app.web.paging import PagedInterface


class MeetingView(TitledView):
    datamodel = interface(m.Meeting)
    noun = _l("调度会")
    list_columns = ["held_on", "title", "chair"]
    show_columns = ["held_on", "title", "chair", "minutes", "projects", *AUDIT]
    add_columns = ["held_on", "title", "chair", "minutes", "projects"]
    edit_columns = add_columns
    search_columns = ["held_on", "title"]
    base_order = ("held_on", "desc")
    related_views = [TaskView]
    method_permission_name = {**METHOD_PERMISSIONS, "assign_tasks": "edit"}

    @action("assign", _l("交办任务"), icon="fa-tasks", multiple=False)
    def assign_tasks(self, item):
        """交办: the meeting's page, where the office assigns tasks from it."""
        return redirect(url_for("MeetingAssignView.meeting", pk=item.id))


class ProjectView(TitledView):
    datamodel = interface(m.Project)
    noun = _l("重点项目")
    list_columns = ["code", "name", "category", "stage", "lead_department",
                    "responsible_person", "total_investment", "status_color"]
    add_columns = ["code", "name", "category", "source", "industry", "stage", "list_level",
                   "total_investment", "annual_plan_investment", "planned_start",
                   "planned_end", "actual_start", "actual_end", "location", "content",
                   "lead_leader", "lead_department", "responsible_person", "funding"]
    edit_columns = add_columns
    show_columns = [*add_columns, "status_color", *AUDIT]
    search_columns = ["code", "name", "category", "stage", "list_level", "status_color",
                      "lead_department"]
    base_order = ("code", "asc")
    related_views = [TaskView, ProblemView, InvestmentReportView, MeetingView]
    formatters_columns = {"status_color": badge(choices.STATUS_COLOR, STATUS_COLOR_STYLE)}
    show_template = "project_show.html"  # with its 倒排工期 chains (issue 9)
    export_sheets = staticmethod(chain_sheet)  # and the chains' nodes in the export
    validators_columns = {"total_investment": [NOT_NEGATIVE],
                          "annual_plan_investment": [NOT_NEGATIVE]}


class PersonView(TitledView):
    datamodel = interface(m.Person)
    noun = _l("责任人")
    list_columns = ["name", "title", "department", "phone", "is_leader", "user"]
    add_columns = ["name", "title", "department", "phone", "email", "is_leader", "user"]
    edit_columns = add_columns
    show_columns = [*add_columns, *AUDIT]
    search_columns = ["name", "title", "department", "is_leader"]
    base_order = ("name", "asc")
    label_columns = {**LABELS, "name": _l("姓名"), "title": _l("职务")}  # as the Excel template
    # 登录账号: free logins only, listed as "李晓梅（lixm）" (app/web/login_tie.py)
    add_form_query_rel_fields = edit_form_query_rel_fields = {"user": FREE_LOGIN}
    description_columns = {"user": _l("可输入用户名或姓名查找；已关联其他责任人的账号不在其中。")}
    formatters_columns = {"user": lambda user: login_label(user) if user is not None else ""}

    def _init_forms(self) -> None:
        super()._init_forms()
        for form in (self.add_form, self.edit_form):
            field = getattr(form, "user", None)
            if field is not None:
                field.kwargs["get_label"] = login_label


def name_label(name: str) -> str:
    """A unit's name (names are unique) indented by its depth: the 责任单位 list's column
    (one query a request for every unit's depth)."""
    depths = request_cache("unit_depths")
    if not depths:
        parents = dict(db.session.execute(select(m.Department.id, m.Department.parent_id)).all())
        for unit, unit_name in db.session.execute(select(m.Department.id, m.Department.name)):
            depths[unit_name] = tree.depth_in(parents, unit)
    return tree.indented(name, depths.get(name, 0))


class TreeInterface(PagedInterface):
    """The 责任单位 list's data: by name is in tree order (each unit after the unit above
    it, siblings by name), the reverse order its mirror, as paging backwards needs."""

    def apply_order_by(self, query: Any, order_column: str, order_direction: str,
                       *args: Any, **kwargs: Any) -> Any:
        if order_column != "name":
            return super().apply_order_by(query, order_column, order_direction, *args,
                                          **kwargs)
        places = tree.positions()
        if not places:
            return query
        place = case(places, value=m.Department.id, else_=len(places))
        return query.order_by(place.desc() if order_direction == "desc" else place.asc())


class DepartmentView(TitledView):
    """责任单位, as a tree (issue 15): names indented by depth, with their 上级单位; moving a
    unit and everything under it is one edit of its 上级单位."""

    datamodel = TreeInterface(m.Department)
    noun = _l("责任单位")
    list_columns = ["name", "parent", "kind", "active"]
    add_columns = ["name", "parent", "kind", "active"]
    formatters_columns = {"name": name_label}
    edit_columns = add_columns
    show_columns = [*add_columns, *AUDIT]
    search_columns = ["name", "parent", "kind", "active"]
    base_order = ("name", "asc")
    related_views = [PersonView, TaskView]


class TemplateNodeView(TitledView):
    datamodel = interface(m.TemplateNode)
    noun = _l("模板节点")
    list_columns = ["template", "position", "title", "workdays", "department", "depends_on"]
    add_columns = ["template", "position", "title", "expected_outcome", "workdays",
                   "department", "depends_on"]
    edit_columns = add_columns
    show_columns = [*add_columns, *AUDIT]
    base_order = ("position", "asc")
    validators_columns = {"workdays": [NumberRange(min=1, message=_l("工期应至少为 1 个工作日。"))]}


class NodeTemplateView(TitledView):
    datamodel = interface(m.NodeTemplate)
    noun = _l("节点模板")
    list_columns = ["name", "description"]
    add_columns = ["name", "description"]
    edit_columns = add_columns
    show_columns = [*add_columns, *AUDIT]
    base_order = ("name", "asc")
    related_views = [TemplateNodeView]


class HolidayView(TitledView):
    datamodel = interface(m.Holiday)
    noun = _l("节假日")
    list_columns = ["day", "is_workday", "name"]
    add_columns = ["day", "is_workday", "name"]
    edit_columns = add_columns
    show_columns = [*add_columns, *AUDIT]
    search_columns = ["day", "is_workday"]
    base_order = ("day", "desc")
    list_template = "holiday_list.html"  # with the coverage warning and the prefill button


class ComplianceView(TitledView):
    datamodel = interface(m.Compliance)
    noun = _l("月度督查考核")
    base_permissions = ["can_read"]
    list_columns = ["period", "department", "dispatch_rate", "supervision_rate",
                    "implementation_rate", "feedback_rate", "tasks_overdue", "score",
                    "compliant"]
    show_columns = ["period", "department", "projects_in_scope", "projects_dispatched",
                    "tasks_open", "tasks_urged", "tasks_fed_back", "tasks_due",
                    "tasks_implemented", "tasks_overdue", "dispatch_rate", "supervision_rate",
                    "implementation_rate", "feedback_rate", "compliant", "score", "built_at"]
    search_columns = ["period", "department"]
    base_order = ("period", "desc")
    formatters_columns = {rate: percent for rate in ("dispatch_rate", "supervision_rate",
                                                     "implementation_rate", "feedback_rate")}


class CircularView(CircularFiles, TitledView):
    datamodel = interface(m.Circular)
    noun = _l("督查通报")
    base_permissions = ["can_read"]
    list_columns = ["period", "doc_number", "issued_on", "issued_by", "built_at"]
    show_columns = ["period", "doc_number", "issued_on", "issued_by", "built_at"]
    search_columns = ["period"]
    base_order = ("period", "desc")


# (category, category label, menu name, label, view) - the order of the menu
