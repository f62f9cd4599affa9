"""CRUD screens of the ledger: tasks, feedback, reminders, extensions, investment, problems."""

from __future__ import annotations

from flask import g, redirect, url_for
from flask_appbuilder.actions import action
from flask_babel import lazy_gettext as _l
from sqlalchemy import literal_column

from app import models as m
from app.domain import choices, plausibility
from app.domain.roles import METHOD_PERMISSIONS
from app.domain.validation import DomainError
from app.web import escalation_badge
from app.web.crud_base import interface
from app.web.crud_kit import (
    AUDIT,
    NOT_NEGATIVE,
    PERCENT,
    TASK_STATUS_STYLE,
    TitledView,
    badge,
)
from app.web.investment_check import DOUBT, DoubtInterface, confirm_field, doubt_badge


class FeedbackView(TitledView):
    datamodel = interface(m.Feedback)
    noun = _l("进展反馈")
    list_columns = ["task", "reported_on", "percent_complete", "review_status", "progress"]
    # the export carries what the office files: whose task, and how it was reviewed
    export_columns = ["task", "task.department", "reported_on", "percent_complete",
                      "review_status", "review_comment", "progress"]
    label_columns = {**TitledView.label_columns, "task.department": _l("责任单位")}
    show_columns = ["task", "reported_on", "progress", "percent_complete", "problems",
                    "next_steps", "review_status", "review_comment", *AUDIT]
    add_columns = ["task", "reported_on", "progress", "percent_complete", "problems",
                   "next_steps"]
    edit_columns = [*add_columns, "review_status", "review_comment"]
    search_columns = ["reported_on", "review_status", "progress"]
    base_order = ("reported_on", "desc")
    validators_columns = {"percent_complete": [PERCENT]}
    show_template = "feedback_show.html"  # with its attachments (形象进度 photos)


class SupervisionView(TitledView):
    datamodel = interface(m.Supervision)
    noun = _l("督促记录")
    list_columns = ["task", "sent_on", "channel", "kind", "level", "message"]
    show_columns = ["task", "sent_on", "channel", "kind", "level", "message", *AUDIT]
    add_columns = ["task", "sent_on", "channel", "kind", "message"]
    edit_columns = add_columns
    search_columns = ["sent_on", "channel", "kind"]
    base_order = ("sent_on", "desc")
    formatters_columns = {"level": escalation_badge.badge}


class ExtensionView(TitledView):
    datamodel = interface(m.Extension)
    noun = _l("延期申请")
    list_columns = ["task", "requested_on", "new_deadline", "decision", "reason"]
    show_columns = ["task", "requested_on", "new_deadline", "reason", "decision", "decided_on",
                    "decision_comment", "overdue_days_served", *AUDIT]
    add_columns = ["task", "requested_on", "new_deadline", "reason"]
    edit_columns = [*add_columns, "decision"]
    search_columns = ["requested_on", "decision"]
    base_order = ("requested_on", "desc")


# issue 18.7: 任务台账 opens with the open tasks first, each part by deadline
# (app/tables/ledger.py: the same SQL as the index ix_task_open_first, which serves it)
OPEN_FIRST = {"open_first": [literal_column(m.OPEN_FIRST_SQL.replace("status", "task.status")),
                             m.Task.deadline]}


class TaskView(TitledView):
    datamodel = interface(m.Task, OPEN_FIRST)
    noun = _l("任务台账")
    list_columns = ["title", "project", "department", "person", "deadline",
                    "original_deadline", "status", "overdue_days", "escalation_level"]
    show_columns = ["title", "project", "meeting", "expected_outcome", "department", "person",
                    "assigned_on", "deadline", "original_deadline", "done_on", "cancelled",
                    "status", "overdue_days", "escalation_level", "lag_reason", "measures",
                    *AUDIT]
    add_columns = ["title", "project", "meeting", "expected_outcome", "department", "person",
                   "assigned_on", "deadline"]
    edit_columns = ["title", "project", "meeting", "expected_outcome", "department", "person",
                    "assigned_on", "deadline", "done_on", "cancelled", "lag_reason", "measures"]
    search_columns = ["title", "department", "status", "escalation_level", "deadline",
                      "assigned_on"]
    base_order = ("open_first", "asc")
    related_views = [FeedbackView, SupervisionView, ExtensionView]
    formatters_columns = {"status": badge(choices.TASK_STATUS, TASK_STATUS_STYLE),
                          "escalation_level": escalation_badge.badge}
    method_permission_name = {**METHOD_PERMISSIONS, "urge": "edit"}
    show_template = "task_show.html"  # with its 办结销号 and the office's 撤销 (issue 16)

    @action("urge", _l("督促"), icon="fa-bullhorn")
    def urge(self, items):
        """督促: the chosen tasks (in scope: ScopedModelView checks) on the office's form."""
        tasks = items if isinstance(items, list) else [items]
        return redirect(url_for("UrgeView.urge_form", task=[t.id for t in tasks]))


class InvestmentReportView(TitledView):
    """投资月报 as the office reviews it: an implausible amount is marked, and a form saves one
    only with 数额无误 ticked (issue 18.5)."""

    datamodel = DoubtInterface(m.InvestmentReport)
    noun = _l("投资月报")
    list_columns = ["project", "period", "amount", DOUBT]
    export_columns = ["project", "period", "amount"]
    label_columns = {**TitledView.label_columns, DOUBT: _l("核对"),
                     "confirm": _l("数额无误，确认保存")}
    formatters_columns = {DOUBT: doubt_badge}
    show_columns = ["project", "period", "amount", *AUDIT]
    add_columns = ["project", "period", "amount", "confirm"]
    edit_columns = add_columns
    add_form_extra_fields = {"confirm": confirm_field()}
    edit_form_extra_fields = {"confirm": confirm_field()}
    search_columns = ["period"]
    base_order = ("period", "desc")
    validators_columns = {"amount": [NOT_NEGATIVE]}

    def _guarded(self, item: m.InvestmentReport, adding: bool) -> None:
        super()._guarded(item, adding)
        try:
            plausibility.confirm_investment(item, bool(getattr(item, "confirm", False)), adding)
        except DomainError as error:
            g.domain_error = error
            raise


class ProblemView(TitledView):
    datamodel = interface(m.Problem)
    noun = _l("问题清单")
    list_columns = ["description", "project", "category", "department", "deadline",
                    "resolved_on"]
    show_columns = ["project", "description", "category", "raised_on", "department",
                    "person", "deadline", "coordinating_leader", "resolved_on", "resolution",
                    *AUDIT]
    add_columns = ["project", "description", "category", "raised_on", "department", "person",
                   "deadline", "coordinating_leader"]
    edit_columns = [*add_columns, "resolved_on", "resolution"]
    search_columns = ["description", "category", "deadline", "resolved_on"]
    base_order = ("raised_on", "desc")
    show_template = "problem_show.html"  # with the escalate and resolve buttons


