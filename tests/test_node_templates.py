"""节点模板: editing chains through the forms and the API, and the two seeded templates."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import select

from app import models as m
from app.domain.node_templates import NODE_TEMPLATES, ensure_templates
from app.extensions import db
from tests.support.web import csrf_token


def _template(app, client, name: str) -> int:
    form = {"name": name, "description": "测试", "csrf_token": csrf_token(client)}
    assert client.post("/nodetemplateview/add", data=form).status_code == 302
    with app.app_context():
        return db.session.scalar(select(m.NodeTemplate.id).where(m.NodeTemplate.name == name))


def _node(client, template: int, title: str, workdays: object, waits: list[int] = (),
          position: int = 1):
    form = {"template": str(template), "position": str(position), "title": title,
            "expected_outcome": f"{title}完成", "workdays": str(workdays),
            "depends_on": [str(w) for w in waits], "csrf_token": csrf_token(client)}
    return client.post("/templatenodeview/add", data=form)


def _node_id(app, template: int, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(m.TemplateNode.id).where(
            m.TemplateNode.template_id == template, m.TemplateNode.title == title))


def _waits(app, node: int) -> set[str]:
    with app.app_context():
        db.session.expire_all()
        return {d.title for d in db.session.get(m.TemplateNode, node).depends_on}


def _count(app) -> int:
    with app.app_context():
        return db.session.query(m.TemplateNode).count()


def test_a_supervisor_builds_a_chain_with_parallel_nodes(app, client, auth):
    auth.login("supervisor")
    template = _template(app, client, f"链{uuid.uuid4().hex[:6]}")
    assert _node(client, template, "备案", 5).status_code == 302
    filing = _node_id(app, template, "备案")
    assert _node(client, template, "节能审查", 15, [filing], 2).status_code == 302
    assert _node(client, template, "环评", 20, [filing], 3).status_code == 302
    energy, env = _node_id(app, template, "节能审查"), _node_id(app, template, "环评")
    assert _node(client, template, "规划许可", 10, [energy, env], 4).status_code == 302
    assert _waits(app, _node_id(app, template, "规划许可")) == {"节能审查", "环评"}


def test_zero_or_negative_durations_are_refused_in_chinese(app, client, auth):
    auth.login("supervisor")
    template = _template(app, client, f"链{uuid.uuid4().hex[:6]}")
    before = _count(app)
    for bad, message in ((0, "工期应至少为 1 个工作日"), (-3, "工期应至少为 1 个工作日"),
                         (501, "工期不能超过 500 个工作日")):
        response = _node(client, template, "立项", bad)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert _count(app) == before


def _edit(client, node: int, template: int, title: str, waits: list[int]):
    form = {"template": str(template), "position": "1", "title": title, "workdays": "5",
            "depends_on": [str(w) for w in waits], "csrf_token": csrf_token(client)}
    return client.post(f"/templatenodeview/edit/{node}", data=form)


def test_a_cycle_is_refused_and_nothing_changes(app, client, auth):
    auth.login("admin")
    template = _template(app, client, f"链{uuid.uuid4().hex[:6]}")
    _node(client, template, "甲", 5)
    first = _node_id(app, template, "甲")
    _node(client, template, "乙", 5, [first], 2)
    second = _node_id(app, template, "乙")
    _node(client, template, "丙", 5, [second], 3)
    third = _node_id(app, template, "丙")
    response = _edit(client, first, template, "甲", [third])
    assert response.status_code == 422
    assert "循环" in response.get_data(as_text=True)
    assert _waits(app, first) == set()
    response = _edit(client, first, template, "甲", [first])
    assert response.status_code == 422 and "不能等待它自己" in response.get_data(as_text=True)
    assert _waits(app, first) == set()


def test_a_node_waits_only_within_its_template(app, client, auth, world):
    auth.login("supervisor")
    template = _template(app, client, f"链{uuid.uuid4().hex[:6]}")
    response = _node(client, template, "外来", 5, [world.node])
    assert response.status_code == 422
    assert "同一模板" in response.get_data(as_text=True)


def test_the_api_refuses_a_cycle_too(app, client, auth, api_token):
    auth.login("supervisor")
    template = _template(app, client, f"链{uuid.uuid4().hex[:6]}")
    _node(client, template, "甲", 5)
    first = _node_id(app, template, "甲")
    _node(client, template, "乙", 5, [first], 2)
    second = _node_id(app, template, "乙")
    headers = api_token("supervisor")
    response = client.put(f"/api/v1/template_node/{first}", json={"depends_on": [second]},
                          headers=headers)
    assert response.status_code == 422 and "循环" in response.json["message"]
    assert _waits(app, first) == set()
    response = client.post("/api/v1/template_node/", headers=headers, json={
        "template": template, "title": "零", "workdays": 0, "position": 3})
    assert response.status_code == 422


def test_leaders_and_departments_cannot_edit_templates(client, auth, world):
    for login in ("leader", "staff_a"):
        auth.login(login)
        assert client.get(f"/templatenodeview/edit/{world.node}").status_code == 403
        auth.logout()


def test_the_seeded_templates_are_created_once(app):
    with app.app_context():
        ensure_templates()
        assert ensure_templates() == []
        for name, _description, rows in NODE_TEMPLATES:
            template = db.session.scalar(select(m.NodeTemplate).where(m.NodeTemplate.name == name))
            assert [n.title for n in template.nodes] == [r[0] for r in rows]
        industrial = db.session.scalar(select(m.NodeTemplate).where(
            m.NodeTemplate.name == "工业项目前期手续"))
        planning = next(n for n in industrial.nodes if n.title == "规划许可")
        assert {d.title for d in planning.depends_on} == {"节能审查", "环评审批"}
        db.session.rollback()


def test_init_creates_the_templates_on_a_fresh_install_and_demo_fills_departments(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["KEYLEDGER_INSTANCE"] = str(tmp_path)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    root = Path(__file__).resolve().parent.parent
    for command in (["init"], ["init"]):
        done = subprocess.run(flask + command, cwd=root, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
    with sqlite3.connect(tmp_path / "keyledger.db") as con:
        assert con.execute("select count(*) from node_template").fetchone() == (2,)
        assert con.execute("select count(*), count(department_id) from template_node"
                           ).fetchone() == (14, 0)
        assert con.execute("select count(*) from template_node_dependency").fetchone() == (13,)
    done = subprocess.run(flask + ["seed-demo"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    with sqlite3.connect(tmp_path / "keyledger.db") as con:
        assert con.execute("select count(*) from node_template").fetchone() == (2,)
        assert con.execute("select count(*), count(department_id) from template_node"
                           ).fetchone() == (14, 14)
