"""Column labels shared by every view, form, API and export (Chinese, via Babel)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.domain import choices

LABELS = {
    "id": _l("编号"),
    "name": _l("名称"),
    "kind": _l("类型"),
    "active": _l("启用"),
    "title": _l("标题"),
    "department": _l("责任单位"),
    "parent": _l("上级单位"),  # issue 15: the department tree
    "parent_id": _l("上级单位"),
    "department_id": _l("责任单位"),
    "phone": _l("电话"),
    "email": _l("电子邮箱"),
    "is_leader": _l("县级领导"),
    "user": _l("登录账号"),
    "code": _l("项目编号"),
    "category": _l("类别"),
    "source": _l("谋划来源"),
    "industry": _l("产业链"),
    "stage": _l("阶段"),
    "list_level": _l("项目层级"),
    "total_investment": _l("总投资（万元）"),
    "annual_plan_investment": _l("年度计划投资（万元）"),
    "planned_start": _l("计划开工"),
    "planned_end": _l("计划竣工"),
    "actual_start": _l("实际开工"),
    "actual_end": _l("实际竣工"),
    "location": _l("建设地点"),
    "content": _l("建设内容"),
    "lead_leader": _l("分管领导"),
    "lead_department": _l("牵头单位"),
    "responsible_person": _l("责任人"),
    "funding": _l("资金来源"),
    "status_color": _l("状态"),
    "project": _l("项目"),
    "period": _l("月份"),
    "amount": _l("完成投资（万元）"),
    "held_on": _l("会议日期"),
    "chair": _l("主持人"),
    "minutes": _l("会议纪要"),
    "projects": _l("调度项目"),
    "meeting": _l("调度会"),
    "expected_outcome": _l("工作成效"),
    "person": _l("责任人"),
    "assigned_on": _l("交办日期"),
    "deadline": _l("时间节点"),
    "original_deadline": _l("原定时间节点"),
    "done_on": _l("完成日期"),
    "cancelled": _l("已撤销"),
    "lag_reason": _l("滞后原因"),
    "measures": _l("整改措施"),
    "status": _l("状态"),
    "overdue_days": _l("逾期天数"),
    "escalation_level": _l("督办等级"),
    "level": _l("督办等级"),
    "doc_year": _l("督办单年份"),
    "doc_seq": _l("督办单序号"),
    "task": _l("任务"),
    "requested_on": _l("申请日期"),
    "new_deadline": _l("申请延至"),
    "reason": _l("延期理由"),
    "decision": _l("审批结果"),
    "decided_on": _l("审批日期"),
    "decision_comment": _l("审批意见"),
    "overdue_days_served": _l("批准前已逾期天数"),
    "reported_on": _l("反馈日期"),
    "progress": _l("进展情况"),
    "percent_complete": _l("完成百分比"),
    "problems": _l("存在问题"),
    "next_steps": _l("下步计划"),
    "review_status": _l("审核状态"),
    "review_comment": _l("审核意见"),
    "sent_on": _l("督促日期"),
    "channel": _l("督促方式"),
    "message": _l("督促内容"),
    "description": _l("问题描述"),
    "raised_on": _l("提出日期"),
    "resolved_on": _l("解决日期"),
    "resolution": _l("解决情况"),
    "coordinating_leader": _l("协调领导"),
    "template": _l("节点模板"),
    "position": _l("顺序"),
    "workdays": _l("工作日数"),
    "depends_on": _l("前置节点"),
    "nodes": _l("节点"),
    "day": _l("日期"),
    "is_workday": _l("调休上班"),
    "projects_in_scope": _l("应调度项目"),
    "projects_dispatched": _l("已调度项目"),
    "tasks_open": _l("在办任务"),
    "tasks_urged": _l("已督促"),
    "tasks_fed_back": _l("已反馈"),
    "tasks_due": _l("到期任务"),
    "tasks_implemented": _l("按期落实"),
    "tasks_overdue": _l("逾期任务"),
    "dispatch_rate": _l("调度率"),
    "supervision_rate": _l("督促率"),
    "implementation_rate": _l("落实率"),
    "feedback_rate": _l("反馈率"),
    "compliant": _l("达标"),
    "score": _l("得分"),
    "built_at": _l("生成时间"),
    "doc_number": _l("发文字号"),
    "issued_on": _l("签发日期"),
    "issued_by": _l("签发人"),
    "created_on": _l("创建时间"),
    "changed_on": _l("修改时间"),
    "created_by": _l("创建人"),
    "changed_by": _l("修改人"),
}


def joined(items: Iterable[object]) -> str:
    """Several values in one cell, with the separator of the page's language."""
    # TRANSLATORS: the separator between the items of a list, as in "项目A、项目B"
    return _("、").join(map(str, items))


# choice columns: column name -> {value: label}, per table where names collide
CHOICE_COLUMNS = {
    "kind": choices.DEPARTMENT_KIND,
    "category": choices.PROJECT_CATEGORY,
    "source": choices.PROJECT_SOURCE,
    "stage": choices.PROJECT_STAGE,
    "list_level": choices.LIST_LEVEL,
    "status_color": choices.STATUS_COLOR,
    "status": choices.TASK_STATUS,
    "decision": choices.EXTENSION_DECISION,
    "review_status": choices.REVIEW_STATUS,
    "channel": choices.SUPERVISION_CHANNEL,
    "escalation_level": choices.ESCALATION_LEVEL,
}
TABLE_CHOICES = {
    ("supervision", "kind"): choices.SUPERVISION_KIND,
    ("supervision", "level"): choices.ESCALATION_LEVEL,
    ("problem", "category"): choices.PROBLEM_CATEGORY,
    ("job_run", "status"): choices.JOB_STATUS,
    ("login_log", "event"): choices.LOGIN_EVENT,
    ("login_log", "channel"): choices.LOGIN_CHANNEL,
    ("login_log", "reason"): choices.LOGIN_REASON,
}


def choices_for(table: str, column: str) -> dict | None:
    """The choices of a column of a table, if it is a choice column."""
    return TABLE_CHOICES.get((table, column), CHOICE_COLUMNS.get(column))
