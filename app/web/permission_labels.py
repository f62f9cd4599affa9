"""Permissions as an administrator reads them in 权限管理 › 角色列表: "进展反馈：删除", not
FAB's "can delete on Feedback"."""

from __future__ import annotations

from flask import current_app, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.domain.labels import joined
from app.extensions import appbuilder
from app.web.access import request_cache

MENU_RESOURCES = "keyledger.menu_resources"  # set by app/views.py when the menu is built

PERMISSIONS = {
    "can_read": _l("查看"),
    "can_add": _l("新增"),
    "can_edit": _l("编辑"),
    "can_delete": _l("删除"),
    "can_rebuild": _l("重新生成"),
    "can_get": _l("读取"),
    "can_list": _l("列表"),
    "can_show": _l("详情"),
    "can_download": _l("下载"),
    "can_userinfo": _l("个人信息"),
    "can_this_form_get": _l("打开表单"),
    "can_this_form_post": _l("提交表单"),
    "resetmypassword": _l("重设本人密码"),
    "resetpasswords": _l("重设他人密码"),
    "userinfoedit": _l("编辑个人信息"),
    "copyrole": _l("复制角色"),
    "signout": _l("全部下线"),
    "can_signout": _l("下线会话"),
}
# resources that are neither a menu entry nor a titled view
RESOURCES = {
    "HomeView": _l("首页"),
    "UtilView": _l("返回上一页"),
    "LocaleView": _l("切换语言"),
    "LanguageView": _l("切换语言"),
    "AuthDBView": _l("登录"),
    "SecurityApi": _l("登录接口"),
    "MenuApi": _l("菜单接口"),
    "OpenApi": _l("接口文档"),
    "UserInfoEditView": _l("个人信息"),
    "ResetPasswordView": _l("重设他人密码"),
    "ResetMyPasswordView": _l("重设本人密码"),
    "UserDBModelView": _l("用户"),
    "RoleModelView": _l("角色"),
    "UserGroupModelView": _l("用户组"),
    "PermissionModelView": _l("基础权限"),
    "ViewMenuModelView": _l("视图和菜单"),
    "PermissionViewModelView": _l("视图权限"),
    "TaskAssignment": _l("调度会交办"),
    "Urging": _l("督促"),
    "WorkdayCalendar": _l("年度工作日日历"),
}


def _menu_labels() -> dict[str, str]:
    """Menu entries and categories (FAB names them in English) by their label."""
    labels = {}
    for item in appbuilder().menu.get_list():
        labels[item.name] = str(item.label or item.name)
        for child in item.childs:
            if child.name != "-":
                labels[child.name] = str(child.label or child.name)
    return labels


def _view_labels() -> dict[str, str]:
    """Each view's permission name by its title (a model view's list title)."""
    labels = {}
    for view in appbuilder().baseviews:
        name = getattr(view, "class_permission_name", None)
        title = getattr(view, "list_title", None)
        if name and title and name not in labels:
            labels[name] = str(title)
    return labels


def resource_labels() -> dict[str, str]:
    """Every resource (view menu) name the roles may hold, by its Chinese label."""
    cache = request_cache("resource_labels") if has_request_context() else {}
    if "labels" not in cache:
        menu = _menu_labels()
        by_menu = {resource: menu[name]
                   for _cat, name, resource in current_app.extensions[MENU_RESOURCES]
                   if name in menu}
        cache["labels"] = {**_view_labels(), **by_menu,
                           **{k: str(v) for k, v in RESOURCES.items()}, **menu}
    return cache["labels"]


def permission_label(permission_view: object) -> str:
    """One permission on one resource, as "进展反馈：删除" or "菜单：进展反馈"."""
    permission = getattr(getattr(permission_view, "permission", None), "name", "")
    resource = getattr(getattr(permission_view, "view_menu", None), "name", "")
    where = resource_labels().get(resource, resource)
    if permission == "menu_access":
        return _("菜单：%(menu)s", menu=where)
    what = PERMISSIONS.get(permission)
    return _("%(resource)s：%(permission)s", resource=where,
             permission=str(what) if what is not None else permission)


def permission_labels(permission_views: list | None) -> str:
    """A role's permissions in one cell, in the order of their labels."""
    return joined(sorted(map(permission_label, permission_views or [])))
