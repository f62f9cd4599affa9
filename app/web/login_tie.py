"""The person ↔ login tie as the administrator makes it: the 登录账号 picker of the person form
(real name in 姓名 order and the user name, so either can be typed; no login tied to someone
else) and, on the user screens, the person a login is tied to, with a link to edit it."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, request, url_for
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from app import models as m
from app.domain.access import untied
from app.extensions import db

CJK = re.compile(r"^[\u3400-\u9fff·]+$")


def real_name(user: Any) -> str:
    """A login's real name: 姓 then 名 when both are Chinese (李晓梅), else FAB's order."""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if CJK.match(first) and CJK.match(last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def tied_person(user: Any) -> m.Person | None:
    """The person a login is tied to, if any."""
    if user is None or user.id is None:
        return None
    return db.session.scalar(select(m.Person).where(m.Person.user_id == user.id))


def login_label(user: Any) -> str:
    """How the picker lists a login: the person's name (or the login's real name) and the
    user name — "李晓梅（lixm）"."""
    person = tied_person(user)
    return _("%(name)s（%(username)s）", name=person.name if person else real_name(user),
             username=user.username)


class FreeLoginFilter(BaseFilter):
    """The logins a person form may offer: tied to no person, or to the person edited."""

    name = "free login"
    arg_name = None

    def apply(self, query: Any, value: Any) -> Any:
        editing = (request.view_args or {}).get("pk")
        tied = select(m.Person.user_id).where(m.Person.user_id.is_not(None))
        if editing is not None and str(editing).isdigit():
            tied = tied.where(m.Person.id != int(editing))
        return query.filter(self.model.id.not_in(tied))


FREE_LOGIN = [["id", FreeLoginFilter, None]]


def person_link(person: m.Person | None) -> Markup:
    """The person a login is tied to, linked to that person's edit form; or where to tie it."""
    if person is None:
        return Markup('<a href="{}">{}</a>').format(
            url_for("PersonView.list"), _("未关联（在“责任人”中选择登录账号）"))
    return Markup('<a href="{}">{}</a>').format(
        url_for("PersonView.edit", pk=person.id), escape(person.name))


def init_app(app: Flask) -> None:
    """Every page tells a department user whose login is tied to no person why they see
    nothing, and whom to ask (keyledger_base.html)."""
    app.jinja_env.globals["login_untied"] = untied
