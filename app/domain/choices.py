"""The choice fields of DESIGN.md: their stored values and their labels."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

DEPARTMENT_KIND = {
    "leadership": _l("县领导"),
    "department": _l("职能部门"),
    "township": _l("乡镇（街道）"),
    "enterprise": _l("企业"),
    "other": _l("其他"),
}
# issue 15: a role's data scope (数据范围), stored in role_scope.kind
DATA_SCOPE = {
    "all": _l("全部数据"),
    "own": _l("本单位"),
    "subtree": _l("本单位及下级"),
    "custom": _l("指定单位"),
    "self": _l("仅本人"),
}
PROJECT_CATEGORY = {
    "new_infrastructure": _l("新型基础设施"),
    "new_urbanization": _l("新型城镇化"),
    "major_engineering": _l("重大工程"),
    "advanced_manufacturing": _l("先进制造业"),
    "eco_environment": _l("生态环保"),
    "public_health": _l("公共卫生"),
    "emergency_supplies": _l("应急物资保障"),
    "other": _l("其他"),
}
PROJECT_SOURCE = {
    "national_policy": _l("国家政策导向"),
    "industrial_cluster": _l("产业集群"),
    "central_city": _l("中心城市建设"),
    "comparative_advantage": _l("比较优势"),
    "public_demand": _l("群众需求"),
}
PROJECT_STAGE = {
    "planning": _l("谋划"),
    "reserve": _l("储备入库"),
    "preparation": _l("前期"),
    "construction": _l("在建"),
    "completed": _l("竣工"),
    "operating": _l("投产"),
    "terminated": _l("终止"),
}
LIST_LEVEL = {
    "county": _l("县级"),
    "city": _l("市级"),
    "province": _l("省级"),
    "national": _l("国家级"),
}
STATUS_COLOR = {"green": _l("绿"), "yellow": _l("黄"), "red": _l("红")}
TASK_STATUS = {
    "pending": _l("推进中"),
    "due_soon": _l("临期"),
    "overdue": _l("逾期"),
    "done_on_time": _l("按期完成"),
    "done_late": _l("逾期完成"),
    "cancelled": _l("已撤销"),
}
OPEN_TASK_STATUSES = ("pending", "due_soon", "overdue")  # neither done nor cancelled
EXTENSION_DECISION = {"pending": _l("待审批"), "approved": _l("已批准"), "rejected": _l("已驳回")}
REVIEW_STATUS = {"submitted": _l("已提交"), "accepted": _l("已采纳"), "returned": _l("已退回")}
SUPERVISION_CHANNEL = {
    "in_app": _l("系统内"),
    "email": _l("电子邮件"),
    "webhook": _l("工作群机器人"),
    "notice": _l("督办单"),
    "meeting": _l("会议督办"),
}
# issue 16: what happened to a task that its department is told of (app/domain/task_events.py)
TASK_EVENT = {
    "assigned": _l("新交办"),
    "returned": _l("反馈退回"),
    "extension_approved": _l("延期已批准"),
    "extension_rejected": _l("延期被驳回"),
}
SUPERVISION_KIND = {
    "due_soon": _l("临期提醒"),
    "overdue": _l("逾期督办"),
    "missing_feedback": _l("未反馈催报"),
    "manual": _l("人工督办"),
}
# issue 16: the 督办 levels by working days overdue, lowest first (escalation_level)
ESCALATION_LEVEL = {"blue": _l("蓝色督办"), "yellow": _l("黄色督办"), "red": _l("红色督办")}
PROBLEM_CATEGORY = {
    "land": _l("用地"),
    "funding": _l("资金"),
    "approval": _l("审批"),
    "relocation": _l("征迁"),
    "construction": _l("施工"),
    "other": _l("其他"),
}


JOB_STATUS = {
    "queued": _l("排队中"),
    "started": _l("运行中"),
    "finished": _l("已完成"),
    "failed": _l("失败"),
}
DELIVERY_STATUS = {"pending": _l("待发送"), "sent": _l("已发送"), "failed": _l("发送失败")}
# 登录日志 (issue 15)
LOGIN_EVENT = {"login": _l("登录"), "logout": _l("退出")}
LOGIN_CHANNEL = {"form": _l("网页"), "api": _l("接口")}
LOGIN_REASON = {
    "wrong_password": _l("密码错误"),
    "unknown_user": _l("用户不存在"),
    "inactive": _l("账号已停用"),
}


def label(choices: dict, value: object) -> str:
    """The label of a stored choice value; empty for none, the value itself if unknown."""
    if value is None:
        return ""
    return str(choices.get(value, value))


def pairs(choices: dict) -> list[tuple[str, Any]]:  # Any: a str or a lazy label
    """(value, label) pairs for a select field."""
    return list(choices.items())
