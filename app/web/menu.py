"""The menu: its categories and entries in order, the screens without an entry, the APIs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.web.api import APIS as TABLE_APIS
from app.web.attachment_pages import ATTACHMENT_VIEWS
from app.web.audit_pages import AuditLogView
from app.web.chain_pages import ReverseScheduleView
from app.web.closure_pages import TaskClosureView
from app.web.compliance_pages import ComplianceReportView
from app.web.dashboard import DashboardView
from app.web.holiday_notice_pages import HolidayNoticeView, WorkdayCalendarView
from app.web.holiday_pages import HolidayCalendarView
from app.web.import_page import ExcelImportView
from app.web.job_runs import JobRunView
from app.web.jobs_api import JobApi
from app.web.ledger_views import (
    ExtensionView,
    FeedbackView,
    InvestmentReportView,
    ProblemView,
    SupervisionView,
    TaskView,
)
from app.web.library_views import (
    CircularView,
    ComplianceView,
    DepartmentView,
    HolidayView,
    MeetingView,
    NodeTemplateView,
    PersonView,
    ProjectView,
    TemplateNodeView,
)
from app.web.login_log_pages import LoginLogView
from app.web.my_investment import MyInvestmentView
from app.web.my_ledger import MyLedgerView
from app.web.notifications import NotificationView
from app.web.office import ExtensionApprovalView, FeedbackReviewView, MeetingAssignView
from app.web.openapi import OpenApi
from app.web.problem_pages import ProblemActionView
from app.web.urging import UrgeView

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
    # issue 15: Admin only, beside FAB's users and roles (the category FAB's security views use)
    ("Security", _l("权限管理"), "LoginLog", _l("登录日志"), LoginLogView),
]
HIDDEN = [TemplateNodeView, ComplianceView]
NO_MENU = [MeetingAssignView, UrgeView, ProblemActionView, TaskClosureView, HolidayCalendarView,
           HolidayNoticeView, WorkdayCalendarView,
           *ATTACHMENT_VIEWS]
APIS = [*TABLE_APIS, JobApi, OpenApi]


def menu_resources() -> list[tuple[str, str, str]]:
    """(category, menu name, resource) of every menu entry, for the role definitions."""
    return [(category, name, getattr(view, "resource", None) or view.datamodel.obj.__name__)
            for category, _c, name, _l2, view in MENU]
