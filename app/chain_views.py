"""倒排工期 pages: schedule a project from a template, re-plan a slipped node, the strip.

Who: the office (Admin, Supervisor) for every project; a department user for the projects
their department leads (app/scope.py). Every POST carries the CSRF token (CSRFProtect).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import cast

from flask import abort, flash, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from . import chains, replan, status
from . import models as m
from .assignment import row_id
from .chain_strip import Item, chain_strips, strip
from .extensions import appbuilder, db
from .node_templates import MAX_WORKDAYS
from .scope import current_department_scope, in_scope, scope_clause
from .validation import DomainError

RESOURCE = "ReverseSchedule"


def load_project(pk: int) -> m.Project:
    """The project, if its lead department is in the user's scope; 404 otherwise."""
    query = select(m.Project).where(m.Project.id == pk)
    department = current_department_scope()
    if department is not None:
        query = query.where(scope_clause(m.Project, department))
    project = db.session.scalar(query)
    if project is None:
        abort(404)
    return project


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


class ReverseScheduleView(BaseView):
    """倒排工期 and 调整计划: `can_read` to see the chains, `can_edit` to plan."""

    route_base = "/chains"
    default_view = "index"
    resource = RESOURCE
    class_permission_name = RESOURCE
    method_permission_name = {"index": "read", "schedule": "edit", "replan": "edit"}
    base_permissions = ["can_read", "can_edit"]

    def create_blueprint(self, appbuilder, endpoint=None, static_folder=None):
        """FAB's blueprint, also giving templates the project page's strip."""
        blueprint = super().create_blueprint(appbuilder, endpoint, static_folder)
        blueprint.add_app_template_global(project_chain_strips)
        blueprint.add_app_template_global(may_schedule)
        return blueprint

    @expose("/")
    @has_access
    def index(self):
        query = select(m.TaskChain).join(m.Project).order_by(m.TaskChain.id.desc()).limit(100)
        department = current_department_scope()
        if department is not None:
            query = query.where(scope_clause(m.Project, department))
        return self.render_template("chains/index.html", title=_l("倒排工期"),
                                    chains=list(db.session.scalars(query)))

    @expose("/project/<int:pk>/schedule", methods=["GET", "POST"])
    @has_access
    def schedule(self, pk: int):
        from .chain_schedule import schedule_page

        return schedule_page(self, load_project(pk))

    @expose("/task/<int:task_id>/replan", methods=["GET", "POST"])
    @has_access
    def replan(self, task_id: int):
        from .chain_schedule import replan_page

        task = load_task(task_id)
        node = replan.chain_node_of(task)
        if node is None:
            abort(404)
        return replan_page(self, node)


def load_task(task_id: int) -> m.Task:
    """A task of a chain whose project is in the user's scope; 404 otherwise."""
    task = db.session.get(m.Task, task_id)
    if task is None or task.project is None or not in_scope(task.project):
        abort(404)
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
