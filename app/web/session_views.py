"""The account pages that end or change a login (issue 14): logout and the language switch
by POST (the CSRF token checked, as every POST), the current password asked before one's
own is changed, and the administrator's 全部下线 on the user list and page; a user's live
sessions, each with 下线 (issue 15), on the user's page (Admin) and on one's own 个人信息."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security import views as fab_views
from flask_appbuilder.security.decorators import permission_name
from flask_appbuilder.validators import PasswordComplexityValidator
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from werkzeug.security import check_password_hash
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from app.domain import sessions
from app.extensions import db
from app.web.audit_history import zone
from app.web.login_records import logged_out
from app.web.sessions import ServerSession, current_key, restamp
from app.web.times import local_time


class AuthDBView(fab_views.AuthDBView):
    """FAB's login page; logout by POST only (a link or an image elsewhere cannot log one
    out), and it ends every session and token of the user."""

    @expose("/logout/", methods=["POST"])
    def logout(self):
        user = self._get_authenticated_user()
        if user is not None:
            sessions.end_sessions(db.session, user.id)
            db.session.commit()
            logged_out(user)
        locale = session.get("locale")
        response = super().logout()
        session.clear()
        g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)  # the old session's token
        if isinstance(session, ServerSession):
            session.new_id()
        if locale:
            session["locale"] = locale
        return response


class LanguageView(BaseView):
    """中文 / English, by a small form in the navbar (FAB's switch is a GET link)."""

    route_base = "/lang"
    default_view = "switch"

    @expose("/<string:locale>", methods=["POST"])
    def switch(self, locale: str):
        if locale not in self.appbuilder.bm.languages:
            abort(404)
        session["locale"] = locale
        refresh()
        return redirect(self.get_redirect())


def no_switch_by_get(locale: str):
    """FAB's GET /lang/<locale> changes nothing any more."""
    abort(405)


def _current_password(_form: DynamicForm, field: PasswordField) -> None:
    if not check_password_hash(g.user.password, field.data or ""):
        raise ValidationError(_("当前密码不正确。"))


class ChangeOwnPasswordForm(DynamicForm):
    current_password = PasswordField(
        _l("当前密码"), description=_l("为确认是您本人，请输入现在的密码"),
        validators=[DataRequired(message=_l("请输入当前密码。")), _current_password],
        widget=BS3PasswordFieldWidget())
    password = PasswordField(
        _l("新密码"), validators=[DataRequired(), PasswordComplexityValidator()],
        widget=BS3PasswordFieldWidget())
    conf_password = PasswordField(
        _l("确认新密码"),
        validators=[EqualTo("password", message=_l("两次输入的密码不一致。"))],
        widget=BS3PasswordFieldWidget())


class ResetMyPasswordView(fab_views.ResetMyPasswordView):
    """One's own password: the current one first; the other sessions and tokens end,
    this session goes on."""

    form = ChangeOwnPasswordForm

    def form_post(self, form: DynamicForm) -> None:
        super().form_post(form)
        restamp(g.user.id)


class SignOutEverywhere:
    """安全 › 用户列表: end every session and token of the chosen users (Admin)."""

    @action("signout", _l("全部下线"), _l("让所选用户的所有会话和接口令牌立即失效？"),
            "fa-sign-out", multiple=True, single=True)
    def signout(self, items: Any):
        users = [u for u in (items if isinstance(items, list) else [items]) if u is not None]
        if not users:
            abort(404)
        for user in users:
            sessions.end_sessions(db.session, user.id)
        db.session.commit()
        flash(_("已让 %(count)s 个用户全部下线。", count=len(users)), "info")
        if g.user.id in {user.id for user in users}:
            return redirect(current_app.appbuilder.get_url_for_login)  # type: ignore[attr-defined]
        return redirect(self.get_redirect())  # type: ignore[attr-defined]  # the model view's


def moment(stamp: float) -> str:
    """A session's Unix time as the pages show times (Beijing time, to the minute)."""
    return local_time(dt.datetime.fromtimestamp(stamp, zone()))


class SessionList:
    """A user's live sessions: the administrator ends any of them from the user's page
    (the 全部下线 permission), and everyone ends their own others from 个人信息."""

    sessions_template = "security/user_sessions.html"
    datamodel: Any  # the model view's, which this is mixed into
    _base_filters: Any

    def sessions_of(self, user_id: int, mine: bool) -> dict[str, Any]:
        """What the sessions section of a page needs."""
        return {"live_sessions": sessions.live_sessions(user_id, current_key()),
                "moment": moment, "mine": mine, "session_user_id": user_id}

    @expose("/sessions/<int:pk>/end", methods=["POST"])
    @has_access
    @permission_name("signout")
    def end_session(self, pk: int):
        """下线: end one session of the user (its cookie stops working at once)."""
        user = self.datamodel.get(pk, self._base_filters)
        if user is None:
            abort(404)
        _ended(sessions.end_session(user.id, request.form.get("session", "")[:20]))
        return redirect(url_for(".show", pk=pk))

    @expose("/mysessions/end", methods=["POST"])
    @has_access
    @permission_name("userinfo")
    def end_my_session(self):
        """下线 on one's own page: one of one's other sessions (this one: 退出)."""
        label = request.form.get("session", "")[:20]
        key = current_key()
        if key is not None and label == sessions.label_of(key):
            flash(_("这是当前会话；要结束它，请点“退出”。"), "warning")
        else:
            _ended(sessions.end_session(g.user.id, label))
        return redirect(url_for(".userinfo"))


def _ended(done: bool) -> None:
    if done:
        flash(_("已让该会话下线。"), "info")
    else:
        flash(_("该会话已经结束。"), "info")
