"""Sessions that end (issue 14, item 4): server-side sessions (the database, or Redis with
REDIS_URL), tokens revoked with them, logout and the language switch by POST, the current
password asked to change it, an idle timeout, an administrator's 全部下线.

Each test is an attack an outside tester tried: a copied cookie, an old token, a GET link."""

from __future__ import annotations

import itertools
import uuid
from types import SimpleNamespace

import pytest

from tests.support import services
from tests.support.web import Auth, csrf_token
from tests.support.world import PASSWORD

NEW_PASSWORD = "Qinghe#2027"
_net = uuid.uuid4().int % 250
_addresses = (f"10.{_net}.{200 + i // 250}.{i % 250 + 1}" for i in itertools.count())


def browser(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = next(_addresses)
    return client


@pytest.fixture(params=["database", "redis"])
def portal(request, app):
    """The session's app (sessions in the database), or a second app on the same database
    whose sessions live in Redis (REDIS_URL set, a key prefix of its own)."""
    if request.param == "database":
        yield app
        return
    from app import create_app
    from app.extensions import db
    from config import Config

    url = services.redis_url()
    settings = {"TESTING": True, "REDIS_URL": url, "SCHEDULER": False,
                "SESSION_KEY_PREFIX": f"kl-test-{uuid.uuid4().hex}:",
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    other = create_app(type("RedisSessions", (Config,), settings))
    yield other
    import redis

    server = redis.Redis.from_url(url)
    keys = server.keys(f"{settings['SESSION_KEY_PREFIX']}*")
    assert keys, "the sessions lived in Redis"
    server.delete(*keys)
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def new_account(app, role: str = "Leader") -> str:
    name = f"sess{uuid.uuid4().hex[:8]}"
    created = app.test_cli_runner().invoke(
        args=["create-account", name, "--role", role, "--password", PASSWORD])
    assert created.exit_code == 0, created.output
    return name


def logged_in(app, name: str, password: str = PASSWORD):
    client = browser(app)
    Auth(client).login(name, password)
    return client


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def copy_of(app, cookie: str):
    """Another browser holding a copy of the cookie (an attacker's)."""
    thief = browser(app)
    thief.set_cookie("session", cookie)
    return thief


def is_logged_in(client) -> bool:
    """What a user sees: their profile page, or the way back to the login page."""
    response = client.get("/users/userinfo/")
    if response.status_code == 302:
        assert "/login/" in response.location
        return False
    assert response.status_code == 200
    return True


def tokens(client, name: str, password: str = PASSWORD) -> tuple[str, str]:
    answer = client.post("/api/v1/security/login", json={
        "username": name, "password": password, "provider": "db", "refresh": True})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json["access_token"], answer.json["refresh_token"]


def api_works(client, access: str) -> int:
    return client.get("/api/v1/task/", headers={"Authorization": f"Bearer {access}"}).status_code


def refresh_works(client, refresh: str) -> int:
    return client.post("/api/v1/security/refresh",
                       headers={"Authorization": f"Bearer {refresh}"}).status_code


def victim_of(app) -> SimpleNamespace:
    """A new login with a browser session and an API token pair, and its user id."""
    name = new_account(app)
    browser_, api = logged_in(app, name), browser(app)
    access, refresh = tokens(api, name)
    with app.app_context():
        pk = app.appbuilder.sm.find_user(username=name).id
    return SimpleNamespace(name=name, browser=browser_, api=api, access=access,
                           refresh=refresh, pk=pk)


def assert_ended(victim: SimpleNamespace) -> None:
    """The victim's session, access token and refresh token all refused."""
    assert not is_logged_in(victim.browser)
    assert api_works(victim.api, victim.access) == 401
    assert refresh_works(victim.api, victim.refresh) == 401


def logout(client):
    return client.post("/logout/", data={"csrf_token": csrf_token(client)})


def change_own_password(client, current: str | None, new: str = NEW_PASSWORD):
    url = "/resetmypassword/form"
    data = {"password": new, "conf_password": new, "csrf_token": csrf_token(client, url)}
    if current is not None:
        data["current_password"] = current
    return client.post(url, data=data)


# --- logout --------------------------------------------------------------------------------


def test_a_cookie_copied_before_logout_is_refused_after_it(portal, world):
    name = new_account(portal)
    user = logged_in(portal, name)
    thief = copy_of(portal, session_cookie(user))
    assert is_logged_in(thief)  # the copy works while the session lives
    assert logout(user).status_code == 302
    assert not is_logged_in(thief)
    assert not is_logged_in(user)


def test_the_cookie_holds_no_session_data(portal, world):
    """Only a random id travels: what the session holds stays on the server."""
    import base64

    user = logged_in(portal, new_account(portal))
    cookie = session_cookie(user)
    assert "." not in cookie  # no itsdangerous payload.timestamp.signature
    padded = cookie + "=" * (-len(cookie) % 4)
    assert b"_user_id" not in base64.urlsafe_b64decode(padded)


def test_a_cookie_forged_with_the_secret_key_logs_nobody_in(app, world):
    """Flask's signed-cookie sessions: whoever has SECRET_KEY could write `_user_id`."""
    from flask.sessions import SecureCookieSessionInterface

    with app.app_context():
        admin = app.appbuilder.sm.find_user(username="admin").id
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    forged = serializer.dumps({"_user_id": str(admin), "_fresh": True, "locale": "zh"})
    assert not is_logged_in(copy_of(app, forged))


def test_get_logout_does_not_log_out_and_post_needs_the_csrf_token(portal, world):
    user = logged_in(portal, new_account(portal))
    assert user.get("/logout/").status_code == 405  # a link or an <img> on another site
    assert is_logged_in(user)
    assert user.post("/logout/").status_code == 400  # no CSRF token
    assert is_logged_in(user)
    assert logout(user).status_code == 302
    assert not is_logged_in(user)


def test_logout_ends_the_users_tokens_and_other_sessions(portal, world):
    name = new_account(portal)
    here, there = logged_in(portal, name), logged_in(portal, name)
    api = browser(portal)
    access, refresh = tokens(api, name)
    assert api_works(api, access) == 200
    logout(here)
    assert not is_logged_in(there)
    assert api_works(api, access) == 401
    assert refresh_works(api, refresh) == 401
    assert "重新登录" in api.get("/api/v1/task/", headers={
        "Authorization": f"Bearer {access}"}).json["message"]


def test_the_navbar_logs_out_by_a_form_with_the_csrf_token(app, world):
    user = logged_in(app, new_account(app))
    html = user.get("/").get_data(as_text=True)
    assert 'href="/logout/"' not in html
    assert 'action="/logout/" method="post"' in html
    assert 'href="/lang/' not in html
    assert 'action="/lang/en" method="post"' in html


# --- the language switch -------------------------------------------------------------------


def test_the_language_switch_by_get_changes_nothing(portal, world):
    user = logged_in(portal, new_account(portal))
    user.get("/lang/en")
    assert "重点项目" in user.get("/projectview/list/").get_data(as_text=True)
    assert user.post("/lang/en").status_code == 400  # no CSRF token
    switched = user.post("/lang/en", data={"csrf_token": csrf_token(user)})
    assert switched.status_code == 302
    assert "Key projects" in user.get("/projectview/list/").get_data(as_text=True)
    user.post("/lang/zh", data={"csrf_token": csrf_token(user)})
    assert "重点项目" in user.get("/projectview/list/").get_data(as_text=True)


# --- passwords -----------------------------------------------------------------------------


def test_an_own_password_change_needs_the_current_password(app, world):
    name = new_account(app)
    user = logged_in(app, name)
    missing = change_own_password(user, None)
    assert "请输入当前密码" in missing.get_data(as_text=True)
    wrong = change_own_password(user, "Wrong#2026x")
    assert "当前密码不正确" in wrong.get_data(as_text=True)
    assert Auth(browser(app)).login(name, PASSWORD)  # unchanged
    assert change_own_password(user, PASSWORD).status_code == 302
    assert Auth(browser(app)).login(name, NEW_PASSWORD)


def test_an_own_password_change_ends_the_old_tokens_and_other_sessions(portal, world):
    name = new_account(portal)
    user, elsewhere = logged_in(portal, name), logged_in(portal, name)
    api = browser(portal)
    access, refresh = tokens(api, name)
    assert change_own_password(user, PASSWORD).status_code == 302
    assert api_works(api, access) == 401
    assert refresh_works(api, refresh) == 401
    assert not is_logged_in(elsewhere)
    assert is_logged_in(user)  # who changed it stays in
    fresh, _refresh = tokens(api, name, NEW_PASSWORD)
    assert api_works(api, fresh) == 200


def test_an_admin_password_reset_ends_the_users_sessions_and_tokens(portal, world):
    victim = victim_of(portal)
    admin = logged_in(portal, "admin")
    url = f"/resetpassword/form?pk={victim.pk}"
    reset = admin.post(url, data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD,
                                  "csrf_token": csrf_token(admin, url)})
    assert reset.status_code == 302
    assert_ended(victim)
    assert is_logged_in(admin)


def test_deactivating_a_user_ends_their_sessions_and_tokens(app, world):
    victim = victim_of(app)
    with app.app_context():
        from app.extensions import db

        user = app.appbuilder.sm.find_user(username=victim.name)
        user.active = False
        db.session.commit()
        user.active = True  # and back on: the old sessions and tokens stay dead
        db.session.commit()
    assert_ended(victim)


def test_sign_out_everywhere_from_the_user_list(portal, world):
    victim = victim_of(portal)
    admin = logged_in(portal, "admin")
    show = admin.get(f"/users/show/{victim.pk}").get_data(as_text=True)
    assert "全部下线" in show
    url = f"/users/action/signout/{victim.pk}"
    assert admin.get(url).status_code in (302, 405)  # not by GET
    assert is_logged_in(victim.browser)
    ended = admin.post(url, data={"csrf_token": csrf_token(admin)})
    assert ended.status_code == 302
    assert_ended(victim)
    assert is_logged_in(admin)
    assert is_logged_in(logged_in(portal, victim.name))  # the user may log in again


def test_sign_out_everywhere_is_the_administrators(app, world):
    name = new_account(app)
    victim = logged_in(app, name)
    with app.app_context():
        pk = app.appbuilder.sm.find_user(username=name).id
    office = logged_in(app, "supervisor")
    refused = office.post(f"/users/action/signout/{pk}", data={"csrf_token": csrf_token(office)})
    assert refused.status_code in (302, 403)
    assert is_logged_in(victim)


# --- idle timeout --------------------------------------------------------------------------


def test_an_idle_session_ends(portal, world, monkeypatch):
    from app.domain import sessions

    user = logged_in(portal, new_account(portal))
    idle = portal.config["SESSION_IDLE_MINUTES"]
    assert idle == 30
    start = sessions.now()
    monkeypatch.setattr(sessions, "now", lambda: start + (idle - 1) * 60)
    assert is_logged_in(user)  # 29 minutes: still in, and the clock starts again
    monkeypatch.setattr(sessions, "now", lambda: start + (2 * idle - 2) * 60)
    assert is_logged_in(user)
    monkeypatch.setattr(sessions, "now", lambda: start + (3 * idle) * 60)
    assert not is_logged_in(user)


def test_anonymous_api_calls_store_no_session(app, world):
    """A JWT client sends no cookie: its calls must not leave a session each behind."""
    api = browser(app)
    access, _refresh = tokens(api, "leader")
    api.delete_cookie("session")
    for _call in range(3):
        response = api.get("/api/v1/task/", headers={"Authorization": f"Bearer {access}"})
        assert response.status_code == 200
        assert not any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))
