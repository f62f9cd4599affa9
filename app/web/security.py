"""The security manager: FAB's account and role screens in Chinese, and `flask init`'s sync of
the roles of app/domain/roles.py into the database."""

from __future__ import annotations

import logging
from typing import Any

from flask import abort, current_app, g, request
from flask_appbuilder import expose, has_access
from flask_appbuilder.security import views as fab_views
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import (
    PermissionViewModelView,
    RoleModelView,
    UserDBModelView,
    UserGroupModelView,
)
from flask_appbuilder.widgets import ListWidget, ShowWidget
from flask_babel import lazy_gettext as _l

from app.domain.roles import READ, ROLE_PERMISSIONS, ROLES, role_label
from app.web.access import request_actor
from app.web.login_records import login_attempted
from app.web.login_tie import person_link
from app.web.permission_labels import permission_label, permission_labels
from app.web.role_scope import SCOPE_FIELDS, RoleInterface, RoleScopeForms, default_scope
from app.web.security_labels import RoleLabelledForms, blank, joined_text, roles_text, yes_no
from app.web.session_views import (
    AuthDBView,
    LanguageView,
    ResetMyPasswordView,
    SessionList,
    SignOutEverywhere,
    no_switch_by_get,
)
from app.web.times import server_time

logger = logging.getLogger(__name__)

class SecurityRoutes:
    """FAB's security screens without their 500s (issue 7's route test found them): an
    unknown action answered an AttributeError to anyone, logged in or not, and the
    file-column download a KeyError; no security table keeps files."""

    actions: dict[str, Any]  # the model view's, which this is mixed into

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name: str, pk: str):
        if name not in self.actions:
            abort(404)
        return super().action(name, pk)  # type: ignore[misc]  # the model view's

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        if request.form.get("action") not in self.actions:
            abort(404)
        return super().action_post()  # type: ignore[misc]  # the model view's

    @expose("/download/<string:filename>")
    @has_access
    def download(self, filename: str):
        abort(404)


class UserView(SecurityRoutes, SignOutEverywhere, SessionList, RoleLabelledForms,
               UserDBModelView):
    """FAB's user screens, with Chinese values instead of True/None/[Admin], 全部下线, and
    the user's live sessions with 下线 (on their page, and on one's own 个人信息)."""

    class_permission_name = "UserDBModelView"  # keep FAB's permission names
    list_columns = [*UserDBModelView.list_columns, "person"]
    show_fieldsets = [(title, {**fields, "fields": [*fields["fields"], "person"]} if i == 0
                       else fields) for i, (title, fields)
                      in enumerate(UserDBModelView.show_fieldsets)]
    label_columns = {**UserDBModelView.label_columns, "person": _l("关联责任人")}
    add_template = "security/user_add.html"  # with where the tie is made
    edit_template = "security/user_edit.html"
    formatters_columns = {
        "person": person_link,
        "active": yes_no, "roles": roles_text, "groups": joined_text,
        **{name: blank for name in ("login_count", "fail_login_count", "created_by",
                                     "changed_by")},
        **{name: server_time for name in ("last_login", "created_on", "changed_on")},
    }

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk: str):
        """FAB's user form, which says to whom the login is tied, with a link to edit it."""
        item = self.datamodel.get(pk, self._base_filters)
        g.login_person = person_link(item.person if item is not None else None)
        return super().edit(pk)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: str):
        """FAB's user page, whose actions are 重设他人密码 and 全部下线."""
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        actions = {name: self.actions[name] for name in ("resetpasswords", "signout")}
        widgets = self._get_show_widget(pk, item, actions=actions)
        self.update_redirect()
        return self.render_template(self.sessions_template, pk=pk, title=self.show_title,
                                    widgets=widgets, appbuilder=self.appbuilder,
                                    related_views=self._related_views,
                                    **self.sessions_of(item.id, mine=False))

    @expose("/userinfo/")
    @has_access
    def userinfo(self):
        """FAB's 个人信息, and one's live sessions with 下线 for the others."""
        actions = {name: self.actions[name] for name in ("resetmypassword", "userinfoedit")}
        item = self.datamodel.get(g.user.id, self._base_filters)
        widgets = self._get_show_widget(g.user.id, item, actions=actions,
                                        show_fieldsets=self.user_show_fieldsets)
        self.update_redirect()
        return self.render_template(self.sessions_template, title=self.user_info_title,
                                    widgets=widgets, appbuilder=self.appbuilder,
                                    **self.sessions_of(g.user.id, mine=True))


class RoleView(SecurityRoutes, RoleScopeForms, RoleModelView):
    """FAB's role screens, with the role's 数据范围 (issue 15), kept in role_scope beside
    FAB's ab_role and saved in the same transaction as the role."""

    class_permission_name = "RoleModelView"
    label_columns = {**RoleModelView.label_columns, "user": _l("用户"), "groups": _l("用户组"),
                     "data_scope": _l("数据范围"), "scope_departments": _l("指定单位")}
    formatters_columns = {"name": role_label, "permissions": permission_labels}
    add_columns = edit_columns = ["name", "permissions", "data_scope", "scope_departments"]
    list_columns = ["name", "data_scope", "permissions"]
    show_columns = ["name", "data_scope", "permissions"]
    add_form_extra_fields = edit_form_extra_fields = SCOPE_FIELDS
    # FAB's role widgets skip formatters; what they add is for FAB_ROLES, which we do not use
    list_widget = ListWidget
    show_widget = ShowWidget
    edit_template = "security/role_edit.html"  # the role's Chinese name above FAB's form

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk: str):
        """FAB's role form, headed by the role's label (责任单位人员, not DeptStaff); the
        stored name stays as it is, what the code and `flask init` know the role by."""
        item = self.datamodel.get(pk, self._base_filters)
        g.role_label = role_label(item) if item is not None else None
        return super().edit(pk)

    def _init_forms(self) -> None:
        """The permission drop-downs list "进展反馈：删除", not "can delete on Feedback"."""
        super()._init_forms()
        for form in (self.add_form, self.edit_form, self.search_form):
            field = getattr(form, "permissions", None)
            if field is not None:
                field.kwargs["get_label"] = permission_label


class GroupView(SecurityRoutes, RoleLabelledForms, UserGroupModelView):
    class_permission_name = "UserGroupModelView"
    label_columns = {"name": _l("名称"), "label": _l("显示名称"), "description": _l("说明"),
                     "users": _l("用户"), "roles": _l("角色")}
    formatters_columns = {"roles": roles_text, "users": joined_text, "label": blank,
                          "description": blank}


class PermissionOnViewView(SecurityRoutes, RoleLabelledForms, PermissionViewModelView):
    class_permission_name = "PermissionViewModelView"
    label_columns = {**PermissionViewModelView.label_columns, "role": _l("角色")}
    role_fields = ("role",)


class PermissionModelView(SecurityRoutes, fab_views.PermissionModelView):
    """FAB's permission list (same name: same endpoints and permissions)."""


class ViewMenuModelView(SecurityRoutes, fab_views.ViewMenuModelView):
    """FAB's resource list (same name: same endpoints and permissions)."""


class KeyLedgerSecurityManager(SecurityManager):
    """FAB's security manager, with the roles of DESIGN.md synced by `flask init`."""

    userdbmodelview = UserView
    rolemodelview = RoleView
    permissionviewmodelview = PermissionOnViewView
    groupmodelview = GroupView
    permissionmodelview = PermissionModelView
    viewmenumodelview = ViewMenuModelView
    userstatschartview = None  # it loads Google Charts from the internet
    authdbview = AuthDBView  # logout by POST (issue 14)
    resetmypasswordview = ResetMyPasswordView  # the current password first

    def register_views(self) -> None:
        """FAB's, and the language switch by POST in place of FAB's GET link; the role
        screens show each role's 数据范围."""
        self.rolemodelview.datamodel = RoleInterface(self.role_model)
        super().register_views()
        self.appbuilder.bm.locale_view = self.appbuilder.add_view_no_menu(LanguageView())
        current_app.view_functions["LocaleView.index"] = no_switch_by_get

    def auth_user_db(self, username: str, password: str) -> Any:
        """FAB's password check (the login form and the API's), recorded in the 登录日志."""
        user = super().auth_user_db(username, password)
        login_attempted(self, username, user)
        return user

    @property
    def is_auth_limited(self) -> bool:
        """Off for FAB's own limit, which counts successful logins too: app.web.accounts applies
        AUTH_RATE_LIMIT to failed logins only, per user name and address (issue 7)."""
        return False

    def _has_view_access(self, user: object, permission_name: str, view_name: str) -> bool:
        """FAB asks once per menu entry and button; load the user's permissions once a request.

        Read from the database at every request, so a change made in Security › List
        Roles applies from the next page on.
        """
        actor = request_actor()
        if actor is None or actor.user_id is None or actor.user_id != getattr(user, "id", None):
            return super()._has_view_access(user, permission_name, view_name)
        return actor.may(permission_name, view_name)

    def sync_roles(
        self, menus: list[tuple[str, str, str]], reset: bool = False
    ) -> dict[str, int]:
        """Create the four roles; grant each the permissions it lacks on new resources.

        `menus` lists (category, menu entry, resource) of every menu entry. An
        existing role keeps what an admin changed in Security › List Roles, except
        with `reset`, which puts every role back to its definition.
        """
        added: dict[str, int] = {}
        for role_name in ROLES:
            role = self.find_role(role_name)
            created = role is None
            if created:
                role = self.add_role(role_name)
            default_scope(self.session, role, role_name, reset)  # issue 15: 数据范围
            if role_name == "Admin":
                continue
            wanted = self._role_permission_views(role_name, menus)
            if reset:
                role.permissions = []
            granted = set(map(id, role.permissions))
            fresh = created or reset
            count = 0
            for pv in wanted:
                if id(pv) in granted:
                    continue
                if fresh or pv.view_menu.name in self._new_view_menus:
                    self.add_permission_role(role, pv)
                    count += 1
            added[role_name] = count
        self.session.commit()
        return added

    _new_view_menus: set[str] = set()

    def remember_new_view_menus(self, before: set[str]) -> None:
        """Note the resources created by this sync, so roles are granted them."""
        now = {vm.name for vm in self.get_all_view_menu()}
        self._new_view_menus = now - before

    def _role_permission_views(self, role_name: str, menus: list[tuple[str, str, str]]) -> list:
        grants = ROLE_PERMISSIONS[role_name]
        pvs = []
        for resource, perms in grants.items():
            for perm in perms:
                pv = self.find_permission_view_menu(perm, resource)
                if pv is not None:
                    pvs.append(pv)
        readable = [(cat, name) for cat, name, res in menus if READ in grants.get(res, ())]
        for menu in {name for _cat, name in readable} | {cat for cat, _name in readable}:
            pv = self.find_permission_view_menu("menu_access", menu)
            if pv is not None:
                pvs.append(pv)
        return pvs
