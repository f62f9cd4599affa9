"""KeyLedger tables: the domain of DESIGN.md, as typed SQLAlchemy 2 models.

A table of contents: the tables live in app/tables/, one module per part of the domain,
and the rest of the code reads them from here (`from app import models as m`). Importing
this module maps every table, so string targets of relationships resolve across modules.
"""

from __future__ import annotations

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User

from app.tables.base import MONEY, Audited
from app.tables.chains import (
    ChainNode,
    Holiday,
    NodeTemplate,
    TaskChain,
    TemplateNode,
    chain_node_dependency,
    template_node_dependency,
)
from app.tables.ledger import (
    OPEN_FIRST_SQL,
    Attachment,
    Extension,
    Feedback,
    Supervision,
    Task,
    TaskClosure,
)
from app.tables.org import Department, Person, RoleScope, role_scope_department
from app.tables.projects import InvestmentReport, Meeting, Problem, Project, meeting_project
from app.tables.records import (
    AuditLog,
    Circular,
    Compliance,
    Delivery,
    JobLock,
    JobRun,
    NoticeCounter,
    Notification,
    TaskEvent,
)
from app.tables.sessions import AccessVersion, LoginGeneration, LoginLog, WebSession

__all__ = [
    # the base every table maps on, FAB's accounts, the shared column kinds
    "Model", "User", "Audited", "MONEY",
    # the SQL of 任务台账's default order, which an index serves (app/tables/ledger.py)
    "OPEN_FIRST_SQL",
    # app/tables/org.py: 责任单位, 责任人
    "Department", "Person",
    # app/tables/org.py: a role's data scope, beside FAB's ab_role (issue 15)
    "RoleScope", "role_scope_department",
    # app/tables/projects.py: 项目库, 投资月报, 调度会, 问题清单
    "Project", "InvestmentReport", "Meeting", "meeting_project", "Problem",
    # app/tables/ledger.py: 任务台账, 延期申请, 进展反馈, 督促记录, 附件
    "Task", "Extension", "Feedback", "Supervision", "Attachment",
    # app/tables/ledger.py: 办结销号 (issue 16)
    "TaskClosure",
    # app/tables/chains.py: 节点模板, 倒排工期, 节假日
    "NodeTemplate", "TemplateNode", "template_node_dependency", "Holiday",
    "TaskChain", "ChainNode", "chain_node_dependency",
    # app/tables/records.py: 达标, 督查通报, 任务运行记录及其锁, 任务动态, 提醒, 审计, 督办单编号
    "Compliance", "Circular", "JobRun", "JobLock", "TaskEvent", "Notification", "Delivery",
    "AuditLog", "NoticeCounter",
    # app/tables/sessions.py: sessions on the server, login generations (issue 14), 登录日志
    "WebSession", "LoginGeneration", "LoginLog", "AccessVersion",
]
