"""办结销号 on the task's page (issue 16): the task's 销号 (who, when, on which accepted
feedback), the revoked ones with their reasons, and the office's revocation.

Closing is the office's review (an accepted 100 % feedback, app/domain/ledger.py); revoking
is the same office's act, so it needs edit on 反馈审核 (FeedbackReview). Rows come through
the one door (app/domain/access.py): a task out of the user's scope answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _

from app import models as m
from app.domain import access, ledger
from app.domain.validation import DomainError
from app.extensions import db
from app.web.office import EDIT, OfficeView


@dataclass(frozen=True)
class Closures:
    """A task's 销号 as its page shows them: the one in force, the revoked ones (newest
    first), and whether the user may revoke."""

    standing: m.TaskClosure | None
    revoked: list[m.TaskClosure]
    can_revoke: bool


def user_name(user: User | None) -> str:
    """A login as pages name it: the person's name, else the login (系统 for none)."""
    if user is None:
        return _("系统")
    return (user.first_name or "").strip() or user.username


def task_closures(pk: int | str | None) -> Closures | None:
    """The 销号 of a task the user may see (None when there is none to show)."""
    task_id = access.id_or_none(str(pk))
    if task_id is None:
        return None
    rows = db.session.scalars(access.scoped(m.TaskClosure, m.TaskClosure.task_id == task_id)
                              .order_by(m.TaskClosure.closed_at.desc(),
                                        m.TaskClosure.id.desc())).all()
    if not rows:
        return None
    standing = next((row for row in rows if row.revoked_at is None), None)
    return Closures(standing, [row for row in rows if row.revoked_at is not None],
                    access.current().may(access.EDIT, "FeedbackReview"))


class TaskClosureView(OfficeView):
    """撤销销号: the office reopens a closed task with a reason."""

    route_base = "/office/closure"
    resource = "FeedbackReview"
    method_permission_name = {"revoke": EDIT}
    default_view = "revoke"

    def create_blueprint(self, appbuilder, endpoint=None, static_folder=None):
        """FAB's blueprint, also giving templates `task_closures(pk)` and `user_name`."""
        blueprint = super().create_blueprint(appbuilder, endpoint, static_folder)
        blueprint.add_app_template_global(task_closures)
        blueprint.add_app_template_global(user_name, "closure_user")
        return blueprint

    @expose("/<int:pk>/revoke", methods=["POST"])
    @has_access
    def revoke(self, pk: int):
        """Revoke the task's 销号 with a reason; 4xx with the reason refused, nothing kept."""
        task = access.load(m.Task, pk)
        try:
            ledger.revoke_closure(task, request.form.get("reason"))
        except DomainError as error:
            db.session.rollback()
            return self.page("office/closure_refused.html", error.status, task=task,
                             error=error.message, title=_("撤销销号"))
        flash(_("已撤销销号，任务重新办理。"), "success")
        return redirect(url_for("TaskView.show", pk=pk))
