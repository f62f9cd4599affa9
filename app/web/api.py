"""The REST API: one resource per table of DESIGN.md, under /api/v1/<table>/.

Each resource names the columns it lists, shows, adds and edits (ScopedApi refuses one that
leaves a list to FAB); a relation answers as its row's reference and Person's login as its
display name (app/web/api_schema.py)."""

from __future__ import annotations

from flask import g, request
from marshmallow.validate import Range

from app import models as m
from app.domain import plausibility
from app.web.api_base import ScopedApi
from app.web.crud_base import interface

AUDIT = ["created_on", "changed_on"]


class DepartmentApi(ScopedApi):
    resource_name = "department"
    datamodel = interface(m.Department)
    list_columns = show_columns = ["id", "name", "parent", "kind", "active", *AUDIT]
    add_columns = edit_columns = ["name", "parent", "kind", "active"]


class PersonApi(ScopedApi):
    resource_name = "person"
    datamodel = interface(m.Person)
    list_columns = show_columns = ["id", "name", "title", "department", "phone", "email",
                                   "is_leader", "user", *AUDIT]
    add_columns = edit_columns = ["name", "title", "department", "phone", "email", "is_leader",
                                  "user"]


PROJECT_FIELDS = ["code", "name", "category", "source", "industry", "stage", "list_level",
                  "total_investment", "annual_plan_investment", "planned_start", "planned_end",
                  "actual_start", "actual_end", "location", "content", "lead_leader",
                  "lead_department", "responsible_person", "funding"]


class ProjectApi(ScopedApi):
    resource_name = "project"
    datamodel = interface(m.Project)
    list_columns = show_columns = ["id", *PROJECT_FIELDS, "status_color", *AUDIT]
    add_columns = edit_columns = PROJECT_FIELDS
    validators_columns = {"total_investment": Range(min=0),
                          "annual_plan_investment": Range(min=0)}


def confirm_flag() -> bool:
    """Whether the client confirms an implausible amount (issue 18.5): "confirm": true in the
    body (taken out before the schema, which knows no such column) or ?confirm=1."""
    body = request.get_json(silent=True)
    sent = body.pop("confirm", None) if isinstance(body, dict) else None
    return sent is True or request.args.get("confirm", "").lower() in ("1", "true")


CONFIRM_PARAMETER = {
    "in": "query", "name": "confirm", "required": False,
    "schema": {"type": "string", "enum": ["1", "true"]},
    "description": "An amount above the project's remaining annual plan, or above half of it "
                   "in one month, is refused (422, needs_confirmation) until confirmed: "
                   "?confirm=1, or \"confirm\": true in the body."}


class InvestmentReportApi(ScopedApi):
    """投资月报; an amount above the remaining annual plan, or above half of it in a month,
    is a 422 with the figure in words until the client sends the confirm flag."""

    resource_name = "investment_report"
    datamodel = interface(m.InvestmentReport)
    list_columns = show_columns = ["id", "project", "period", "amount", *AUDIT]
    add_columns = edit_columns = ["project", "period", "amount"]
    validators_columns = {"amount": Range(min=0)}

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        """The document's POST and PUT take the confirm flag (as ?confirm=1)."""
        super().operation_helper(path, operations, methods, func, **kwargs)
        if func.__name__ in ("post", "put"):
            for spec in operations.values():
                spec.setdefault("parameters", []).append(CONFIRM_PARAMETER)

    def post_headless(self):
        g.investment_confirmed = confirm_flag()
        return super().post_headless()

    def put_headless(self, pk):
        g.investment_confirmed = confirm_flag()
        return super().put_headless(pk)

    def pre_add(self, item: m.InvestmentReport) -> None:
        super().pre_add(item)
        plausibility.confirm_investment(item, g.get("investment_confirmed", False), adding=True)

    def pre_update(self, item: m.InvestmentReport) -> None:
        super().pre_update(item)
        plausibility.confirm_investment(item, g.get("investment_confirmed", False), adding=False)


class MeetingApi(ScopedApi):
    resource_name = "meeting"
    datamodel = interface(m.Meeting)
    list_columns = show_columns = ["id", "held_on", "title", "chair", "minutes", "projects",
                                   *AUDIT]
    add_columns = edit_columns = ["held_on", "title", "chair", "minutes", "projects"]


class TaskApi(ScopedApi):
    resource_name = "task"
    datamodel = interface(m.Task)
    list_columns = show_columns = [
        "id", "project", "meeting", "title", "expected_outcome", "department", "person",
        "assigned_on", "deadline", "original_deadline", "done_on", "cancelled", "lag_reason",
        "measures", "status", "overdue_days", *AUDIT]
    add_columns = ["project", "meeting", "title", "expected_outcome", "department", "person",
                   "assigned_on", "deadline"]
    edit_columns = [*add_columns, "done_on", "cancelled", "lag_reason", "measures"]


class ExtensionApi(ScopedApi):
    resource_name = "extension"
    datamodel = interface(m.Extension)
    list_columns = show_columns = ["id", "task", "requested_on", "new_deadline", "reason",
                                   "decision", *AUDIT]
    add_columns = ["task", "requested_on", "new_deadline", "reason"]
    edit_columns = [*add_columns, "decision"]


class FeedbackApi(ScopedApi):
    resource_name = "feedback"
    datamodel = interface(m.Feedback)
    list_columns = show_columns = ["id", "task", "reported_on", "progress", "percent_complete",
                                   "problems", "next_steps", "review_status", "review_comment",
                                   *AUDIT]
    add_columns = ["task", "reported_on", "progress", "percent_complete", "problems",
                   "next_steps"]
    edit_columns = [*add_columns, "review_status", "review_comment"]
    validators_columns = {"percent_complete": Range(min=0, max=100)}


class SupervisionApi(ScopedApi):
    resource_name = "supervision"
    datamodel = interface(m.Supervision)
    list_columns = show_columns = ["id", "task", "sent_on", "channel", "kind", "message", *AUDIT]
    add_columns = edit_columns = ["task", "sent_on", "channel", "kind", "message"]


class ProblemApi(ScopedApi):
    resource_name = "problem"
    datamodel = interface(m.Problem)
    fields = ["project", "description", "category", "raised_on", "department", "person",
              "deadline", "resolved_on", "resolution", "coordinating_leader"]
    list_columns = show_columns = ["id", *fields, *AUDIT]
    add_columns = edit_columns = fields


class NodeTemplateApi(ScopedApi):
    resource_name = "node_template"
    datamodel = interface(m.NodeTemplate)
    list_columns = show_columns = ["id", "name", "description", *AUDIT]
    add_columns = edit_columns = ["name", "description"]


class TemplateNodeApi(ScopedApi):
    resource_name = "template_node"
    datamodel = interface(m.TemplateNode)
    fields = ["template", "position", "title", "expected_outcome", "workdays", "department",
              "depends_on"]
    list_columns = show_columns = ["id", *fields, *AUDIT]
    add_columns = edit_columns = fields
    validators_columns = {"workdays": Range(min=1)}


class HolidayApi(ScopedApi):
    resource_name = "holiday"
    datamodel = interface(m.Holiday)
    list_columns = show_columns = ["id", "day", "is_workday", "name", *AUDIT]
    add_columns = edit_columns = ["day", "is_workday", "name"]


class ComplianceApi(ScopedApi):
    resource_name = "compliance"
    datamodel = interface(m.Compliance)
    base_permissions = ["can_read"]
    list_columns = show_columns = [
        "id", "period", "department", "projects_in_scope", "projects_dispatched", "tasks_open",
        "tasks_urged", "tasks_fed_back", "tasks_due", "tasks_implemented", "tasks_overdue",
        "dispatch_rate", "supervision_rate", "implementation_rate", "feedback_rate",
        "compliant", "score", "built_at"]
    add_columns = edit_columns = []  # written by the compliance job only
    search_columns = ["period", "department"]


class CircularApi(ScopedApi):
    resource_name = "circular"
    datamodel = interface(m.Circular)
    base_permissions = ["can_read"]
    list_columns = show_columns = ["id", "period", "doc_number", "issued_on", "issued_by",
                                   "built_at", "data"]
    add_columns = edit_columns = []  # written by the circular job only


APIS = [DepartmentApi, PersonApi, ProjectApi, InvestmentReportApi, MeetingApi, TaskApi,
        ExtensionApi, FeedbackApi, SupervisionApi, ProblemApi, NodeTemplateApi,
        TemplateNodeApi, HolidayApi, ComplianceApi, CircularApi]
