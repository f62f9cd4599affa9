"""登录日志 and the list of a user's live sessions (issue 15, item 6).

What an administrator checks: every login by the form or the API, and every logout, is in
安全 › 登录日志 with who, when, from where, with what and why it failed; the page is the
administrator's unless he grants it; a user's page lists their live sessions and 下线 ends
one of them (that browser must log in again, the others go on); everyone sees and ends
their own other sessions from 个人信息.
"""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app import models as m
from app.extensions import db
from tests.support.web import csrf_token
from tests.support.world import PASSWORD
from tests.test_sessions import (  # noqa: F401  (portal: the database and the Redis store)
    browser,
    is_logged_in,
    logged_in,
    new_account,
    portal,
    session_cookie,
)

AGENT = "Mozilla/5.0 (KeyLedger test) " + "x" * 400


def last_rows(app, count: int = 1) -> list[m.LoginLog]:
    with app.app_context():
        rows = db.session.scalars(
            select(m.LoginLog).order_by(m.LoginLog.id.desc()).limit(count)).all()
        db.session.expunge_all()
    return list(rows)


def user_id(app, name: str) -> int:
    with app.app_context():
        return app.appbuilder.sm.find_user(username=name).id


def form_login(client, name: str, password: str):
    token = csrf_token(client, "/login/")
    return client.post("/login/", data={"username": name, "password": password,
                                        "csrf_token": token})


def api_login(client, name: object, password: str):
    return client.post("/api/v1/security/login", json={
        "username": name, "password": password, "provider": "db"})


def agent_browser(app):
    client = browser(app)
    client.environ_base["HTTP_USER_AGENT"] = AGENT
    return client


def label(client) -> str:
    """The label the pages show for this browser's session (the test knows its cookie)."""
    from app.domain.sessions import label_of

    return label_of(hashlib.sha256(session_cookie(client).encode()).hexdigest())


# --- what is recorded ----------------------------------------------------------------------


def test_a_form_login_is_recorded_with_who_when_where_and_what(app, world):
    name = new_account(app)
    client = agent_browser(app)
    assert form_login(client, name, PASSWORD).status_code == 302
    (row,) = last_rows(app)
    assert (row.event, row.channel, row.success, row.reason) == ("login", "form", True, None)
    assert (row.username, row.user_id) == (name, user_id(app, name))
    assert row.address == client.environ_base["REMOTE_ADDR"]
    assert row.user_agent == AGENT[:300]
    assert row.at is not None


def test_failed_form_logins_are_recorded_with_their_reason(app, world):
    name = new_account(app)
    client = agent_browser(app)
    wrong = form_login(client, name, "Wrong#2026x")
    unknown = form_login(client, f"nobody{uuid.uuid4().hex[:6]}", PASSWORD)
    assert wrong.status_code == unknown.status_code == 302
    unknown_row, wrong_row = last_rows(app, 2)
    assert (wrong_row.success, wrong_row.reason, wrong_row.user_id) == (
        False, "wrong_password", user_id(app, name))
    assert (unknown_row.success, unknown_row.reason, unknown_row.user_id) == (
        False, "unknown_user", None)
    # the page says the same for both: which of the two was wrong is not told
    told = [client.get(r.location).get_data(as_text=True) for r in (wrong, unknown)]
    assert "Wrong#2026x" not in told[0]
    with app.app_context():
        values = db.session.execute(select(m.LoginLog.__table__)).all()
    assert not any("Wrong#2026x" in str(v) or PASSWORD in str(v) for v in values)


def test_an_inactive_account_is_recorded_as_such(app, world):
    name = new_account(app)
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=name)
        user.active = False
        db.session.commit()
    form_login(browser(app), name, PASSWORD)
    (row,) = last_rows(app)
    assert (row.success, row.reason, row.user_id) == (False, "inactive", user_id(app, name))


def test_api_logins_are_recorded(app, world):
    name = new_account(app)
    client = agent_browser(app)
    assert api_login(client, name, PASSWORD).status_code == 200
    assert api_login(client, name, "Wrong#2026x").status_code == 401
    failed, succeeded = last_rows(app, 2)
    assert (succeeded.channel, succeeded.success, succeeded.user_id) == (
        "api", True, user_id(app, name))
    assert (failed.channel, failed.success, failed.reason) == ("api", False, "wrong_password")
    assert failed.user_agent == AGENT[:300]


def test_a_logout_is_recorded(app, world):
    name = new_account(app)
    client = logged_in(app, name)
    client.post("/logout/", data={"csrf_token": csrf_token(client)})
    (row,) = last_rows(app)
    assert (row.event, row.success, row.username, row.user_id) == (
        "logout", True, name, user_id(app, name))


def test_the_typed_name_is_stored_without_bidi_or_control_characters(app, world):
    typed = "\u202egnaw\u202c\u200b\x07li" + "n" * 300
    form_login(browser(app), typed, PASSWORD)
    api_login(browser(app), "\u2066admin\u2069\u200f", "Wrong#2026x")
    form_row, = last_rows(app, 2)[1:]
    api_row = last_rows(app)[0]
    assert form_row.username == ("gnawli" + "n" * 300)[:100]
    assert api_row.username == "admin"
    # what FAB looked up was the name as typed, which names no account
    assert (api_row.reason, api_row.user_id) == ("unknown_user", None)


# --- the page ------------------------------------------------------------------------------


def test_the_page_lists_newest_first_with_filters_in_beijing_time(app, world):
    name = new_account(app)
    client = browser(app)
    form_login(client, name, "Wrong#2026x")
    form_login(client, name, PASSWORD)
    admin = logged_in(app, "admin")
    page = admin.get(f"/loginlogview/list/?_flt_3_username={name}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "登录日志" in html and "密码错误" in html and "成功" in html
    assert html.index("label-success") < html.index("密码错误")  # newest first
    failures = admin.get(f"/loginlogview/list/?_flt_3_username={name}&_flt_0_success=n")
    assert "label-success" not in failures.get_data(as_text=True)
    row = next(r for r in last_rows(app, 5) if r.username == name and r.success)
    with app.app_context():
        from app.web.times import local_time

        shown = local_time(row.at)  # Beijing time: 8 hours after the UTC stored
    assert shown[:16] in html
    later = admin.get(f"/loginlogview/list/?_flt_3_username={name}&_flt_0_at=2099-01-01")
    assert "label-success" not in later.get_data(as_text=True)
    assert "密码错误" not in later.get_data(as_text=True)
    earlier = admin.get(f"/loginlogview/list/?_flt_3_username={name}&_flt_1_at=2000-01-01")
    assert "label-success" not in earlier.get_data(as_text=True)
    since = admin.get("/loginlogview/list/", query_string={
        "_flt_3_username": name, "_flt_0_at": shown})
    assert "label-success" in since.get_data(as_text=True)  # the time typed is Beijing's


def test_the_list_exports(app, world):
    admin = logged_in(app, "admin")
    answer = admin.get("/loginlogview/export/")
    assert answer.status_code == 200
    data = answer.get_data()
    answer.close()  # the spooled file goes
    sheet = load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header[:4] == ["时间（北京时间）", "事件", "方式", "用户名"]


@pytest.mark.parametrize("role", ["staff_a", "supervisor", "leader"])
def test_the_page_is_the_administrators(app, world, role):
    client = logged_in(app, role)
    for url in ("/loginlogview/list/", "/loginlogview/export/"):
        answer = client.get(url)
        assert answer.status_code in (302, 403), url
        assert "登录日志" not in answer.get_data(as_text=True)
    assert "/loginlogview/list/" not in client.get("/").get_data(as_text=True)


def test_the_administrator_can_grant_the_page(app, world):
    """权限管理 › 角色列表: a role given 登录日志：查看 (and its menu entries) sees it."""
    grants = (("can_read", "LoginLog"), ("menu_access", "LoginLog"),
              ("menu_access", "Security"))

    def change(grant: bool) -> None:
        with app.app_context():
            sm = app.appbuilder.sm
            role = sm.find_role("Supervisor")
            for permission, resource in grants:
                pv = sm.find_permission_view_menu(permission, resource)
                assert pv is not None, (permission, resource)
                (sm.add_permission_role if grant else sm.del_permission_role)(role, pv)

    change(grant=True)
    try:
        office = logged_in(app, "supervisor")
        assert office.get("/loginlogview/list/").status_code == 200
        assert "/loginlogview/list/" in office.get("/").get_data(as_text=True)
    finally:
        change(grant=False)
    assert logged_in(app, "supervisor").get("/loginlogview/list/").status_code in (302, 403)


# --- live sessions -------------------------------------------------------------------------


def end_session(admin, pk: int, which: str, token: bool = True):
    data = {"session": which}
    if token:
        data["csrf_token"] = csrf_token(admin)
    return admin.post(f"/users/sessions/{pk}/end", data=data)


def test_ending_one_session_leaves_the_others(portal, world):  # noqa: F811
    name = new_account(portal)
    here, there = agent_browser(portal), browser(portal)
    for client in (here, there):
        assert form_login(client, name, PASSWORD).status_code == 302
    admin = logged_in(portal, "admin")
    pk = user_id(portal, name)
    page = admin.get(f"/users/show/{pk}").get_data(as_text=True)
    assert label(here) in page and label(there) in page
    assert here.environ_base["REMOTE_ADDR"] in page and "KeyLedger test" in page
    for secret in (session_cookie(here), hashlib.sha256(session_cookie(here).encode()).hexdigest()):
        assert secret not in page
    assert end_session(admin, pk, label(here), token=False).status_code == 400  # CSRF
    assert is_logged_in(here)
    ended = end_session(admin, pk, label(here))
    assert ended.status_code == 302
    assert not is_logged_in(here)
    assert is_logged_in(there)
    assert is_logged_in(admin)
    page = admin.get(f"/users/show/{pk}").get_data(as_text=True)
    assert label(there) in page


def test_a_department_user_cannot_end_anothers_session(app, world):
    name = new_account(app)
    victim = logged_in(app, name)
    staff = logged_in(app, "staff_a")
    refused = end_session(staff, user_id(app, name), label(victim))
    assert refused.status_code in (302, 403)
    assert is_logged_in(victim)


def test_everyone_ends_their_own_other_sessions(portal, world):  # noqa: F811
    name = new_account(portal, "DeptStaff")
    mine, other = logged_in(portal, name), logged_in(portal, name)
    page = mine.get("/users/userinfo/").get_data(as_text=True)
    assert label(mine) in page and label(other) in page and "当前会话" in page
    assert page.count('name="session"') == 1  # no 下线 for the session one is using
    url = "/users/mysessions/end"
    assert mine.post(url, data={"session": label(other)}).status_code == 400  # CSRF
    itself = mine.post(url, data={"session": label(mine), "csrf_token": csrf_token(mine)})
    assert itself.status_code == 302 and is_logged_in(mine)
    ended = mine.post(url, data={"session": label(other), "csrf_token": csrf_token(mine)})
    assert ended.status_code == 302
    assert not is_logged_in(other)
    assert is_logged_in(mine)


def test_one_cannot_end_another_users_session_from_ones_own_page(app, world):
    victim = logged_in(app, new_account(app))
    me = logged_in(app, new_account(app, "DeptStaff"))
    me.post("/users/mysessions/end", data={"session": label(victim),
                                           "csrf_token": csrf_token(me)})
    assert is_logged_in(victim)


def test_deleting_a_login_keeps_its_records(app, world):
    name = new_account(app)
    form_login(browser(app), name, PASSWORD)
    (row,) = last_rows(app)
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=name)
        db.session.delete(user)
        db.session.commit()
        kept = db.session.get(m.LoginLog, row.id)
        assert kept is not None and kept.username == name
        assert kept.user_id is None
