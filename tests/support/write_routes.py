"""Every route that can write, and what it writes: the permissions each way of writing
needs, and how to make that request (tests/write_cases.py, tests/write_pages.py).

A route with a POST, PUT or DELETE method that is missing here fails
tests/test_write_access.py by name; a route that writes nothing a role's table permission
governs says why instead of listing cases.
"""

from __future__ import annotations

from tests.support import write_pages as p
from tests.support.access_table import READ_ONLY, TABLES
from tests.support.write_cases import Case, api_put, crud_cases, need, view_edit

ACTIONS = "FAB's row actions: 督促 and 交办 only redirect to their pages, other names are 404"
JOBS_ONLY = "written by jobs only: no role has add, edit or delete on it"
RUNS_ONLY = "run records are written by runs only: JobRun has read and add (立即运行)"
SECURITY = "FAB's security screens (用户、角色、权限): Admin's permissions, not a ledger table"
LOGIN = "logging in: FAB's login counters on the account, open to anyone"
ACCOUNT = "one's own password: FAB's own form and permission, not a ledger table"
SESSION = "one's own session (issue 14): logout ends one's logins, the language is the session's"
LOGINS_ONLY = "login records are written by logging in only: LoginLog has read only (issue 15)"

Writes = tuple[Case, ...] | str
WRITES: dict[str, Writes] = {}

for _resource, (_view, _api, _table) in TABLES.items():
    WRITES |= {f"{_view}.action": ACTIONS, f"{_view}.action_post": ACTIONS}
    if _resource in READ_ONLY:
        WRITES |= {f"{_view}.{verb}": JOBS_ONLY for verb in ("add", "edit", "delete")}
        WRITES |= {f"{_api}.{verb}": JOBS_ONLY for verb in ("post", "put", "delete")}
    else:
        WRITES |= crud_cases(_resource)

# 滞后原因和整改措施 are 我的台账's (MyLedger: edit) wherever they are written
_lag = need("Task E", "MyLedger E")
WRITES["TaskView.edit"] += (Case(_lag, view_edit("Task", "lag_reason", "资金未到位"), "lag"),)
WRITES["TaskApi.put"] += (Case(_lag, api_put("Task", "lag_reason", "资金未到位"), "lag"),)

for _view in ("UserView", "RoleView", "GroupView", "PermissionModelView", "ViewMenuModelView",
              "PermissionOnViewView"):
    WRITES |= {f"{_view}.{verb}": SECURITY
               for verb in ("add", "edit", "delete", "action", "action_post")}
WRITES |= {
    "UserInfoEditView.this_form_post": SECURITY,
    "ResetPasswordView.this_form_post": SECURITY,
    "ResetMyPasswordView.this_form_post": ACCOUNT,
    "AuthDBView.login": LOGIN,
    "AuthDBView.logout": SESSION,
    "LanguageView.switch": SESSION,
    "SecurityApi.login": LOGIN,
    "SecurityApi.refresh": LOGIN,
    "UserView.end_session": SECURITY,  # 下线 of one session: the user screen's can_signout
    "UserView.end_my_session": SESSION,  # one's own other sessions, from 个人信息
    **{f"LoginLogView.{verb}": LOGINS_ONLY
       for verb in ("add", "edit", "delete", "action", "action_post")},
    **{f"JobRunView.{verb}": RUNS_ONLY for verb in ("edit", "delete", "action", "action_post")},
}

WRITES |= {
    "MyLedgerView.feedback": (Case(need("MyLedger E", "Feedback A"), p.ledger_feedback),
                              Case(need("MyLedger E", "Feedback A"), p.ledger_feedback_photo,
                                   "photo")),
    "MyLedgerView.extension": (Case(need("MyLedger E", "Extension A"), p.ledger_extension),),
    "MyLedgerView.lag": (Case(need("MyLedger E"), p.ledger_lag),),
    "MyInvestmentView.file": (
        Case(need("MyLedger E", "InvestmentReport A"), p.investment_new, "new month"),
        Case(need("MyLedger E", "InvestmentReport E"), p.investment_change, "filed month")),
    "FeedbackReviewView.review": (
        Case(need("FeedbackReview E", "Feedback E"), p.review_return, "return"),
        Case(need("FeedbackReview E", "Feedback E", "Task E"), p.review_accept_done,
             "accept 100 %")),
    # 撤销销号 (issue 16): the review's own office act; the task reopens
    "TaskClosureView.revoke": (Case(need("FeedbackReview E", "Task E"), p.closure_revoke),),
    "ExtensionApprovalView.decide": (
        Case(need("ExtensionApproval E", "Extension E"), p.extension_reject, "reject"),
        Case(need("ExtensionApproval E", "Extension E", "Task E"), p.extension_approve,
             "approve")),
    "MeetingAssignView.assign": (Case(need("TaskAssignment E", "Task A"), p.assign),),
    "UrgeView.urge": (Case(need("Urging E", "Supervision A"), p.urge),),
    "ProblemActionView.escalate": (Case(need("Problem E"), p.escalate),),
    "ProblemActionView.resolve": (Case(need("Problem E"), p.resolve),),
    # an attachment is part of its feedback or problem: their edit permission
    "FeedbackAttachmentView.upload": (Case(need("Feedback E"), p.upload("feedback")),),
    "FeedbackAttachmentView.remove": (Case(need("Feedback E"), p.remove_attachment("feedback")),),
    "ProblemAttachmentView.upload": (Case(need("Problem E"), p.upload("problem")),),
    "ProblemAttachmentView.remove": (Case(need("Problem E"), p.remove_attachment("problem")),),
    "HolidayCalendarView.prefill": (Case(need("Holiday A"), p.prefill),),
    "HolidayNoticeView.preview": "a preview of the pasted notice: it writes nothing",
    "HolidayNoticeView.confirm": (Case(need("Holiday A"), p.notice_confirm),),
    "ExcelImportView.upload": tuple(
        Case(need("ExcelImport A", f"{resource} {verb}"), make(table), f"{table} {verb}")
        for resource, table in (("Department", "department"), ("Person", "person"),
                                ("Project", "project"), ("Task", "task"))
        for verb, make in (("A", p.import_new), ("E", p.import_update))),
    # a chain's tasks are the chain's (倒排工期: edit); moving later deadlines is the office's
    # own edit of the tasks, a department asks by extension instead
    "ReverseScheduleView.schedule": (Case(need("ReverseSchedule E"), p.schedule),),
    "ReverseScheduleView.replan": (
        Case(need("ReverseSchedule E", "MyLedger E", "Extension A", "Task E"),
             p.replan("shift"), "shift, approved", frozenset({"office"})),
        Case(need("ReverseSchedule E", "MyLedger E", "Extension A"), p.replan("shift"),
             "shift, requested", frozenset({"staff"})),
        Case(need("ReverseSchedule E", "MyLedger E"), p.replan("keep"), "keep")),
    "JobRunView.add": (Case(need("JobRun A"), p.run_job_page),),
    "JobApi.post": (Case(need("JobRun A"), p.run_job_api),),
    "CircularView.build": (Case(need("JobRun A"), p.build_circular),),
    "ComplianceReportView.rebuild": (Case(need("Compliance X"), p.rebuild),),
    "NotificationView.mark_read": (Case(need("Notification E"), p.mark_read),),
    "NotificationView.mark_all_read": (Case(need("Notification E"), p.mark_all_read),),
}
