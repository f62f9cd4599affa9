"""The roles of DESIGN.md and what each may do: permissions on resources (a table's
resource is its model's name), and the labels the role screens show. `flask init` writes
them into the database (app/web/security.py), where an administrator may change them."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import Role
from flask_babel import lazy_gettext as _l

READ, ADD, EDIT, DELETE = "can_read", "can_add", "can_edit", "can_delete"
ALL = (READ, ADD, EDIT, DELETE)

# Every resource (a view's class_permission_name) and the menu items showing it.
LEDGER = (
    "Department", "Person", "Project", "InvestmentReport", "Meeting", "Task",
    "Extension", "Feedback", "Supervision", "Problem", "NodeTemplate", "TemplateNode",
    "Holiday",
)
REPORTS = ("Compliance", "Circular")
# The office's pages (app/web/office.py): read to see them, edit to act on them.
OFFICE = ("TaskAssignment", "FeedbackReview", "ExtensionApproval", "Urging")

# role -> resource -> permissions. Admin is FAB's admin role: it holds every permission.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "Supervisor": {
        **{name: ALL for name in LEDGER if name != "Holiday"},
        "Holiday": (READ,),
        "Compliance": (READ,),
        "Circular": (READ,),
        "MyLedger": (READ, EDIT),
        **{name: (READ, EDIT) for name in OFFICE},
    },
    "DeptStaff": {
        "Department": (READ,),
        "Person": (READ, ADD, EDIT),
        "Project": (READ, ADD, EDIT),
        "InvestmentReport": ALL,
        "Meeting": (READ,),
        "Task": (READ,),
        "Extension": (READ, ADD),
        "Feedback": ALL,
        "Supervision": (READ,),
        "Problem": (READ, ADD, EDIT),
        "Holiday": (READ,),
        "Compliance": (READ,),
        "MyLedger": (READ, EDIT),
    },
    "Leader": {name: (READ,) for name in (*LEDGER, *REPORTS, "MyLedger", *OFFICE)},
}
# Background jobs (app/web/job_runs.py): the office runs them now, leaders see how runs went.
ROLE_PERMISSIONS["Supervisor"]["JobRun"] = (READ, ADD)
# Excel 导入 (app/web/import_page.py): the office downloads the template and imports files.
ROLE_PERMISSIONS["Supervisor"]["ExcelImport"] = (READ, ADD)
ROLE_PERMISSIONS["Leader"]["JobRun"] = (READ,)
# 督办通知单 (app/web/urging.py, issue 16): the unit it is addressed to reads and prints it —
# its scope decides which; urging stays the office's (edit).
ROLE_PERMISSIONS["DeptStaff"]["Urging"] = (READ,)
# 提醒 (app/web/notifications.py): everyone reads their own and marks them read; leaders
# change nothing, so they read only.
ROLE_PERMISSIONS["Supervisor"]["Notification"] = (READ, EDIT)
ROLE_PERMISSIONS["DeptStaff"]["Notification"] = (READ, EDIT)
ROLE_PERMISSIONS["Leader"]["Notification"] = (READ,)
# 挂图作战 (app/web/dashboard.py): everyone; a department user sees their department.
for _role in ("Supervisor", "DeptStaff", "Leader"):
    ROLE_PERMISSIONS[_role]["Dashboard"] = (READ,)
# 月度督查考核表 (app/web/compliance_pages.py): the office rebuilds a month's table on demand.
ROLE_PERMISSIONS["Supervisor"]["Compliance"] = (READ, "can_rebuild")
# 年度工作日日历 and the banner when a year's calendar is missing (app/web/holiday_notice_pages.py,
# issue 15): the office, beside Admin; pasting the State Council's notice is Holiday's add.
ROLE_PERMISSIONS["Supervisor"]["WorkdayCalendar"] = (READ,)
# 倒排工期 (app/web/chain_pages.py, issue 9): the office plans every project, a department
# the projects it leads; leaders see the chains.
ROLE_PERMISSIONS["Supervisor"]["ReverseSchedule"] = (READ, EDIT)
ROLE_PERMISSIONS["DeptStaff"]["ReverseSchedule"] = (READ, EDIT)
ROLE_PERMISSIONS["Leader"]["ReverseSchedule"] = (READ,)
# 审计日志 (app/web/audit_pages.py, resource "AuditLog", can_read only): no role here gets it, so
# only Admin reads it (FAB grants the admin role every permission of every view when `init`
# syncs them). A row's 历史记录 needs no grant: it shows on the row's page, to its readers.
for _grants in ROLE_PERMISSIONS.values():
    _grants["OpenApi"] = ("can_get",)  # the OpenAPI document at /api/v1/_openapi
# Everyone sees their own account and changes their own password (FAB grants these to
# no role by itself); editing one's own name stays with the admin.
for _grants in ROLE_PERMISSIONS.values():
    _grants["UserDBModelView"] = ("can_userinfo", "resetmypassword")
    _grants["ResetMyPasswordView"] = ("can_this_form_get", "can_this_form_post")
ROLES = ("Admin", *ROLE_PERMISSIONS)

# The methods of CRUD views and REST APIs, folded into four permissions per resource.
METHOD_PERMISSIONS = {
    "list": "read", "show": "read", "download": "read", "get": "read", "get_list": "read",
    "info": "read", "export": "read", "choices": "read",
    "add": "add", "post": "add",
    "edit": "edit", "put": "edit",
    "delete": "delete",
}


# The roles keep their names in the database (permissions, config and code use them);
# pages show these labels instead.
ROLE_LABELS = {
    "Admin": _l("系统管理员"),
    "Supervisor": _l("督查室"),
    "DeptStaff": _l("责任单位人员"),
    "Leader": _l("县领导"),
    "Public": _l("公开"),
}


def role_label(role: Role | str) -> str:
    """The label of a role (or role name); a role an admin added shows its own name."""
    name = getattr(role, "name", role)
    return str(ROLE_LABELS.get(name, name))
