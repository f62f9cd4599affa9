"""Logins (issue 7): the password policy on FAB's forms, failed-login limits, sessions.

- Passwords: at least PASSWORD_MIN_LENGTH characters, not the user name, not one of the
  common passwords in app/data/common_passwords.txt. FAB's user add and reset-password
  forms call it (FAB_PASSWORD_COMPLEXITY_VALIDATOR), and so does `flask create-account`.
- Logins: Flask-Limiter (FAB's limiter, storage RATELIMIT_STORAGE_URI: Redis when REDIS_URL
  is set, so every worker shares the counts) counts *failed* logins on the form and the
  API, per user name and address (AUTH_RATE_LIMIT) and per address, wrong passwords of
  existing accounts only (AUTH_RATE_LIMIT_ADDRESS).
  Past a limit every attempt, right or wrong, answers 429 until the window passes.
  FAB's own AUTH_RATE_LIMITED limit counts every POST per address, successful logins too:
  an office behind one NAT address would lock itself out, so the security manager leaves
  it off and this module applies the limits instead.
- Sessions: permanent from login on, so the cookie lasts PERMANENT_SESSION_LIFETIME; the
  server ends an idle one sooner (SESSION_IDLE_MINUTES, app/web/sessions.py).
"""

from __future__ import annotations

from flask import Flask, Response, has_request_context, request, session
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, user_logged_in
from werkzeug.middleware.proxy_fix import ProxyFix

from app.domain.accounts import password_problem
from app.extensions import appbuilder

LOGIN_BLUEPRINTS = ("AuthDBView", "SecurityApi")  # the login form, POST /api/v1/security/login
LOGIN_ENDPOINTS = ("AuthDBView.login", "SecurityApi.login")


def check_password(password: str, username: str | None = None) -> None:
    """FAB's password validator: PasswordComplexityValidationError with the reason."""
    problem = password_problem(password, username or _username_of_request())
    if problem:
        raise PasswordComplexityValidationError(problem)


def _username_of_request() -> str | None:
    """Whose password a FAB form sets: the user being added, reset (?pk=), or oneself."""
    if not has_request_context():
        return None
    if request.form.get("username"):
        return request.form["username"]
    sm = appbuilder().sm
    if request.args.get("pk", "").isdecimal():
        user = sm.get_user_by_id(int(request.args["pk"]))
        return getattr(user, "username", None)
    return getattr(sm.current_user, "username", None)


# --- failed logins -------------------------------------------------------------------------


def _login_name() -> str:
    """The user name a login attempt names (form or JSON), normalised."""
    name = request.form.get("username")
    if name is None and request.is_json:
        payload = request.get_json(silent=True)
        name = payload.get("username") if isinstance(payload, dict) else None
    return str(name or "").strip().lower()[:100]


def user_and_address() -> str:
    return f"{_login_name()}@{get_remote_address()}"


def wrong_password(response: Response) -> bool:
    """A login refused for its credentials: the API's 401, the form sent back to log in.

    Requests refused before any password was checked (no CSRF token, a malformed body)
    are not counted: they guess nothing, and a fuzzer's would lock out its own address;
    nor are the blueprints' other routes (a logout, a revoked token's refresh: issue 14).
    """
    if request.endpoint not in LOGIN_ENDPOINTS:
        return False
    if request.blueprint == "SecurityApi":
        return response.status_code == 401
    return response.status_code == 302 and not current_user.is_authenticated


def wrong_password_of_an_account(response: Response) -> bool:
    """A wrong password for an account that exists (what guessing across accounts tries)."""
    return wrong_password(response) and appbuilder().sm.find_user(
        username=_login_name()) is not None


def _refused_message() -> str:
    return _("登录失败次数过多，已暂停从此处登录，请稍后再试。")


def limit_logins(app: Flask) -> None:
    """Apply the failed-login limits to the login form and the API login."""
    limiter = app.extensions["appbuilder"].sm.limiter
    limits = ((app.config["AUTH_RATE_LIMIT"], user_and_address, "login-user", wrong_password),
              (app.config["AUTH_RATE_LIMIT_ADDRESS"], get_remote_address, "login-address",
               wrong_password_of_an_account))
    for value, key, scope, failed in limits:
        shared = limiter.shared_limit(value, scope=scope, key_func=key, methods=["POST"],
                                      deduct_when=failed, error_message=_refused_message)
        for name in LOGIN_BLUEPRINTS:
            shared(app.blueprints[name])


# --- sessions ---------------------------------------------------------------------------


def _permanent_session(_app: Flask, user: object) -> None:
    """From login on, the session's cookie lasts PERMANENT_SESSION_LIFETIME."""
    session.permanent = True


def init_app(app: Flask) -> None:
    """Password policy, failed-login limits, session lifetime, the proxy in front."""
    app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = check_password
    if app.config.get("AUTH_RATE_LIMITED"):
        limit_logins(app)
    user_logged_in.connect(_permanent_session, app)
    proxies = app.config.get("PROXY_COUNT", 0)
    if proxies:  # the address and scheme the client used, from the proxy's headers
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
