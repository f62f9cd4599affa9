"""Accounts: the password policy, and a login tied to a person (and so to a department).

Passwords: at least PASSWORD_MIN_LENGTH characters, not the user name, not one of the common
passwords in app/data/common_passwords.txt. FAB's user forms (app/web/accounts.py), the
`flask create-account` command and the demo all apply it.
"""

from __future__ import annotations

import functools
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app import models as m
from app.domain.roles import role_label
from app.domain.validation import DomainError
from app.extensions import appbuilder, db

COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"


class AccountError(DomainError):
    """An account that cannot be created: why, and which argument is wrong."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message, 422)
        self.param = param


@functools.cache
def common_passwords() -> frozenset[str]:
    """The refused passwords, lower case."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip().lower() for s in lines if s.strip() and not s.startswith("#"))


def password_problem(password: str, username: str | None) -> str | None:
    """Why this password is refused (in the user's language), or None when it is good."""
    minimum = current_app.config.get("PASSWORD_MIN_LENGTH", 8)
    if len(password or "") < minimum:
        return _("密码至少需要 %(count)s 个字符。", count=minimum)
    if username and password.strip().lower() == username.strip().lower():
        return _("密码不能与用户名相同。")
    if password.strip().lower() in common_passwords():
        return _("这个密码太常见，很容易被猜中，请换一个。")
    return None


def create_account(username: str, role: str, password: str, person_id: int | None) -> object:
    """A login with one role, tied to a person (and so to a department) when given."""
    if problem := password_problem(password, username):  # issue 7: the password policy
        raise AccountError(problem, "--password")
    sm = appbuilder().sm
    role_row = sm.find_role(role)
    if role_row is None:
        raise AccountError(f"no role {role!r}; run `flask --app app init` first", "--role")
    if sm.find_user(username=username) is not None:
        raise AccountError(f"account {username!r} exists already", "USERNAME")
    person = db.session.get(m.Person, person_id) if person_id else None
    if person_id and person is None:
        raise AccountError(f"no person with id {person_id}", "--person")
    if person is not None and person.user_id is not None:
        raise AccountError(f"person {person_id} has a login already", "--person")
    email = f"{username}@keyledger.local"
    if person is not None and person.email and sm.find_user(email=person.email) is None:
        email = person.email
    # FAB's first and last name: the person's name and title, or the login and its role
    # (the role's label: the navigation bar shows both names)
    first, last = (person.name, person.title or "-") if person else (username, role_label(role))
    user = sm.add_user(username, first, last, email, role_row, password=password)
    if not user:
        raise AccountError(f"could not create account {username!r}", "USERNAME")
    if person is not None:
        person.user_id = user.id
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()
            db.session.delete(db.session.merge(user))
            db.session.commit()
            raise
    return user
