"""The supervision office's pages (督查室): assign at a meeting, review feedback, decide extensions.

Each page is a FAB BaseView with two permissions on its own resource: read (see the
page) and edit (act on it). Rows are loaded within the user's department scope; the
domain actions are those of app.domain.ledger, which commit once.
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from app import models as m
from app.domain import access, choices, ledger, status, tree
from app.domain.assignment import assignment_day, parse_workdays, task_from_form
from app.domain.save import save
from app.domain.validation import DomainError
from app.extensions import db

READ, EDIT = "read", "edit"
PAGE_SIZE = 50
ISSUER = _l("县委县政府督查室")




class OfficeView(BaseView):
    """A page of the office: its resource is its permission name and its menu resource."""

    resource = ""

    def __init__(self) -> None:
        self.class_permission_name = self.resource
        super().__init__()

    def may(self, permission: str) -> bool:
        """Whether the current user holds read or edit on this page's resource."""
        return self.appbuilder.sm.has_access(f"can_{permission}", self.class_permission_name)

    def page(self, template: str, code: int = 200, **context: object) -> tuple[str, int]:
        """A page of this view, with whether the user may act on it."""
        return self.render_template(template, can_act=self.may(EDIT), **context), code


class MeetingAssignView(OfficeView):
    """A meeting (调度会) and the tasks it assigns (交办)."""

    route_base = "/office/meeting"
    resource = "TaskAssignment"
    method_permission_name = {"meeting": READ, "deadline": READ, "assign": EDIT}
    default_view = "meeting"

    @expose("/<int:pk>")
    @has_access
    def meeting(self, pk: int):
        """The meeting, its projects, the tasks it assigned and the form to assign one."""
        return self._meeting_page(access.load(m.Meeting, pk))

    @expose("/<int:pk>/assign", methods=["POST"])
    @has_access
    def assign(self, pk: int):
        """Assign a task from the meeting; 422 and nothing saved on bad input."""
        meeting = access.load(m.Meeting, pk)
        try:
            task = task_from_form(meeting, request.form)
            save(task, adding=True)
        except DomainError as error:
            db.session.rollback()
            return self._meeting_page(meeting, error.message, error.status)
        flash(_("已交办任务“%(title)s”，时间节点 %(deadline)s。", title=task.title,
                deadline=task.deadline.isoformat()), "success")
        return redirect(url_for(".meeting", pk=pk))

    @expose("/<int:pk>/deadline")
    @has_access
    def deadline(self, pk: int):
        """JSON: the assignment day and the deadline N working days after it."""
        meeting = access.load(m.Meeting, pk)
        assigned_on = assignment_day(meeting, request.args.get("assigned_from"))
        try:
            workdays = parse_workdays(request.args.get("workdays"))
            deadline = ledger.deadline_within(assigned_on, workdays)
        except DomainError as error:
            return jsonify(message=error.message), error.status
        return jsonify(assigned_on=assigned_on.isoformat(), deadline=deadline.isoformat(),
                       workdays=workdays)

    def _meeting_page(self, meeting: m.Meeting, error: str | None = None,
                      code: int = 200) -> tuple[str, int]:
        tasks = db.session.scalars(access.scoped(m.Task, m.Task.meeting_id == meeting.id)
                                   .order_by(m.Task.deadline, m.Task.id)).all()
        own = {p.id for p in meeting.projects}
        projects = db.session.scalars(access.scoped(m.Project).order_by(m.Project.code)).all()
        departments = tree.tree_order(db.session.scalars(
            access.scoped(m.Department, m.Department.active.is_(True))
            .order_by(m.Department.name)))
        persons = db.session.scalars(access.scoped(
            m.Person, m.Person.department.has(m.Department.active.is_(True)))
            .order_by(m.Person.name)).all()
        return self.page(
            "office/meeting.html", code, meeting=meeting,
            tasks=tasks, departments=departments, persons=persons, error=error,
            meeting_projects=[p for p in projects if p.id in own],
            other_projects=[p for p in projects if p.id not in own],
            form=request.form if request.method == "POST" else {}, today=status.today(),
            task_status=lambda v: choices.label(choices.TASK_STATUS, v),
            title=_("调度会交办"))


class QueueView(OfficeView):
    """A queue of rows waiting for the office, oldest first, paged."""

    def rows(self, query: Select) -> tuple[list, dict]:
        """The current page of a query's rows, and the paging numbers."""
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(request.args.get("page", 1, type=int), 1), pages)
        found = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
        return found, {"page": page, "pages": pages, "total": total}


class FeedbackReviewView(QueueView):
    """审核: submitted feedback, accepted or returned with a comment."""

    route_base = "/office/review"
    resource = "FeedbackReview"
    method_permission_name = {"queue": READ, "review": EDIT}
    default_view = "queue"

    @expose("/")
    @has_access
    def queue(self):
        """The submitted feedback, oldest report first."""
        return self._queue()

    @expose("/<int:pk>", methods=["POST"])
    @has_access
    def review(self, pk: int):
        """Accept a feedback, or return it with a comment."""
        feedback = access.load(m.Feedback, pk)
        decision = request.form.get("decision")
        try:
            if decision not in ("accept", "return"):
                raise DomainError(_("请选择采纳或退回。"))
            ledger.review_feedback(feedback, decision == "accept", request.form.get("comment"))
        except DomainError as error:
            db.session.rollback()
            return self._queue(error.message, error.status, pk)
        message = _("已采纳反馈。") if decision == "accept" else _("已退回反馈。")
        flash(message, "success")
        return redirect(url_for(".queue", page=request.args.get("page", 1, type=int)))

    def _queue(self, error: str | None = None, code: int = 200,
               failed: int | None = None) -> tuple[str, int]:
        query = access.scoped(m.Feedback, m.Feedback.review_status == "submitted").order_by(
            m.Feedback.reported_on, m.Feedback.id)
        rows, paging = self.rows(query)
        return self.page("office/review.html", code, rows=rows, paging=paging, error=error,
                         failed=failed, form=request.form, title=_("反馈审核"))


class ExtensionApprovalView(QueueView):
    """延期审批: pending extension requests, approved or rejected."""

    route_base = "/office/extensions"
    resource = "ExtensionApproval"
    method_permission_name = {"pending": READ, "decide": EDIT}
    default_view = "pending"

    @expose("/")
    @has_access
    def pending(self):
        """The pending requests, oldest first."""
        return self._pending()

    @expose("/<int:pk>", methods=["POST"])
    @has_access
    def decide(self, pk: int):
        """Approve (the deadline moves, the original stays) or reject a request."""
        extension = access.load(m.Extension, pk)
        decision = request.form.get("decision")
        try:
            if decision not in ("approve", "reject"):
                raise DomainError(_("请选择批准或驳回。"))
            ledger.decide_extension(extension, decision == "approve",
                                    request.form.get("comment"),
                                    late_confirmed=request.form.get("late") == "1")
        except DomainError as error:
            db.session.rollback()
            return self._pending(error.message, error.status, pk)
        message = _("已批准延期。") if decision == "approve" else _("已驳回延期申请。")
        flash(message, "success")
        return redirect(url_for(".pending", page=request.args.get("page", 1, type=int)))

    def _pending(self, error: str | None = None, code: int = 200,
                 failed: int | None = None) -> tuple[str, int]:
        query = access.scoped(m.Extension, m.Extension.decision == "pending").order_by(
            m.Extension.requested_on, m.Extension.id)
        rows, paging = self.rows(query)
        today = status.today()
        return self.page("office/extensions.html", code, rows=rows, paging=paging, error=error,
                         failed=failed, form=request.form, today=today, title=_("延期审批"))
