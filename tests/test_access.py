"""The access matrix: every table, every route, every role gets exactly what DESIGN.md grants."""

from __future__ import annotations

import pytest

from tests.support.database import count
from tests.support.payloads import TABLES, payload
from tests.support.web import csrf_token

# What each role may do on each table: Read, Add, Edit, Delete (DESIGN.md, "Who uses it").
ALL = {t: "RAED" for t in TABLES} | {"compliance": "R", "circular": "R"}
GRANTS = {
    "admin": ALL,
    "supervisor": ALL | {"holiday": "R"},
    "leader": {t: "R" for t in TABLES},
    "staff_a": {
        "department": "R", "person": "RAE", "project": "RAE", "investment_report": "RAED",
        "meeting": "R", "task": "R", "extension": "RA", "feedback": "RAED",
        "supervision": "R", "problem": "RAE", "node_template": "", "template_node": "",
        "holiday": "R", "compliance": "R", "circular": "",
    },
}
ROLES = list(GRANTS)
WRITABLE = [t for t in TABLES if t not in ("compliance", "circular")]


def as_form(data: dict) -> dict:
    """The same row as an HTML form posts it."""
    form = {}
    for key, value in data.items():
        if isinstance(value, bool):
            if value:
                form[key] = "y"
        elif isinstance(value, list):
            form[key] = [str(v) for v in value]
        else:
            form[key] = str(value)
    return form


def own_row(table: str, w) -> int:
    """A row of department A (or a shared row for tables without departments)."""
    shared = {"node_template": w.template, "template_node": w.node, "holiday": w.holiday,
              "circular": w.circular}
    return shared.get(table) or w.a[table if table != "department" else "department"]


def create_as_admin(client, api_token, table: str, w) -> int:
    response = client.post(f"/api/v1/{table}/", json=payload(table, w), headers=api_token("admin"))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json["id"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("table", list(TABLES))
def test_ui_read(client, auth, world, role, table):
    view, _model = TABLES[table]
    auth.login(role)
    allowed = "R" in GRANTS[role][table]
    listing = client.get(f"/{view}/list/")
    show = client.get(f"/{view}/show/{own_row(table, world)}")
    if allowed:
        assert listing.status_code == 200
        assert show.status_code == 200
    else:
        assert listing.status_code == 403
        assert show.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("table", WRITABLE)
def test_ui_add(app, client, auth, world, role, table):
    view, model = TABLES[table]
    auth.login(role)
    allowed = "A" in GRANTS[role][table]
    assert client.get(f"/{view}/add").status_code == (200 if allowed else 403)
    before = count(app, model)
    form = as_form(payload(table, world)) | {"csrf_token": csrf_token(client)}
    response = client.post(f"/{view}/add", data=form)
    assert response.status_code == (302 if allowed else 403), response.get_data(as_text=True)
    assert count(app, model) == before + (1 if allowed else 0)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("table", WRITABLE)
def test_ui_edit_and_delete(app, client, auth, api_token, world, role, table):
    view, model = TABLES[table]
    row = create_as_admin(client, api_token, table, world)
    auth.login(role)
    grants = GRANTS[role][table]
    assert client.get(f"/{view}/edit/{row}").status_code == (200 if "E" in grants else 403)
    response = client.post(f"/{view}/delete/{row}", data={"csrf_token": csrf_token(client)})
    assert response.status_code == (302 if "D" in grants else 403)
    from app.extensions import db

    with app.app_context():
        assert (db.session.get(model, row) is None) == ("D" in grants)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("table", list(TABLES))
def test_api(app, client, api_token, world, role, table):
    headers = api_token(role)
    grants = GRANTS[role][table]
    read = 200 if "R" in grants else 403
    assert client.get(f"/api/v1/{table}/", headers=headers).status_code == read
    row = own_row(table, world)
    assert client.get(f"/api/v1/{table}/{row}", headers=headers).status_code == read
    assert client.get(f"/api/v1/{table}/_info", headers=headers).status_code == read
    if table not in WRITABLE:
        assert client.post(f"/api/v1/{table}/", json={}, headers=headers).status_code == 403
        return
    _view, model = TABLES[table]
    before = count(app, model)
    response = client.post(f"/api/v1/{table}/", json=payload(table, world), headers=headers)
    assert response.status_code == (201 if "A" in grants else 403), response.get_data(as_text=True)
    assert count(app, model) == before + ("A" in grants)
    row = create_as_admin(client, api_token, table, world)
    change = {k: v for k, v in payload(table, world).items() if k in ("name", "title", "message",
              "progress", "reason", "description", "amount", "is_workday")}
    response = client.put(f"/api/v1/{table}/{row}", json=change, headers=headers)
    assert response.status_code == (200 if "E" in grants else 403), response.get_data(as_text=True)
    response = client.delete(f"/api/v1/{table}/{row}", headers=headers)
    assert response.status_code == (200 if "D" in grants else 403)
    from app.extensions import db

    with app.app_context():
        assert (db.session.get(model, row) is None) == ("D" in grants)
