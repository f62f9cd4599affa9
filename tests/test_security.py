"""CSRF on every state-changing request, and role changes made in Security › List Roles."""

from __future__ import annotations

import re

import pytest
from flask_appbuilder.security.sqla.models import Role

from app import models as m
from tests.support import database
from tests.support.payloads import payload
from tests.support.web import csrf_token


def test_add_without_token_is_refused(app, client, auth, world):
    auth.login("supervisor")
    before = database.count(app, m.Department)
    response = client.post("/departmentview/add", data={"name": "无令牌局", "kind": "other"})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert database.count(app, m.Department) == before


@pytest.mark.parametrize("method", ["post", "get"])
def test_delete_without_token_deletes_nothing(app, client, auth, api_token, world, method):
    created = client.post("/api/v1/holiday/", json=payload("holiday", world),
                          headers=api_token("admin")).json["id"]
    auth.login("admin")
    getattr(client, method)(f"/holidayview/delete/{created}")
    from app.extensions import db

    with app.app_context():
        assert db.session.get(m.Holiday, created) is not None


def test_edit_and_actions_without_token_are_refused(client, auth, world):
    auth.login("supervisor")
    response = client.post(f"/taskview/edit/{world.a['task']}", data={"title": "改了"})
    assert response.status_code == 400
    response = client.post("/taskview/action_post", data={"action": "x", "rowid": ["1"]})
    assert response.status_code == 400


def test_login_without_token_is_refused(client):
    response = client.post("/login/", data={"username": "admin", "password": "x"})
    assert response.status_code == 400


def test_api_does_not_accept_the_session_cookie(app, client, auth, world):
    """The API is CSRF-exempt because it takes a JWT only, never the browser's cookie."""
    auth.login("admin")
    before = database.count(app, m.Holiday)
    response = client.post("/api/v1/holiday/", json=payload("holiday", world))
    assert response.status_code == 401
    assert database.count(app, m.Holiday) == before


SELECT = re.compile(r'<select[^>]*name="permissions"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option([^>]*)value="(\d+)"[^>]*>([^<]*)</option>')


def role_permissions(client, role_id: int) -> dict[str, tuple[str, bool]]:
    """The role's permission options on its edit page: label -> (id, selected)."""
    html = client.get(f"/roles/edit/{role_id}").get_data(as_text=True)
    return {label.strip(): (pk, "selected" in attrs)
            for attrs, pk, label in OPTION.findall(SELECT.search(html).group(1))}


def save_role(client, role_id: int, name: str, permission_ids: list[str]):
    return client.post(f"/roles/edit/{role_id}", data={
        "name": name, "permissions": permission_ids, "csrf_token": csrf_token(client)})


def test_permission_removed_in_security_ui_takes_effect(app, client, auth, api_token, world):
    from app.extensions import db

    with app.app_context():
        role_id = db.session.query(Role).filter_by(
            name="DeptStaff").one().id
    feedback = client.post("/api/v1/feedback/", json=payload("feedback", world),
                           headers=api_token("staff_a")).json["id"]
    auth.login("staff_a")
    listing = client.get("/feedbackview/list/").get_data(as_text=True)
    assert f"/feedbackview/delete/{feedback}" in listing  # the button, before the change
    auth.logout()
    auth.login("admin")
    options = role_permissions(client, role_id)
    granted = [pk for pk, selected in options.values() if selected]
    delete_feedback, _ = options["进展反馈：删除"]  # app.web.permission_labels
    assert delete_feedback in granted
    assert save_role(client, role_id, "DeptStaff",
                     [pk for pk in granted if pk != delete_feedback]).status_code == 302
    try:
        response = client.delete(f"/api/v1/feedback/{feedback}", headers=api_token("staff_a"))
        assert response.status_code == 403
        auth.logout()
        auth.login("staff_a")
        listing = client.get("/feedbackview/list/").get_data(as_text=True)
        assert f"/feedbackview/show/{feedback}" in listing
        assert f"/feedbackview/delete/{feedback}" not in listing
        response = client.post(f"/feedbackview/delete/{feedback}",
                               data={"csrf_token": csrf_token(client)})
        assert response.status_code == 403
    finally:
        auth.logout()
        auth.login("admin")
        save_role(client, role_id, "DeptStaff", granted)
    response = client.delete(f"/api/v1/feedback/{feedback}", headers=api_token("staff_a"))
    assert response.status_code == 200


def test_admin_ties_a_login_to_a_person_in_the_ui(app, client, auth, world):
    from app.extensions import db

    with app.app_context():
        person = m.Person(name="孙绑定", department_id=world.dept_b)
        db.session.add(person)
        db.session.commit()
        person_id = person.id
    result = app.test_cli_runner().invoke(args=[
        "create-account", "sun", "--role", "DeptStaff", "--password", "Ledger#2026"])
    assert result.exit_code == 0, result.output
    user_id = database.user_id(app, "sun")
    form = {"name": "孙绑定", "department": str(world.dept_b), "user": str(user_id)}
    auth.login("supervisor")
    response = client.post(f"/personview/edit/{person_id}",
                           data=form | {"csrf_token": csrf_token(client)})
    assert response.status_code == 403  # the office may not hand out logins
    auth.logout()
    auth.login("admin")
    response = client.post(f"/personview/edit/{person_id}",
                           data=form | {"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(m.Person, person_id).user_id == user_id
    auth.logout()
    auth.login("sun")  # and the new login now sees department B's rows
    assert f"/taskview/show/{world.b['task']}" in client.get("/taskview/list/").get_data(
        as_text=True)
