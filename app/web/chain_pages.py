"""倒排工期 pages: schedule a project from a template, re-plan a slipped node, the strip.

Who: the office (Admin, Supervisor) for every project; a department user for the projects
their department leads (app/domain/scope.py). Every POST carries the CSRF token (CSRFProtect).
"""

from __future__ import annotations

from flask import abort
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import models as m
from app.domain import chain_replan
from app.domain.access import current_department_scope
from app.domain.scope import scope_clause
from app.extensions import db
from app.web.chain_forms import (
    RESOURCE,
    load_project,
    load_task,
    may_schedule,
    project_chain_strips,
    replan_page,
    schedule_page,
)


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
        return schedule_page(self, load_project(pk))

    @expose("/task/<int:task_id>/replan", methods=["GET", "POST"])
    @has_access
    def replan(self, task_id: int):
        task = load_task(task_id)
        node = chain_replan.chain_node_of(task)
        if node is None:
            abort(404)
        return replan_page(self, node)
