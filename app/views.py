"""CRUD screens: configuration over the base classes in viewbase.py."""

from __future__ import annotations

from flask import redirect, url_for
from flask_appbuilder import IndexView
from flask_appbuilder.actions import action
from flask_appbuilder.api.manager import OpenApi
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterNotEqual, SQLAFilterConverter
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms.validators import NumberRange

from . import choices
from . import models as m
from .attachment_views import ATTACHMENT_VIEWS
from .audit_views import AuditLogView
from .calendar_views import HolidayCalendarView
from .chain_strip import chain_sheet
from .chain_views import ReverseScheduleView
from .circular_views import CircularFiles
from .dashboard import DashboardView
from .excel_views import ExcelImportView
from .jobs_api import JobApi
from .jobs_views import JobRunView
from .labels import LABELS, choices_for
from .my_investment import MyInvestmentView
from .my_ledger import MyLedgerView
from .notifications import NotificationView
from .office import HIDDEN_PAGES, ExtensionApprovalView, FeedbackReviewView
from .problems import ProblemActionView
from .reports import ComplianceReportView
from .security import METHOD_PERMISSIONS
from .viewbase import ScopedModelView, interface

NOT_NEGATIVE = NumberRange(min=0, message=_l("不能为负数。"))
PERCENT = NumberRange(min=0, max=100, message=_l("完成百分比应在 0 到 100 之间。"))
AUDIT = ["created_by", "created_on", "changed_by", "changed_on"]


class HomeView(IndexView):
    index_template = "home.html"


# Bootstrap 3 label styles of the status choices (FAB's theme is Bootstrap 3)
TASK_STATUS_STYLE = {"pending": "primary", "due_soon": "warning", "overdue": "danger",
                     "done_on_time": "success", "done_late": "info", "cancelled": "default"}
STATUS_COLOR_STYLE = {"green": "success", "yellow": "warning", "red": "danger"}


def badge(options: dict, styles: dict):
    """A formatter showing a choice as a coloured label with its translated text."""

    def show(value: str | None) -> Markup | str:
        if value is None:
            return ""
        style = styles.get(value, "default")
        return Markup('<span class="label label-{}">{}</span>').format(
            style, choices.label(options, value))

    return show


def percent(rate: float | None) -> str:
    """A rate from 0 to 1 as a percentage with one decimal; a null rate as a dash."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


class ChoiceFilterConverter(SQLAFilterConverter):
    """Search filters: a choice column (a drop-down of its labels) compares by equality only."""

    def convert(self, col_name: str) -> list | None:
        if choices_for(self.datamodel.obj.__tablename__, col_name) is not None:
            return [FilterEqual(col_name, self.datamodel), FilterNotEqual(col_name, self.datamodel)]
        return super().convert(col_name)


class SearchFilters(Filters):
    """FAB's filters; a filter index in the URL that does not exist is ignored, not a 500."""

    def add_filter_index(self, column_name: str, filter_instance_index: int, value: object):
        options = self._all_filters.get(column_name, [])
        if 0 <= filter_instance_index < len(options):
            self._add_filter(options[filter_instance_index], value)


class TitledView(ScopedModelView):
    """Titles built from one noun, so no page shows FAB's English "List Task"."""

    noun = _l("记录")

    def __init__(self, **kwargs) -> None:
        self.list_title = self.list_title or self.noun
        self.show_title = _l("查看%(noun)s", noun=self.noun)
        self.add_title = _l("新增%(noun)s", noun=self.noun)
        self.edit_title = _l("编辑%(noun)s", noun=self.noun)
        super().__init__(**kwargs)

    def _init_properties(self) -> None:
        super()._init_properties()
        self._filters = SearchFilters(ChoiceFilterConverter, self.datamodel, self.search_columns)

    list_title = None


class FeedbackView(TitledView):
    datamodel = interface(m.Feedback)
    noun = _l("进展反馈")
    list_columns = ["task", "reported_on", "percent_complete", "review_status", "progress"]
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
    list_columns = ["task", "sent_on", "channel", "kind", "message"]
    show_columns = ["task", "sent_on", "channel", "kind", "message", *AUDIT]
    add_columns = ["task", "sent_on", "channel", "kind", "message"]
    edit_columns = add_columns
    search_columns = ["sent_on", "channel", "kind"]
    base_order = ("sent_on", "desc")


class ExtensionView(TitledView):
    datamodel = interface(m.Extension)
    noun = _l("延期申请")
    list_columns = ["task", "requested_on", "new_deadline", "decision", "reason"]
    show_columns = ["task", "requested_on", "new_deadline", "reason", "decision", *AUDIT]
    add_columns = ["task", "requested_on", "new_deadline", "reason"]
    edit_columns = [*add_columns, "decision"]
    search_columns = ["requested_on", "decision"]
    base_order = ("requested_on", "desc")


class TaskView(TitledView):
    datamodel = interface(m.Task)
    noun = _l("任务台账")
    list_columns = ["title", "project", "department", "person", "deadline",
                    "original_deadline", "status", "overdue_days"]
    show_columns = ["title", "project", "meeting", "expected_outcome", "department", "person",
                    "assigned_on", "deadline", "original_deadline", "done_on", "cancelled",
                    "status", "overdue_days", "lag_reason", "measures", *AUDIT]
    add_columns = ["title", "project", "meeting", "expected_outcome", "department", "person",
                   "assigned_on", "deadline"]
    edit_columns = ["title", "project", "meeting", "expected_outcome", "department", "person",
                    "assigned_on", "deadline", "done_on", "cancelled", "lag_reason", "measures"]
    search_columns = ["title", "department", "status", "deadline", "assigned_on"]
    base_order = ("deadline", "asc")
    related_views = [FeedbackView, SupervisionView, ExtensionView]
    formatters_columns = {"status": badge(choices.TASK_STATUS, TASK_STATUS_STYLE)}
    method_permission_name = {**METHOD_PERMISSIONS, "urge": "edit"}

    @action("urge", _l("督促"), icon="fa-bullhorn")
    def urge(self, items):
        """督促: the chosen tasks (in scope: ScopedModelView checks) on the office's form."""
        tasks = items if isinstance(items, list) else [items]
        return redirect(url_for("UrgeView.urge_form", task=[t.id for t in tasks]))


class InvestmentReportView(TitledView):
    datamodel = interface(m.InvestmentReport)
    noun = _l("投资月报")
    list_columns = ["project", "period", "amount"]
    show_columns = ["project", "period", "amount", *AUDIT]
    add_columns = ["project", "period", "amount"]
    edit_columns = add_columns
    search_columns = ["period"]
    base_order = ("period", "desc")
    validators_columns = {"amount": [NOT_NEGATIVE]}


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


class DepartmentView(TitledView):
    datamodel = interface(m.Department)
    noun = _l("责任单位")
    list_columns = ["name", "kind", "active"]
    add_columns = ["name", "kind", "active"]
    edit_columns = add_columns
    show_columns = [*add_columns, *AUDIT]
    search_columns = ["name", "kind", "active"]
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
    list_columns = ["period", "built_at"]
    show_columns = ["period", "built_at"]
    search_columns = ["period"]
    base_order = ("period", "desc")


# (category, category label, menu name, label, view) - the order of the menu
MENU = [
    ("Library", _l("项目库"), "Projects", _l("重点项目"), ProjectView),
    ("Library", _l("项目库"), "InvestmentReports", _l("投资月报"), InvestmentReportView),
    ("Library", _l("项目库"), "Problems", _l("问题清单"), ProblemView),
    ("Ledger", _l("台账"), "MyLedger", _l("我的台账"), MyLedgerView),
    ("Ledger", _l("台账"), "MyInvestment", _l("投资月报填报"), MyInvestmentView),
    ("Ledger", _l("台账"), "Notifications", _l("我的提醒"), NotificationView),
    ("Ledger", _l("台账"), "Tasks", _l("任务台账"), TaskView),
    ("Ledger", _l("台账"), "FeedbackList", _l("进展反馈"), FeedbackView),
    ("Ledger", _l("台账"), "Extensions", _l("延期申请"), ExtensionView),
    ("Supervise", _l("督办"), "Meetings", _l("调度会"), MeetingView),
    ("Supervise", _l("督办"), "Supervisions", _l("督促记录"), SupervisionView),
    ("Supervise", _l("督办"), "NodeTemplates", _l("节点模板"), NodeTemplateView),
    ("Supervise", _l("督办"), "ReverseSchedule", _l("倒排工期"), ReverseScheduleView),
    ("Supervise", _l("督办"), "FeedbackQueue", _l("反馈审核"), FeedbackReviewView),
    ("Supervise", _l("督办"), "ExtensionQueue", _l("延期审批"), ExtensionApprovalView),
    ("Reports", _l("报表"), "Dashboard", _l("挂图作战"), DashboardView),
    ("Reports", _l("报表"), "ComplianceReport", _l("月度督查考核表"), ComplianceReportView),
    ("Reports", _l("报表"), "Circulars", _l("督查通报"), CircularView),
    ("System", _l("系统管理"), "Departments", _l("责任单位"), DepartmentView),
    ("System", _l("系统管理"), "Persons", _l("责任人"), PersonView),
    ("System", _l("系统管理"), "Holidays", _l("节假日"), HolidayView),
    ("System", _l("系统管理"), "JobRuns", _l("任务运行记录"), JobRunView),
    ("System", _l("系统管理"), "ImportExcel", _l("Excel 导入"), ExcelImportView),
    ("System", _l("系统管理"), "AuditLog", _l("审计日志"), AuditLogView),  # issue 7: Admin only
]
HIDDEN = [TemplateNodeView, ComplianceView]


def register(appbuilder) -> None:
    """Add every view to the menu, and the APIs."""
    from .api import APIS

    for category, category_label, name, label, view in MENU:
        appbuilder.add_view(view, name, label=label, category=category,
                            category_label=category_label)
    for view in (*HIDDEN, *HIDDEN_PAGES, ProblemActionView, HolidayCalendarView):
        appbuilder.add_view_no_menu(view)
    for view in ATTACHMENT_VIEWS:  # issue 7: attachments of feedback and problems
        appbuilder.add_view_no_menu(view)
    for api in APIS:
        appbuilder.add_api(api)
    appbuilder.add_api(JobApi)
    appbuilder.add_api(OpenApi)


def menu_resources() -> list[tuple[str, str, str]]:
    """(category, menu name, resource) of every menu entry, for the role definitions."""
    return [(category, name, getattr(view, "resource", None) or view.datamodel.obj.__name__)
            for category, _c, name, _l2, view in MENU]
