"""权限管理 › 登录日志 (issue 15): every login attempt and logout, newest first, searchable by user
name, outcome, kind and a period in Beijing time, exported like every list.

Read-only: the view has the read permission only (resource "LoginLog"), which no built-in
role but Admin holds; an administrator may grant it to another role in 角色列表. Rows are
written by app/domain/login_log.py, never through a page.
"""

from __future__ import annotations

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import SelectField, StringField
from wtforms.validators import Optional

from app import models as m
from app.domain import choices
from app.domain.labels import LABELS
from app.web.crud_base import ScopedModelView, interface
from app.web.crud_kit import ChoiceFilterConverter, SearchFilters
from app.web.times import local_time


class FilterOutcome(BaseFilter):
    name = _l("等于")
    arg_name = "outcome"

    def apply(self, query, value):
        if value not in ("y", "n"):
            return query
        return query.filter(m.LoginLog.success.is_(value == "y"))


class LoginLogFilters(ChoiceFilterConverter):
    """The time searched as a period in Beijing time; the outcome as 成功 / 失败."""

    def convert(self, col_name: str) -> list | None:
        if col_name == "success":
            return [FilterOutcome(col_name, self.datamodel)]
        return super().convert(col_name)


def outcome(value: bool | None) -> Markup | str:
    if value is None:
        return ""
    style, text = ("success", _l("成功")) if value else ("danger", _l("失败"))
    return Markup('<span class="label label-{}">{}</span>').format(style, text)


OUTCOMES = {"y": _l("成功"), "n": _l("失败")}


def _choice(label: str, options: dict) -> SelectField:
    """A search drop-down: empty (any) or one of the options."""
    return SelectField(label, choices=[("", ""), *choices.pairs(options)],
                       validators=[Optional()])


COLUMN_LABELS = {"at": _l("时间（北京时间）"), "event": _l("事件"), "channel": _l("方式"),
                 "username": _l("用户名"), "success": _l("结果"), "reason": _l("失败原因"),
                 "address": _l("地址"), "user_agent": _l("浏览器或客户端")}


class LoginLogView(ScopedModelView):
    """登录日志: who logged in or tried to, when, from where, with what (Admin)."""

    datamodel = interface(m.LoginLog)
    class_permission_name = "LoginLog"
    resource = "LoginLog"
    base_permissions = ["can_read"]
    list_title = _l("登录日志")
    show_title = _l("查看登录日志")
    list_columns = ["at", "event", "channel", "username", "success", "reason", "address",
                    "user_agent"]
    show_columns = list_columns
    order_columns = ["at", "username", "address"]
    search_columns = ["username", "success", "at", "event", "channel", "reason", "address"]
    base_order = ("at", "desc")
    page_size = 50
    label_columns = {**LABELS, **COLUMN_LABELS}
    formatters_columns = {"at": local_time, "success": outcome}
    search_form_extra_fields = {
        "success": _choice(COLUMN_LABELS["success"], OUTCOMES),
        "event": _choice(COLUMN_LABELS["event"], choices.LOGIN_EVENT),
        "channel": _choice(COLUMN_LABELS["channel"], choices.LOGIN_CHANNEL),
        "reason": _choice(COLUMN_LABELS["reason"], choices.LOGIN_REASON),
        "at": StringField(COLUMN_LABELS["at"], validators=[Optional()],
                          widget=BS3TextFieldWidget(),
                          description=_l("如 2026-12-03 或 2026-12-03 08:00")),
    }

    def _init_properties(self) -> None:
        super()._init_properties()
        self._filters = SearchFilters(LoginLogFilters, self.datamodel, self.search_columns)
