"""Who must act on a task, and so is told of its reminders (issue 16): the responsible
person's login, and — when that person has no login, or always with NOTIFY_DEPARTMENT —
every login of the responsible unit that may report on the task (its 联络员).

"May report" is the one access layer's answer in SQL: a role of the login holds 进展反馈：新增
(can_add on Feedback), and a role's 数据范围 covers the unit (全部数据, 本单位, 本单位及下级 or
a 指定单位 choosing it; 仅本人 covers the person's own tasks only, which (1) already reaches).
No role's name is read. Set-based: one SELECT of (task, login, e-mail) for any set of tasks.
"""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import (
    Permission,
    PermissionView,
    User,
    ViewMenu,
    assoc_permissionview_role,
    assoc_user_role,
)
from sqlalchemy import Select, and_, exists, literal, or_, select, true, union
from sqlalchemy.orm import aliased

from app import models as m
from app.domain import scope

REPORT = ("can_add", "Feedback")


def _may_report(user_id) -> object:
    """EXISTS: a role of the login holds can_add on Feedback."""
    ur, pvr = assoc_user_role.c, assoc_permissionview_role.c
    return exists(select(literal(1)).select_from(assoc_user_role)
                  .join(assoc_permissionview_role, pvr.role_id == ur.role_id)
                  .join(PermissionView, PermissionView.id == pvr.permission_view_id)
                  .join(Permission, Permission.id == PermissionView.permission_id)
                  .join(ViewMenu, ViewMenu.id == PermissionView.view_menu_id)
                  .where(ur.user_id == user_id, Permission.name == REPORT[0],
                         ViewMenu.name == REPORT[1]))


def _covers(user_id, department_id) -> object:
    """EXISTS: a role of the login (tied to a person of the unit) sees the unit's tasks."""
    ur = assoc_user_role.c
    rs, chosen = m.RoleScope, m.role_scope_department.c
    kind = rs.kind
    return exists(select(literal(1)).select_from(assoc_user_role)
                  .outerjoin(rs, rs.role_id == ur.role_id)
                  .where(ur.user_id == user_id, or_(
                      kind.is_(None), kind.in_((scope.ALL, scope.OWN, scope.SUBTREE)),
                      and_(kind == scope.CUSTOM, exists().where(
                          chosen.role_id == rs.role_id,
                          chosen.department_id == department_id)))))


def of_tasks(tasks: Select, department_always: bool) -> Select:
    """(task_id, user_id, email) of everyone to tell about each task of `tasks` (a SELECT of
    task ids): user_id None for an e-mail address of a person without a login."""
    t, p, u = m.Task, m.Person, User
    staff, login = aliased(m.Person), aliased(User)
    responsible = (select(t.id.label("task_id"), u.id.label("user_id"), p.email.label("email"))
                   .join(p, p.id == t.person_id).outerjoin(u, and_(u.id == p.user_id,
                                                                   u.active.is_(True)))
                   .where(t.id.in_(tasks)))
    responsible_has_login = exists().where(p.id == t.person_id, p.user_id == u.id,
                                           u.active.is_(True))
    liaisons = (select(t.id, login.id, staff.email)
                .join(staff, staff.department_id == t.department_id)
                .join(login, and_(login.id == staff.user_id, login.active.is_(True)))
                .where(t.id.in_(tasks), _may_report(login.id),
                       _covers(login.id, t.department_id),
                       true() if department_always else ~responsible_has_login))
    return union(responsible, liaisons)
