"""Accounts (issue 7): password policy, failed-login limits, cookies, headers, error pages."""

from __future__ import annotations

import itertools
import re
import uuid

import pytest
from sqlalchemy import select

from app.domain.accounts import password_problem
from app.seed.demo import DEMO_ACCOUNTS
from tests.support import services
from tests.support.web import Auth, csrf_token
from tests.support.world import PASSWORD

# addresses of their own for each run: the counts may live in Redis, across runs
_net = uuid.uuid4().int % 250
_addresses = (f"10.{_net}.{i // 250}.{i % 250 + 1}" for i in itertools.count())


@pytest.fixture
def fresh_app(app):
    """Second apps on the session's database, with settings of their own (own limiter);
    their connections are closed afterwards (an open one warns when collected)."""
    from app import create_app
    from app.extensions import db
    from config import Config

    built = []

    def build(**settings):
        attributes = {"TESTING": True, "REDIS_URL": None, "SCHEDULER": False,
                      "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                      **settings}
        built.append(create_app(type("FreshConfig", (Config,), attributes)))
        return built[-1]

    yield build
    for other in built:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def browser(app, address: str | None = None):
    """A test client seen as coming from its own address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address or next(_addresses)
    return client


def login(client, username: str, password: str):
    token = csrf_token(client, "/login/")
    return client.post("/login/", data={"username": username, "password": password,
                                        "csrf_token": token})


def api_login(client, username: str, password: str):
    return client.post("/api/v1/security/login",
                       json={"username": username, "password": password, "provider": "db"})


# --- password policy -------------------------------------------------------------------


@pytest.mark.parametrize(("password", "username", "refused"), [
    ("Ab#1234", "zhang", "至少需要 8 个字符"),
    ("zhangsan2026", "ZhangSan2026", "不能与用户名相同"),
    ("12345678", "zhang", "太常见"),
    ("Password", "zhang", "太常见"),
    ("admin123", "zhang", "太常见"),
    ("88888888", "zhang", "太常见"),
    ("a1234567", "zhang", "太常见"),
])
def test_weak_passwords_are_refused_with_the_reason(app, password, username, refused):
    with app.test_request_context():
        assert refused in password_problem(password, username)


@pytest.mark.parametrize(("username", "password"), [
    *[(name, password) for name, password, *_ in DEMO_ACCOUNTS], ("admin", PASSWORD)])
def test_the_demo_and_test_passwords_pass(app, username, password):
    with app.test_request_context():
        assert password_problem(password, username) is None


def test_cli_create_account_applies_the_policy(app, world):
    name = f"weak{uuid.uuid4().hex[:6]}"
    result = app.test_cli_runner().invoke(
        args=["create-account", name, "--role", "Leader", "--password", "qwerty123"])
    assert result.exit_code != 0 and "太常见" in result.output
    with app.app_context():
        assert app.appbuilder.sm.find_user(username=name) is None


def test_the_add_user_form_applies_the_policy(app, world):
    from flask_appbuilder.security.sqla.models import Role

    from app.extensions import db

    client = browser(app)
    Auth(client).login("admin")
    with app.app_context():
        leader = db.session.scalar(select(Role.id).where(Role.name == "Leader"))
    name = f"newuser{uuid.uuid4().hex[:6]}"
    data = {"first_name": "新", "last_name": "用户", "username": name, "active": "y",
            "email": f"{name}@example.org", "roles": str(leader), "password": name,
            "conf_password": name, "csrf_token": csrf_token(client, "/users/add")}
    refused = client.post("/users/add", data=data)
    assert "密码不能与用户名相同" in refused.get_data(as_text=True)
    with app.app_context():
        assert app.appbuilder.sm.find_user(username=name) is None
    accepted = client.post("/users/add", data=data | {"password": PASSWORD,
                                                       "conf_password": PASSWORD})
    assert accepted.status_code == 302
    with app.app_context():
        assert app.appbuilder.sm.find_user(username=name) is not None


def test_the_reset_password_forms_apply_the_policy(app, world):
    name = f"reset{uuid.uuid4().hex[:6]}"
    created = app.test_cli_runner().invoke(
        args=["create-account", name, "--role", "Leader", "--password", PASSWORD])
    assert created.exit_code == 0, created.output
    client = browser(app)
    Auth(client).login("admin")
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=name).id
    url = f"/resetpassword/form?pk={user}"
    token = csrf_token(client, url)
    refused = client.post(url, data={"password": name.upper(), "conf_password": name.upper(),
                                     "csrf_token": token})
    assert "密码不能与用户名相同" in refused.get_data(as_text=True)
    assert Auth(browser(app)).login(name).status_code == 302  # unchanged
    url = "/resetmypassword/form"
    refused = client.post(url, data={"password": "password123",
                                     "conf_password": "password123", "csrf_token": token})
    assert "太常见" in refused.get_data(as_text=True)
    assert Auth(browser(app)).login("admin").status_code == 302


@pytest.mark.parametrize("role", ["Supervisor", "DeptStaff", "Leader"])
def test_every_role_changes_its_own_password(app, world, role):
    name = f"own{uuid.uuid4().hex[:6]}"
    person = []
    if role == "DeptStaff":
        from app import models as m
        from app.extensions import db

        with app.app_context():
            row = m.Person(name=f"改密{name}", department_id=world.dept_a)
            db.session.add(row)
            db.session.commit()
            person = ["--person", str(row.id)]
    created = app.test_cli_runner().invoke(
        args=["create-account", name, "--role", role, "--password", PASSWORD, *person])
    assert created.exit_code == 0, created.output
    client = browser(app)
    Auth(client).login(name)
    assert client.get("/users/userinfo/").status_code == 200
    url = "/resetmypassword/form"
    token = csrf_token(client, url)
    client.post(url, data={"current_password": PASSWORD, "password": "Qinghe#2027",
                           "conf_password": "Qinghe#2027", "csrf_token": token})
    refused = login(browser(app), name, PASSWORD)  # the old one no longer works
    assert refused.status_code == 302 and "/login/" in refused.location
    assert Auth(browser(app)).login(name, "Qinghe#2027").status_code == 302


# --- failed logins -----------------------------------------------------------------------


def test_guessing_a_password_is_stopped_with_a_chinese_429(app, world):
    client = browser(app)
    for _attempt in range(5):
        failed = login(client, "staff_a", "guess-1234")
        assert failed.status_code == 302 and "/login/" in failed.location
    stopped = login(client, "staff_a", PASSWORD)  # even the right password, from here
    assert stopped.status_code == 429
    assert "登录失败次数过多" in stopped.get_data(as_text=True)
    # the account itself is not locked: its owner logs in from another address
    assert login(browser(app), "staff_a", PASSWORD).status_code == 302
    # and another user at the same address is not stopped
    assert login(client, "staff_b", PASSWORD).status_code == 302


def test_successful_logins_are_not_counted(app, world):
    client = browser(app)
    for _attempt in range(12):
        assert login(client, "leader", PASSWORD).status_code == 302
        Auth(client).logout()


def test_the_api_login_shares_the_limit(app, world):
    client = browser(app)
    for _attempt in range(3):
        assert login(client, "supervisor", "guess-1234").status_code == 302
    for _attempt in range(2):
        assert api_login(client, "supervisor", "guess-1234").status_code == 401
    stopped = api_login(client, "supervisor", PASSWORD)
    assert stopped.status_code == 429 and "登录失败次数过多" in stopped.json["message"]


def test_one_address_trying_many_accounts_is_stopped(app, world, fresh_app):
    """Guessing one password across accounts: the address is stopped (limit lowered here)."""
    strict = fresh_app(AUTH_RATE_LIMIT_ADDRESS="3 per minute")
    client = browser(strict)
    for number in range(10):  # names of no account: not counted (a fuzzer's noise)
        assert api_login(client, f"nosuchuser{number}", "guess-1234").status_code == 401
    for username in ("admin", "supervisor", "leader"):
        assert api_login(client, username, "guess-1234").status_code == 401
    assert api_login(client, "staff_a", PASSWORD).status_code == 429
    assert api_login(browser(strict), "staff_a", PASSWORD).status_code == 200


def test_malformed_login_requests_are_not_counted(app, world):
    client = browser(app)
    for _attempt in range(8):
        assert client.post("/login/", data={"username": "admin", "password": "x"}
                           ).status_code == 400  # no CSRF token: no password was checked
        assert client.post("/api/v1/security/login", json={"username": "admin"}
                           ).status_code == 400
    assert login(client, "admin", PASSWORD).status_code == 302


def test_redis_shares_the_counts_between_workers(app, world, fresh_app):
    """Two apps (two worker processes) on one Redis: failures at one are counted at both."""
    url = services.redis_url()
    settings = {"RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": f"t{uuid.uuid4().hex}"}
    first, second = fresh_app(**settings), fresh_app(**settings)
    address = next(_addresses)
    for _attempt in range(3):
        assert api_login(browser(first, address), "leader", "guess-1234").status_code == 401
    for _attempt in range(2):
        assert api_login(browser(second, address), "leader", "guess-1234").status_code == 401
    assert api_login(browser(first, address), "leader", PASSWORD).status_code == 429
    assert api_login(browser(second, address), "leader", PASSWORD).status_code == 429
    import redis

    server = redis.Redis.from_url(url)
    keys = server.keys(f"*{settings['RATELIMIT_KEY_PREFIX']}*")
    assert keys, "the counts live in Redis"
    server.delete(*keys)


def test_redis_down_logins_still_work(app, world, fresh_app):
    """The limiter falls back to counting in the process; the portal keeps working."""
    down = fresh_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    assert api_login(browser(down), "leader", PASSWORD).status_code == 200


# --- sessions, headers, errors ------------------------------------------------------------


def test_session_cookie_is_httponly_lax_and_expires(app, world):
    client = browser(app)
    response = login(client, "leader", PASSWORD)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie  # plain http in tests: a Secure cookie would never return
    assert app.permanent_session_lifetime.total_seconds() == 8 * 3600


def test_behind_https_the_cookie_is_secure_and_hsts_is_sent(app, world, fresh_app):
    https = fresh_app(PREFERRED_URL_SCHEME="https", SESSION_COOKIE_SECURE=True)
    client = browser(https)
    client.environ_base["wsgi.url_scheme"] = "https"
    response = login(client, "leader", PASSWORD)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)


@pytest.mark.parametrize("url", ["/login/", "/taskview/list/", "/taskview/add",
                                 "/projectview/list/", "/my/ledger/", "/dashboard/",
                                 "/compliance/"])
def test_every_inline_script_carries_the_nonce_of_the_csp(app, world, url):
    client = browser(app)
    if url != "/login/":
        Auth(client).login("admin")
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, url
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline' ;" not in policy
    assert "http" not in policy  # no other host
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    for attributes in SCRIPT.findall(response.get_data(as_text=True)):
        if 'type="application/json"' in attributes:
            continue  # data, not script
        assert f'nonce="{nonce}"' in attributes, (url, attributes)
    for name, value in {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
                        "Referrer-Policy": "same-origin"}.items():
        assert response.headers[name] == value


def test_no_stack_trace_or_sql_reaches_a_user(app, world, api_token):
    from app.extensions import db

    client = browser(app)
    headers = api_token("supervisor")
    with app.app_context():
        from app import models as m

        codes = db.session.scalars(select(m.Project.code).limit(2)).all()
    project = client.get(f"/api/v1/project/?q=(filters:!((col:code,opr:eq,value:'{codes[0]}')))",
                         headers=headers).json["ids"][0]
    duplicate = client.put(f"/api/v1/project/{project}", headers=headers,
                           json={"code": codes[1]})
    assert duplicate.status_code == 422
    body = duplicate.get_data(as_text=True)
    for leak in ("SQL", "sqlite", "psycopg", "UNIQUE", "duplicate key", "Traceback"):
        assert leak not in body, body


def test_an_unexpected_error_shows_a_chinese_page_without_the_trace(app, world, fresh_app):
    broken = fresh_app()

    def boom():
        raise RuntimeError("SELECT secret FROM ab_user")

    broken.add_url_rule("/boom", "boom", boom)
    broken.add_url_rule("/api/v1/boom", "api_boom", boom)
    assert not broken.debug
    page = broken.test_client().get("/boom")
    api = broken.test_client().get("/api/v1/boom")
    assert page.status_code == api.status_code == 500
    assert "系统出现错误" in page.get_data(as_text=True)
    assert api.json == {"message": "系统出现错误，请稍后再试。"}
    for body in (page.get_data(as_text=True), api.get_data(as_text=True)):
        assert "RuntimeError" not in body and "SELECT" not in body and "Traceback" not in body
