"""The 登录日志's hooks in requests (issue 15): FAB's password check, which the login form
and POST /api/v1/security/login both call, and the logout (app/web/session_views.py)."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from app.domain import login_log
from app.domain.login_log import Attempt


def _channel() -> str:
    return "api" if request.blueprint == "SecurityApi" else "form"


def _failure(sm: Any, username: object) -> tuple[str, Any]:
    """Why FAB refused the login, and the account named (FAB's page says the same for
    every reason; only the administrator's list tells them apart)."""
    known = None
    if isinstance(username, str) and username:
        known = sm.find_user(username=username) or sm.find_user(email=username)
    if known is None:
        return login_log.UNKNOWN_USER, None
    if not known.is_active:
        return login_log.INACTIVE, known
    return login_log.WRONG_PASSWORD, known


def _attempt(event: str, username: object, success: bool, user_id: int | None,
             reason: str | None = None) -> Attempt:
    return Attempt(event=event, channel=_channel(), username=username, success=success,
                   user_id=user_id, reason=reason, address=request.remote_addr,
                   user_agent=request.user_agent.string)


def login_attempted(sm: Any, username: object, user: Any) -> None:
    """Record a login by password: its user if it succeeded, else why it failed."""
    if not has_request_context():
        return
    if user is not None:
        attempt = _attempt("login", username, True, user.id)
    else:
        reason, known = _failure(sm, username)
        attempt = _attempt("login", username, False, getattr(known, "id", None), reason)
    login_log.record(attempt)


def logged_out(user: Any) -> None:
    """Record a logout by the form."""
    login_log.record(_attempt("logout", user.username, True, user.id))
