"""The expected outcome of every route of the portal, for every role, in one place.

`ENDPOINTS` names, for each endpoint of `app.url_map`, the permission it needs (a resource
and a verb), the table whose row ids go into its URL, and how that row is scoped.
`GRANTS` says which verbs each role holds on each resource (DESIGN.md, "Who uses it").
`expected()` folds both into one outcome per endpoint, method, role and department of
the row; `OVERRIDES` holds the few cells that follow no rule. A route the app registers
without an entry here fails tests/test_routes_access.py by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# outcomes
OK = "ok"  # let through: a page, a file, a redirect elsewhere, or 4xx on the (empty) input
DENIED = "403"
LOGIN = "login"  # a page redirects to /login/; the API answers 401
MISSING = "404"  # out of scope (or no such thing)
NOT_ALLOWED = "405"

ROLES = ("admin", "supervisor", "leader", "staff_a", "staff_b", "anonymous")
DEPARTMENT_OF = {"staff_a": "a", "staff_b": "b"}  # department-bound logins
# tables whose rows a department-bound user sees only for their own department
SCOPED = {"department", "person", "project", "investment_report", "meeting", "task",
          "extension", "feedback", "supervision", "problem", "compliance"}

# R read, A add, E edit, D delete, X rebuild (the compliance table)
RAED = "RAED"
LEDGER = ("Department", "Person", "Project", "InvestmentReport", "Meeting", "Task",
          "Extension", "Feedback", "Supervision", "Problem", "NodeTemplate", "TemplateNode",
          "Holiday")
OFFICE = ("TaskAssignment", "FeedbackReview", "ExtensionApproval", "Urging")
# "Token": any valid JWT. "Account": a login's own account page and password, for every
# role. "Self": editing one's own name, left to Admin.
_common = {"Dashboard": "R", "OpenApi": "R", "Token": "R", "Account": "RE"}
GRANTS: dict[str, dict[str, str]] = {
    "admin": {**{r: RAED for r in LEDGER}, "Compliance": "RX", "Circular": "R",
              "JobRun": "RA", "MyLedger": "RE", "Notification": "RE", "ExcelImport": "RA",
              "ReverseSchedule": "RE", **{r: "RE" for r in OFFICE}, "Security": RAED,
              "Menu": "R", "Self": "RE", "AuditLog": "R", "WorkdayCalendar": "R",
              "LoginLog": "R", **_common},
    "supervisor": {**{r: RAED for r in LEDGER}, "Holiday": "R", "Compliance": "RX",
                   "Circular": "R", "JobRun": "RA", "MyLedger": "RE", "Notification": "RE",
                   "ExcelImport": "RA", "ReverseSchedule": "RE", **{r: "RE" for r in OFFICE},
                   "WorkdayCalendar": "R", **_common},
    "leader": {**{r: "R" for r in LEDGER}, "Compliance": "R", "Circular": "R", "JobRun": "R",
               "MyLedger": "R", "Notification": "R", "ReverseSchedule": "R",
               **{r: "R" for r in OFFICE}, **_common},
    "staff": {"Department": "R", "Person": "RAE", "Project": "RAE", "InvestmentReport": RAED,
              "Meeting": "R", "Task": "R", "Extension": "RA", "Feedback": RAED,
              "Supervision": "R", "Problem": "RAE", "Holiday": "R", "Compliance": "R",
              "MyLedger": "RE", "Notification": "RE", "ReverseSchedule": "RE",
              "Urging": "R", **_common},
}


@dataclass(frozen=True)
class Entry:
    """What one endpoint needs: a verb on a resource, per method if they differ."""

    resource: str  # "public": anyone, logged in or not
    verbs: dict[str, str]  # method -> R/A/E/D/X
    table: str | None = None  # the table of the row id in the URL
    owner: str = "department"  # "department": scoped by SCOPED; "user": own rows only
    fixed: str | None = None  # one outcome for every role
    mutates: frozenset[str] = frozenset()  # methods whose allowed call changes rows
    fresh: bool = False  # each call gets a fresh row (it may be deleted)
    args: dict[str, str] = field(default_factory=dict)  # URL arguments other than ids
    body: dict[str, str] = field(default_factory=dict)  # form fields besides the token
    query: dict[str, str] = field(default_factory=dict)  # "{row}": the row's id
    through: str = OK  # the outcome once permission and scope let the call through
    unscoped: frozenset[str] = frozenset()  # methods refused or done before any row loads


def e(resource: str, verb: str = "R", table: str | None = None, **kw) -> Entry:
    """An entry whose methods all need the same verb."""
    methods = ("GET", "POST", "PUT", "DELETE")
    return Entry(resource, {m: verb for m in methods}, table, **kw)


def crud(view: str, resource: str, table: str, action: str | None = None,
         action_verb: str = "E") -> dict[str, Entry]:
    """The routes of a CRUD view (FAB ModelView with ScopedModelView's additions)."""
    return {
        f"{view}.list": e(resource),
        f"{view}.show": e(resource, "R", table),
        f"{view}.export": e(resource),
        # a search drop-down's choices (issue 19): a field the search has not is a 404
        f"{view}.choices": e(resource, args={"name": "none"}, through=MISSING),
        # FAB's file-column download: no table keeps files (app.web.crud_base: 404, not a 500)
        f"{view}.download": e(resource, args={"filename": "none.txt"}, through=MISSING),
        f"{view}.add": e(resource, "A"),
        f"{view}.edit": e(resource, "E", table),
        # GET never deletes (FAB with CSRF on): it redirects before loading the row
        f"{view}.delete": e(resource, "D", table, mutates=frozenset({"POST"}), fresh=True,
                            unscoped=frozenset({"GET"})),
        # an unknown action is 404 before anything else; a known one needs its verb
        f"{view}.action": e(resource, action_verb, table, args={"name": action})
        if action else e(resource, fixed=MISSING, table=table, args={"name": "none"}),
        f"{view}.action_post": e(resource, fixed=MISSING, body={"action": "none"}),
    }


def api(name: str, resource: str, table: str) -> dict[str, Entry]:
    """The routes of a REST resource (FAB ModelRestApi)."""
    entries = {
        f"{name}.get_list": e(resource), f"{name}.info": e(resource),
        f"{name}.get": e(resource, "R", table),
        f"{name}.post": e(resource, "A"),
        f"{name}.put": e(resource, "E", table),
        f"{name}.delete": e(resource, "D", table, mutates=frozenset({"DELETE"}), fresh=True),
    }
    if resource in READ_ONLY:  # a method outside base_permissions: 403 before any login
        for method in ("post", "put", "delete"):
            entries[f"{name}.{method}"] = e(resource, table=entries[f"{name}.{method}"].table,
                                            fixed=DENIED, fresh=method == "delete")
    return entries


def security(view: str, table: str, list_only: bool = False) -> dict[str, Entry]:
    """FAB's security screens: Admin only; two of them only list (nobody holds "N")."""
    entries = crud(view, "Security", table)
    del entries[f"{view}.export"]  # FAB's own views: no Excel export
    del entries[f"{view}.choices"]  # nor lazy search drop-downs
    if list_only:
        entries = {name: e("Security", "N", entry.table, args=entry.args, fresh=entry.fresh,
                           fixed=entry.fixed, body=entry.body, through=entry.through)
                   if not name.endswith(".list") else entry for name, entry in entries.items()}
    return entries


TABLES = {  # CRUD view, REST resource, table
    "Department": ("DepartmentView", "DepartmentApi", "department"),
    "Person": ("PersonView", "PersonApi", "person"),
    "Project": ("ProjectView", "ProjectApi", "project"),
    "InvestmentReport": ("InvestmentReportView", "InvestmentReportApi", "investment_report"),
    "Meeting": ("MeetingView", "MeetingApi", "meeting"),
    "Task": ("TaskView", "TaskApi", "task"),
    "Extension": ("ExtensionView", "ExtensionApi", "extension"),
    "Feedback": ("FeedbackView", "FeedbackApi", "feedback"),
    "Supervision": ("SupervisionView", "SupervisionApi", "supervision"),
    "Problem": ("ProblemView", "ProblemApi", "problem"),
    "NodeTemplate": ("NodeTemplateView", "NodeTemplateApi", "node_template"),
    "TemplateNode": ("TemplateNodeView", "TemplateNodeApi", "template_node"),
    "Holiday": ("HolidayView", "HolidayApi", "holiday"),
    "Compliance": ("ComplianceView", "ComplianceApi", "compliance"),
    "Circular": ("CircularView", "CircularApi", "circular"),
}
ACTIONS = {"Task": "urge", "Meeting": "assign"}
READ_ONLY = {"Compliance", "Circular"}  # written by jobs only

ENDPOINTS: dict[str, Entry] = {}
for _resource, (_view, _api, _table) in TABLES.items():
    ENDPOINTS |= crud(_view, _resource, _table, ACTIONS.get(_resource))
    ENDPOINTS |= api(_api, _resource, _table)
ENDPOINTS |= crud("JobRunView", "JobRun", "job_run")
ENDPOINTS |= crud("LoginLogView", "LoginLog", "login_log")  # read only (issue 15)
for _view, _table in [("UserView", "ab_user"), ("RoleView", "ab_role"),
                      ("GroupView", "ab_group"), ("PermissionModelView", "ab_permission"),
                      ("ViewMenuModelView", "ab_view_menu"),
                      ("PermissionOnViewView", "ab_permission_view")]:
    ENDPOINTS |= security(_view, _table, _view in ("PermissionModelView", "ViewMenuModelView",
                                                   "PermissionOnViewView"))
ENDPOINTS |= {
    # the portal's own pages
    "HomeView.index": e("public"),
    "DashboardView.index": e("Dashboard", mutates=frozenset({"GET"})),  # 本月考核排名, built
    "CircularView.download": e("Circular", "R", "circular", args={"kind": "docx"}),
    "CircularView.build": e("JobRun", "A", mutates=frozenset({"POST"}),
                            body={"period": "2001-01"}),
    # a month with data but no rows is built on first view, for whoever may read it (issue
    # 17.1): the GET writes the rows the nightly job would have (a cache, not a user's change)
    "ComplianceReportView.table": e("Compliance", mutates=frozenset({"GET"})),
    "ComplianceReportView.progress": e("Compliance", query={"runs": "0"}, through=MISSING),
    "ComplianceReportView.detail": e("Compliance", "R", "department", query={
        "period": "2026-05", "count": "tasks_open", "department": "{row}"}),
    "ComplianceReportView.export": e("Compliance", mutates=frozenset({"GET"})),
    "ComplianceReportView.year": e("Compliance", mutates=frozenset({"GET"})),
    "ComplianceReportView.rebuild": e("Compliance", "X", mutates=frozenset({"POST"}),
                                      body={"period": "2099-12"}),
    "ExcelImportView.page": e("ExcelImport"),
    "ExcelImportView.download_template": e("ExcelImport"),
    "ExcelImportView.upload": e("ExcelImport", "A"),
    # the error workbook of this session's last refused import (issue 18): none here, 404
    "ExcelImportView.download_errors": e("ExcelImport", "A", through=MISSING),
    "HolidayCalendarView.prefill": e("Holiday", "A", mutates=frozenset({"POST"})),
    # 导入国务院通知 (issue 15): an empty paste is refused (400) before anything is written
    "HolidayNoticeView.form": e("Holiday", "A"),
    "HolidayNoticeView.preview": e("Holiday", "A"),
    "HolidayNoticeView.confirm": e("Holiday", "A"),
    "WorkdayCalendarView.year": e("WorkdayCalendar"),
    "MyInvestmentView.investment": e("MyLedger"),
    "MyInvestmentView.file": e("MyLedger", "E", "project", body={"project_id": "{row}"}),
    "MyLedgerView.ledger": e("MyLedger"),
    "MyLedgerView.feedback": e("MyLedger", "E", "task"),
    "MyLedgerView.extension": e("MyLedger", "E", "task"),
    "MyLedgerView.lag": e("MyLedger", "E", "task"),
    "NotificationView.mine": e("Notification"),
    "NotificationView.mark_read": e("Notification", "E", "notification", owner="user",
                                    mutates=frozenset({"POST"})),
    "NotificationView.mark_all_read": e("Notification", "E", mutates=frozenset({"POST"})),
    "ExtensionApprovalView.pending": e("ExtensionApproval"),
    "ExtensionApprovalView.decide": e("ExtensionApproval", "E", "extension"),
    "FeedbackReviewView.queue": e("FeedbackReview"),
    "FeedbackReviewView.review": e("FeedbackReview", "E", "feedback"),
    # 撤销销号 (issue 16): the world's task has no 销号, so a request let through is 409
    "TaskClosureView.revoke": e("FeedbackReview", "E", "task"),
    "MeetingAssignView.meeting": e("TaskAssignment", "R", "meeting"),
    "MeetingAssignView.deadline": e("TaskAssignment", "R", "meeting"),
    "MeetingAssignView.assign": e("TaskAssignment", "E", "meeting"),
    "UrgeView.urge_form": e("Urging", "E"),
    "UrgeView.urge": e("Urging", "E"),
    "UrgeView.notice": e("Urging", "R", "supervision"),
    "UrgeView.notices": e("Urging", "R", "supervision", query={"id": "{row}"}),
    "ProblemActionView.escalate": e("Problem", "E", "problem"),
    "ProblemActionView.resolve": e("Problem", "E", "problem"),
    # attachments (app/web/attachment_pages.py): the owner row's permissions and scope; no
    # attachment is made here, so a download or removal let through finds none
    **{f"{kind.title()}AttachmentView.{name}": e(kind.title(), verb, kind, through=through,
                                                 args={"attachment_id": "999999"})
       for kind in ("feedback", "problem")
       for name, verb, through in (("upload", "E", OK), ("download", "R", MISSING),
                                   ("remove", "E", MISSING))},
    "AuditLogView.search": e("AuditLog"),
    # 倒排工期 (app/web/chain_pages.py): the world's task is in no chain
    "ReverseScheduleView.index": e("ReverseSchedule"),
    "ReverseScheduleView.schedule": e("ReverseSchedule", "E", "project"),
    "ReverseScheduleView.replan": e("ReverseSchedule", "E", "task", through=MISSING),
    # the REST API besides the tables
    "JobApi.get": e("JobRun", "R", "job_run"),
    "JobApi.post": e("JobRun", "A", args={"job": "refresh_status"},
                     mutates=frozenset({"POST"})),
    "OpenApi.get": e("OpenApi", args={"version": "v1"}),
    "MenuApi.get_menu_data": e("Menu"),
    "SecurityApi.login": e("public"),  # an empty body: 400 for anyone
    "SecurityApi.refresh": e("Token"),  # an access token, not a refresh token: 4xx
    # FAB's login, language, account pages
    "AuthDBView.login": e("public"),
    # POST only (issue 14; GET is 405): it ends the user's sessions (login_generation)
    "AuthDBView.logout": e("public", mutates=frozenset({"POST"})),
    # the language switch by POST only (issue 14): FAB's GET link changes nothing
    "LocaleView.index": e("public", fixed=NOT_ALLOWED, args={"locale": "zh"}),
    "LanguageView.switch": e("public", args={"locale": "zh"}),
    "UtilView.back": e("public"),
    "UserView.userinfo": e("Account"),
    # 下线 of one session (issue 15): an empty form names none, so nothing ends
    "UserView.end_session": e("Security", "E", "ab_user"),
    "UserView.end_my_session": e("Account", "E"),
    "UserInfoEditView.this_form_get": e("Self"),
    "UserInfoEditView.this_form_post": e("Self", "E"),
    "ResetMyPasswordView.this_form_get": e("Account"),
    "ResetMyPasswordView.this_form_post": e("Account", "E"),
    "ResetPasswordView.this_form_get": e("Security", "E"),
    "ResetPasswordView.this_form_post": e("Security", "E"),
    "static": e("public", args={"filename": "css/reports.css"}),
    "appbuilder.static": e("public", args={"filename": "css/ab.css"}),
}

# (endpoint, method, role) -> outcome, where no rule above gives it
OVERRIDES: dict[tuple[str, str, str], str] = {
    # a row action checks the permission itself (app.web.crud_base): no login page, a 403
    ("TaskView.action", "POST", "anonymous"): DENIED,
    ("MeetingView.action", "POST", "anonymous"): DENIED,
}


def role_kind(role: str) -> str:
    return "staff" if role in DEPARTMENT_OF else role


def expected(endpoint: str, method: str, role: str, dept: str | None) -> str:
    """The outcome of calling `endpoint` with `method` as `role`, on a row of `dept`."""
    if (endpoint, method, role) in OVERRIDES:
        return OVERRIDES[(endpoint, method, role)]
    entry = ENDPOINTS[endpoint]
    if entry.fixed:
        return entry.fixed
    if entry.resource == "public":
        return OK
    if role == "anonymous":
        return LOGIN
    if entry.verbs[method] not in GRANTS[role_kind(role)].get(entry.resource, ""):
        return DENIED
    if entry.owner == "user":
        return OK if DEPARTMENT_OF.get(role) == dept else MISSING
    own = DEPARTMENT_OF.get(role)
    if own and entry.table in SCOPED and dept != own and method not in entry.unscoped:
        return MISSING
    return entry.through
