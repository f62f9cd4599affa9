"""问题清单 actions: escalate a problem to a coordinating leader, resolve it.

Each action refreshes the colour of the problem's project: an unresolved problem past
its deadline turns its project red (DESIGN.md, "Project colour").
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import models as m
from app.domain import access, ledger, status
from app.domain.access import current_department_scope
from app.domain.validation import DomainError
from app.extensions import appbuilder, db


def leaders() -> list[m.Person]:
    """The persons a problem may be escalated to: county-level leaders."""
    return list(db.session.scalars(
        select(m.Person).where(m.Person.is_leader.is_(True)).order_by(m.Person.name)))


def _parse_date(value: str | None, default: dt.date) -> dt.date:
    text = (value or "").strip()
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError(_("日期格式应为“年-月-日”，如 2026-05-01。")) from None


def may_handle(problem: m.Problem) -> bool:
    """The office (unscoped roles) and users whose scope holds the problem's own unit may act
    on it."""
    limit = current_department_scope()
    return limit is None or limit.covers(problem.department_id)


def load_problem(pk: int) -> m.Problem:
    """The problem with this id, within the user's scope; 404 otherwise."""
    return access.load(m.Problem, pk)


class ProblemActionView(BaseView):
    """Escalate and resolve a problem: the `can_edit` permission on Problem."""

    route_base = "/problems"
    class_permission_name = "Problem"
    method_permission_name = {"escalate": "edit", "resolve": "edit"}
    default_view = "escalate"

    def create_blueprint(self, appbuilder, endpoint=None, static_folder=None):
        """FAB's blueprint, also giving templates `problem_actions(pk)`."""
        blueprint = super().create_blueprint(appbuilder, endpoint, static_folder)
        blueprint.add_app_template_global(problem_actions)
        return blueprint

    @expose("/<int:pk>/escalate", methods=["GET", "POST"])
    @has_access
    def escalate(self, pk: int):
        problem = self._open(pk)
        if request.method == "POST":
            try:
                ledger.escalate_problem(problem, access.id_or_none(request.form.get("leader")))
            except DomainError as error:
                db.session.rollback()
                return self._form("problem_escalate.html", problem, error)
            leader = problem.coordinating_leader
            assert leader is not None  # escalate_problem set it
            flash(_("已提请%(leader)s协调。", leader=leader.name), "success")
            return redirect(url_for("ProblemView.show", pk=pk))
        return self._form("problem_escalate.html", problem)

    @expose("/<int:pk>/resolve", methods=["GET", "POST"])
    @has_access
    def resolve(self, pk: int):
        problem = self._open(pk)
        if request.method == "POST":
            today = status.today()
            try:
                resolved_on = _parse_date(request.form.get("resolved_on"), today)
                ledger.resolve_problem(problem, request.form.get("resolution", ""),
                                       resolved_on, today)
            except DomainError as error:
                db.session.rollback()
                return self._form("problem_resolve.html", problem, error)
            flash(_("问题已办结。"), "success")
            return redirect(url_for("ProblemView.show", pk=pk))
        return self._form("problem_resolve.html", problem)

    def _open(self, pk: int) -> m.Problem:
        problem = load_problem(pk)
        if not may_handle(problem):
            abort(403)
        return problem

    def _form(self, template: str, problem: m.Problem,
              error: DomainError | None = None) -> str | tuple[str, int]:
        db.session.rollback()  # nothing of a refused change stays in the session
        page = self.render_template(
            template, problem=problem, leaders=leaders(), error=error and error.message,
            title=TITLES[template], today=status.today(), form=request.form)
        return (page, error.status) if error else page


TITLES = {"problem_escalate.html": _l("提请领导协调"), "problem_resolve.html": _l("问题办结")}


def problem_actions(pk: int | str | None) -> list[tuple[str, str, str]]:
    """(label, url, button style) of the actions the user may take on a problem's page."""
    pk = access.id_or_none(str(pk))
    if pk is None or not appbuilder().sm.has_access("can_edit", "Problem"):
        return []
    problem = db.session.get(m.Problem, pk)
    if problem is None or problem.resolved_on is not None or not may_handle(problem):
        return []
    return [
        (_("提请领导协调"), url_for("ProblemActionView.escalate", pk=pk), "btn-warning"),
        (_("办结"), url_for("ProblemActionView.resolve", pk=pk), "btn-success"),
    ]
