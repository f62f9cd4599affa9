"""Department row scope: a DeptStaff user of A can neither see nor touch a row of B."""

from __future__ import annotations

import json
import re

import pytest

from app import models as m
from tests.support.database import count
from tests.support.payloads import TABLES, payload
from tests.support.web import csrf_token

SCOPED = ["department", "person", "project", "investment_report", "meeting", "task",
          "extension", "feedback", "supervision", "problem", "compliance"]
# what department A's user may do on each table (the access matrix)
STAFF = {"person": "RAE", "project": "RAE", "investment_report": "RAED", "extension": "RA",
         "feedback": "RAED", "problem": "RAE"}


def options(html: str, field: str) -> set[str]:
    """The option values of a select field in a form."""
    match = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select {field}"
    return set(re.findall(r'value="([^"]*)"', match.group(1))) - {""}


def ids(response) -> set[int]:
    return {row["id"] for row in response.json["result"]}


@pytest.mark.parametrize("table", SCOPED)
def test_staff_cannot_reach_other_department_rows(client, auth, api_token, world, table):
    view, _model = TABLES[table]
    other = world.b[table]
    auth.login("staff_a")
    assert client.get(f"/{view}/show/{other}").status_code == 404
    if "E" in STAFF.get(table, ""):
        assert client.get(f"/{view}/edit/{other}").status_code == 404
    if "D" in STAFF.get(table, ""):
        token = csrf_token(client)
        assert client.post(f"/{view}/delete/{other}", data={"csrf_token": token}).status_code == 404
    headers = api_token("staff_a")
    assert client.get(f"/api/v1/{table}/{other}", headers=headers).status_code == 404
    listed = client.get(f"/api/v1/{table}/?q=(page_size:100)", headers=headers)
    assert world.a[table] in ids(listed) and other not in ids(listed)
    if "E" in STAFF.get(table, ""):
        assert client.put(f"/api/v1/{table}/{other}", json={}, headers=headers).status_code == 404
    if "D" in STAFF.get(table, ""):
        assert client.delete(f"/api/v1/{table}/{other}", headers=headers).status_code == 404


@pytest.mark.parametrize("table", SCOPED)
def test_staff_list_pages_show_only_their_department(client, auth, world, table):
    view, model = TABLES[table]
    auth.login("staff_a")
    html = client.get(f"/{view}/list/?psize_{model.__name__}View=100").get_data(as_text=True)
    shown = set(re.findall(rf'/{view}/show/(\d+)', html))
    assert str(world.a[table]) in shown
    assert str(world.b[table]) not in shown


@pytest.mark.parametrize("table, fields", [
    ("project", ["lead_department", "responsible_person", "lead_leader"]),
    ("problem", ["project", "department", "person"]),
    ("feedback", ["task"]),
    ("extension", ["task"]),
    ("investment_report", ["project"]),
    ("person", ["department"]),
])
def test_drop_downs_list_only_own_department(client, auth, world, table, fields):
    view, _model = TABLES[table]
    auth.login("staff_a")
    html = client.get(f"/{view}/add").get_data(as_text=True)
    other = {"lead_department": world.dept_b, "department": world.dept_b,
             "responsible_person": world.person_b, "lead_leader": world.person_b,
             "person": world.person_b, "project": world.b["project"], "task": world.b["task"]}
    for field in fields:
        values = options(html, field)
        assert values, f"{field} offers nothing"
        assert str(other[field]) not in values


def search_options(html: str, field: str) -> set[str]:
    """The options of a search filter: FAB keeps its widgets as JSON for its script."""
    match = re.search(rf'"{field}": ("\\u003cselect(?:[^"\\]|\\.)*")', html)
    assert match, f"no search filter {field}"
    return options(json.loads(match.group(1)), field)


def test_search_drop_downs_are_scoped(client, auth, world):
    """The page holds only the units its filters apply, in scope; select2 loads the others
    from the choices endpoint, in scope too (issue 19: tests/test_lazy_select.py)."""
    auth.login("staff_a")
    html = client.get("/taskview/list/").get_data(as_text=True)
    assert search_options(html, "department") <= {""}
    other = client.get(f"/taskview/list/?_flt_0_department={world.dept_b}")
    assert search_options(other.get_data(as_text=True), "department") <= {""}
    mine = client.get(f"/taskview/list/?_flt_0_department={world.dept_a}")
    assert search_options(mine.get_data(as_text=True), "department") == {str(world.dept_a)}
    answer = client.get("/taskview/choices/department/").json
    assert {row["id"] for row in answer["results"]} == {world.dept_a}


def test_api_info_lists_only_own_department(client, api_token, world):
    headers = api_token("staff_a")
    info = client.get("/api/v1/problem/_info", headers=headers).json
    related = {f["name"]: {v["id"] for v in f["values"]} for f in info["add_columns"]
               if "values" in f}
    assert related["department"] == {world.dept_a}
    assert world.b["project"] not in related["project"]
    assert world.a["project"] in related["project"]


def test_staff_cannot_file_rows_under_another_department(app, client, auth, api_token, world):
    auth.login("staff_a")
    data = payload("project", world) | {"lead_department": str(world.dept_b)}
    form = {k: str(v) for k, v in data.items()} | {"csrf_token": csrf_token(client)}
    response = client.post("/projectview/add", data=form)
    assert response.status_code == 422  # B is not among the choices: the field stays empty
    problem = payload("problem", world) | {"department": world.dept_b}
    response = client.post("/api/v1/problem/", json=problem, headers=api_token("staff_a"))
    assert response.status_code == 201  # the API forces the user's own department
    from app.extensions import db

    with app.app_context():
        assert db.session.query(m.Project).filter_by(code=data["code"]).count() == 0
        assert db.session.get(m.Problem, response.json["id"]).department_id == world.dept_a


@pytest.mark.parametrize("table, field", [
    ("feedback", "task"), ("extension", "task"), ("investment_report", "project"),
    ("problem", "project"),
])
def test_staff_cannot_attach_rows_to_another_department(app, client, api_token, world,
                                                        table, field):
    _view, model = TABLES[table]
    before = count(app, model)
    data = payload(table, world) | {field: world.b[field]}
    response = client.post(f"/api/v1/{table}/", json=data, headers=api_token("staff_a"))
    assert response.status_code == 404
    assert "不在本单位范围内" in response.json["message"]
    assert count(app, model) == before


def test_staff_cannot_review_their_own_feedback(app, client, api_token, world):
    headers = api_token("staff_a")
    data = payload("feedback", world) | {"review_status": "accepted"}
    response = client.post("/api/v1/feedback/", json=data, headers=headers)
    assert response.status_code == 422  # review_status is not a field of a new feedback
    response = client.post("/api/v1/feedback/", json=payload("feedback", world), headers=headers)
    row = response.json["id"]
    from app.extensions import db

    with app.app_context():
        assert db.session.get(m.Feedback, row).review_status == "submitted"
    response = client.put(f"/api/v1/feedback/{row}", json={"review_status": "accepted"},
                          headers=headers)
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(m.Feedback, row).review_status == "submitted"


def test_user_without_department_sees_nothing(client, auth, api_token):
    headers = api_token("nobody")
    assert client.get("/api/v1/task/", headers=headers).json["count"] == 0
    auth.login("nobody")
    html = client.get("/taskview/list/").get_data(as_text=True)
    assert "/taskview/show/" not in html


def test_list_actions_do_not_reach_other_departments(client, auth, world):
    auth.login("staff_a")
    token = csrf_token(client)
    response = client.post("/feedbackview/action_post",
                           data={"action": "delete", "rowid": [world.b["feedback"]],
                                 "csrf_token": token})
    assert response.status_code == 404
    response = client.post(f"/feedbackview/action/delete/{world.b['feedback']}",
                           data={"csrf_token": token})
    assert response.status_code == 404


def test_rows_record_who_wrote_them_by_form_and_by_api(app, client, api_token, world):
    response = client.post("/api/v1/feedback/", json=payload("feedback", world),
                           headers=api_token("staff_a"))
    from app.extensions import db

    with app.app_context():
        row = db.session.get(m.Feedback, response.json["id"])
        assert row.created_by.username == "staff_a"
        assert row.changed_by.username == "staff_a"
