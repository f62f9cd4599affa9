"""Permissions kept per user and process (issue 19, item 2): a page costs no permission
query, and a change made by an administrator applies on the next request of every process."""

from __future__ import annotations

import re

import pytest
from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import select

from app import models as m
from tests.support.database import counting
from tests.support.web import Auth, csrf_token

PAGES = ["/taskview/list/", "/projectview/list/", "/my/ledger/", "/compliance/"]
ACCESS_TABLES = re.compile(r"ab_permission_view_role|ab_user_role|ab_user_group|ab_group_role"
                           r"|role_scope|\bab_role\b")
SELECT = re.compile(r'<select[^>]*name="permissions"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option([^>]*)value="(\d+)"[^>]*>([^<]*)</option>')


def engine_of(app):
    from app.extensions import db

    with app.app_context():
        return db.engine


def version(app) -> int:
    from app.domain import access_version
    from app.extensions import db

    with app.app_context():
        return access_version.current(db.session)


@pytest.fixture(scope="module")
def other_app(app):
    """A second portal on the same database, as another gunicorn worker would be."""
    from app import create_app
    from config import Config

    class OtherConfig(Config):
        TESTING = True
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        SECRET_KEY = app.config["SECRET_KEY"]
        REDIS_URL = None

    other = create_app(OtherConfig)
    yield other
    from app.extensions import db

    with other.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("username", ["staff_a", "supervisor", "leader", "admin"])
def test_a_second_page_asks_nothing_of_roles_and_permissions(app, client, auth, username):
    auth.login(username)
    engine = engine_of(app)
    for url in PAGES:
        client.get(url)
        with counting(engine) as statements:
            assert client.get(url).status_code in (200, 302)
        asked = [s for s in statements if ACCESS_TABLES.search(s)]
        assert asked == [], f"{url}: {asked}"


def test_a_login_or_a_page_moves_no_version_and_a_rollback_none(app, client, auth):
    before = version(app)
    auth.login("staff_a")
    client.get("/taskview/list/")
    from app.extensions import db

    with app.app_context():
        role = db.session.scalars(select(Role).where(Role.name == "Leader")).one()
        role.permissions = []
        db.session.flush()
        db.session.rollback()
    assert version(app) == before


def role_options(client, role_id: int) -> dict[str, tuple[str, bool]]:
    html = client.get(f"/roles/edit/{role_id}").get_data(as_text=True)
    return {label.strip(): (pk, "selected" in attrs)
            for attrs, pk, label in OPTION.findall(SELECT.search(html).group(1))}


def save_role(client, role_id: int, name: str, permission_ids: list[str]):
    return client.post(f"/roles/edit/{role_id}", data={
        "name": name, "permissions": permission_ids, "csrf_token": csrf_token(client)})


def test_a_role_changed_in_one_process_applies_at_once_in_another(app, other_app, client):
    """权限管理 › 角色列表 in one worker; the other worker's next page, no restart."""
    from app.extensions import db

    with app.app_context():
        role_id = db.session.scalars(select(Role.id).where(Role.name == "DeptStaff")).one()
    staff = other_app.test_client()
    Auth(staff).login("staff_a")
    assert staff.get("/taskview/list/").status_code == 200  # kept in the other process now
    assert staff.get("/taskview/list/").status_code == 200
    Auth(client).login("admin")
    options = role_options(client, role_id)
    granted = [pk for pk, held in options.values() if held]
    read_tasks, _held = options["任务台账：查看"]
    assert read_tasks in granted
    before = version(app)
    assert save_role(client, role_id, "DeptStaff",
                     [pk for pk in granted if pk != read_tasks]).status_code == 302
    try:
        assert version(app) > before
        refused = staff.get("/taskview/list/")
        assert refused.status_code in (302, 403)
    finally:
        assert save_role(client, role_id, "DeptStaff", granted).status_code == 302
    assert staff.get("/taskview/list/").status_code == 200  # and given back, at once too


def test_a_login_tied_to_a_person_in_one_process_sees_its_unit_in_another(app, other_app,
                                                                       world):
    """The person ↔ login tie decides the scope: changed anywhere, seen everywhere."""
    from app.extensions import db

    untied = other_app.test_client()
    Auth(untied).login("nobody")
    assert 'id="login-untied"' in untied.get("/taskview/list/").get_data(as_text=True)
    with app.app_context():
        user_id = db.session.scalars(select(m.User.id).where(m.User.username == "nobody")).one()
        person = m.Person(name="钱临时", department_id=world.dept_a, user_id=user_id)
        db.session.add(person)
        db.session.commit()
        person_id = person.id
    try:
        page = untied.get("/taskview/list/").get_data(as_text=True)
        assert 'id="login-untied"' not in page
        with app.app_context():
            title = db.session.get(m.Task, world.a["task"]).title
        assert title in page
    finally:
        with app.app_context():
            db.session.delete(db.session.get(m.Person, person_id))
            db.session.commit()
    assert 'id="login-untied"' in untied.get("/taskview/list/").get_data(as_text=True)


def test_a_deactivated_user_is_out_at_once_in_another_process(app, other_app):
    """Nothing kept lets a user in: FAB loads the user and their active flag every time."""
    from app.extensions import db

    staff = other_app.test_client()
    Auth(staff).login("staff_b")
    assert staff.get("/taskview/list/").status_code == 200
    with app.app_context():
        user = db.session.scalars(select(m.User).where(m.User.username == "staff_b")).one()
        user.active = False
        db.session.commit()
    try:
        assert staff.get("/taskview/list/").status_code == 302  # to the login page
    finally:
        with app.app_context():
            user = db.session.scalars(select(m.User).where(m.User.username == "staff_b")).one()
            user.active = True
            db.session.commit()


@pytest.mark.parametrize("change, moves", [
    ("person_unit_bulk", True), ("person_phone", False), ("user_last_login_bulk", False),
    ("user_active", True), ("user_added", True), ("unit_parent", True), ("unit_name", False),
    ("role_scope", True),
])
def test_what_moves_the_version_within_the_change_s_transaction(app, world, change, moves):
    """Core statements and the ORM's flush alike; the row changes with the change, so the
    rollback below undoes both."""
    from sqlalchemy import update

    from app.domain import access_version
    from app.extensions import db

    with app.app_context():
        session = db.session
        before = access_version.current(session)
        if change == "person_unit_bulk":
            session.execute(update(m.Person).where(m.Person.id == world.person_a)
                            .values(department_id=world.dept_b))
        elif change == "person_phone":
            session.get(m.Person, world.person_a).phone = "13900000000"
        elif change == "user_last_login_bulk":
            session.execute(update(m.User).where(m.User.username == "staff_a")
                            .values(login_count=m.User.login_count + 1))
        elif change == "user_active":
            session.scalars(select(m.User).where(m.User.username == "staff_a")).one().active = False
        elif change == "user_added":  # no role yet: only the new row says so
            session.add(m.User(username="新登录", first_name="新", last_name="登录",
                               email="new-login@example.cn", active=True))
        elif change == "unit_parent":
            session.get(m.Department, world.dept_b).parent_id = world.dept_a
        elif change == "unit_name":
            session.get(m.Department, world.dept_b).name = "工信局（改）"
        elif change == "role_scope":
            own = select(m.RoleScope).where(m.RoleScope.kind == "own")
            session.scalars(own).first().kind = "all"
        session.flush()
        assert (access_version.current(session) > before) is moves
        session.rollback()
        assert access_version.current(session) == before
