"""The access matrix: every table, every route, every role gets exactly what DESIGN.md grants."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from app import models as m
from tests.conftest import csrf_token

# table -> (CRUD view endpoint prefix, model)
TABLES = {
    "department": ("departmentview", m.Department),
    "person": ("personview", m.Person),
    "project": ("projectview", m.Project),
    "investment_report": ("investmentreportview", m.InvestmentReport),
    "meeting": ("meetingview", m.Meeting),
    "task": ("taskview", m.Task),
    "extension": ("extensionview", m.Extension),
    "feedback": ("feedbackview", m.Feedback),
    "supervision": ("supervisionview", m.Supervision),
    "problem": ("problemview", m.Problem),
    "node_template": ("nodetemplateview", m.NodeTemplate),
    "template_node": ("templatenodeview", m.TemplateNode),
    "holiday": ("holidayview", m.Holiday),
    "compliance": ("complianceview", m.Compliance),
    "circular": ("circularview", m.Circular),
}

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
_counter = itertools.count(1)


def payload(table: str, w) -> dict:
    """A new, valid row of `table` in department A's world, as REST JSON."""
    n = next(_counter)
    a = w.a
    return {
        "department": {"name": f"新单位{n}", "kind": "township", "active": True},
        "person": {"name": f"新人{n}", "title": "科员", "department": w.dept_a},
        "project": {"code": f"NEW-{n}", "name": f"新项目{n}", "category": "other",
                    "stage": "planning", "list_level": "county", "lead_department": w.dept_a},
        "investment_report": {"project": a["project"], "amount": 10,
                              "period": dt.date(2000 + n // 12, n % 12 + 1, 1).isoformat()},
        "meeting": {"held_on": "2026-06-01", "title": f"会议{n}", "projects": [a["project"]]},
        "task": {"title": f"新任务{n}", "department": w.dept_a, "project": a["project"],
                 "assigned_on": "2026-06-01", "deadline": "2026-06-30"},
        "extension": {"task": a["task"], "requested_on": "2026-06-01",
                      "new_deadline": "2026-08-31", "reason": "需要协调"},
        "feedback": {"task": a["task"], "reported_on": "2026-06-01", "progress": f"进展{n}",
                     "percent_complete": 50},
        "supervision": {"task": a["task"], "sent_on": "2026-06-01", "channel": "in_app",
                        "kind": "manual", "message": "请加快"},
        "problem": {"project": a["project"], "description": f"问题{n}", "category": "land",
                    "raised_on": "2026-06-01", "department": w.dept_a},
        "node_template": {"name": f"模板{n}"},
        "template_node": {"template": w.template, "title": f"节点{n}", "workdays": 3,
                          "position": n},
        "holiday": {"day": (dt.date(2040, 1, 1) + dt.timedelta(days=n)).isoformat(),
                    "is_workday": False, "name": "测试"},
    }[table]


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


def count(app, model) -> int:
    from app.extensions import db

    with app.app_context():
        return db.session.query(model).count()


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
