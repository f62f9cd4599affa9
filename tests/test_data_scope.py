"""Data scope on the role (issue 15): a three-level tree (county office → 局 → 股室), a role
for each of the five scopes, and exactly the expected rows visible (list pages and REST) and
writable; role names decide nothing."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import models as m
from tests.support.payloads import TABLES
from tests.support.web import csrf_token
from tests.support.world import PASSWORD, _department_rows

D = dt.date
ROUTED = ["department", "person", "project", "investment_report", "meeting", "task",
          "extension", "feedback", "supervision", "problem", "compliance"]
LISTED = ["task", "feedback", "project", "problem", "person", "extension", "supervision"]
PERSONAL = {"task", "feedback", "extension", "supervision"}  # 仅本人: own tasks' rows


@pytest.fixture(scope="module")
def tree(app, leaves_no_rows):
    """R 县政府(树) → J 住建局(树) → S 规划股(树), and O 交通局(树) at the top; a row of every
    table in each; one login per scope, each tied to a person of J."""
    from flask import current_app

    from app.domain.accounts import create_account
    from app.extensions import appbuilder, db

    with app.app_context():
        s = db.session
        units = {"R": m.Department(name="县政府(树)", kind="other")}
        units["J"] = m.Department(name="住建局(树)", kind="department", parent=units["R"])
        units["S"] = m.Department(name="规划股(树)", kind="department", parent=units["J"])
        units["O"] = m.Department(name="交通局(树)", kind="department")
        heads = {k: m.Person(name=f"负责人{k}", department=u) for k, u in units.items()}
        s.add_all([*units.values(), *heads.values()])
        rows = {k: _department_rows(s, f"T{k}", units[k], heads[k]) for k in units}
        # 仅本人: a person of J with a task (and its records) of their own
        me = m.Person(name="本人甲", department=units["J"])
        mine_task = m.Task(title="本人任务", department=units["J"], person=me,
                           project=rows["J"]["project"], assigned_on=D(2026, 5, 12),
                           deadline=D(2026, 6, 30), original_deadline=D(2026, 6, 30))
        mine = {"task": mine_task,
                "feedback": m.Feedback(task=mine_task, reported_on=D(2026, 5, 20),
                                       progress="本人进展", percent_complete=10),
                "extension": m.Extension(task=mine_task, requested_on=D(2026, 5, 22),
                                         new_deadline=D(2026, 7, 31), reason="本人理由"),
                "supervision": m.Supervision(task=mine_task, sent_on=D(2026, 5, 21),
                                             channel="in_app", kind="manual", message="本人")}
        s.add(me)
        s.add_all(mine.values())
        s.commit()
        sm = appbuilder().sm
        staff = sm.find_role("DeptStaff")
        people = {}
        for kind, name in [("all", "全县查看(树)"), ("own", "本单位填报(树)"),
                           ("subtree", "本局及股室(树)"), ("custom", "分管单位(树)"),
                           ("self", "股室填报员(树)"), ("made_up", "随便起的名字(树)")]:
            role = sm.add_role(name)
            role.permissions = list(staff.permissions)
            stored = "own" if kind == "made_up" else kind
            scope = m.RoleScope(role=role, kind=stored)
            if kind == "custom":
                scope.departments = [units["R"], units["S"]]
            s.add(scope)
            s.commit()
            person = me if kind == "self" else m.Person(name=f"用户{kind}", department=units["J"])
            s.add(person)
            s.commit()
            people[kind] = person.id
            create_account(f"tree_{kind}", name, PASSWORD, person.id)
        create_account("tree_staff", "DeptStaff", PASSWORD,
                       _person(s, "用户staff", units["J"]))
        ids = {k: {t: r.id for t, r in rows[k].items()} | {"department": units[k].id,
                                                           "person": heads[k].id}
               for k in units}
        ids["J"]["people"] = set(people.values()) - {me.id}
        world = SimpleNamespace(units={k: u.id for k, u in units.items()}, rows=ids,
                                mine={t: r.id for t, r in mine.items()}, me=me.id,
                                app=current_app._get_current_object())
    yield world
    with app.app_context():  # the tree undone, so leaves_no_rows can delete the units
        s.execute(m.Department.__table__.update().where(
            m.Department.id.in_(world.units.values())).values(parent_id=None))
        s.commit()


def _person(session, name: str, unit: m.Department) -> int:
    person = m.Person(name=name, department=unit)
    session.add(person)
    session.commit()
    return person.id


def all_ids(tree, table: str) -> set[int]:
    """Every row of `table` this module made."""
    out = {tree.rows[k][table] for k in tree.rows}
    if table in tree.mine:
        out.add(tree.mine[table])
    if table == "person":
        out |= {tree.me} | tree.rows["J"]["people"]
    return out


def expected(tree, kind: str, table: str) -> set[int]:
    """The rows of `table` a user of J with this scope sees, by hand."""
    units = {"all": "RJSO", "own": "J", "made_up": "J", "staff": "J", "subtree": "JS",
             "custom": "RS", "self": "J"}[kind]
    out = {tree.rows[k][table] for k in units}
    if kind == "self" and table in PERSONAL:
        return {tree.mine[table]}
    if table in tree.mine and "J" in units:
        out.add(tree.mine[table])
    if table == "person" and "J" in units:
        out |= {tree.me} | tree.rows["J"]["people"]
    return out


def api_ids(client, headers, table: str) -> set[int]:
    response = client.get(f"/api/v1/{table}/?q=(page_size:100)", headers=headers)
    assert response.status_code == 200
    return {row["id"] for row in response.json["result"]}


KINDS = ["all", "own", "subtree", "custom", "self", "made_up", "staff"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("table", ROUTED)
def test_api_shows_exactly_the_scope(client, api_token, tree, kind, table):
    headers = api_token(f"tree_{kind}")
    want = expected(tree, kind, table)
    if kind == "all":  # more rows than a page: each row by id
        for row in all_ids(tree, table):
            assert client.get(f"/api/v1/{table}/{row}", headers=headers).status_code == 200
        return
    assert api_ids(client, headers, table) & all_ids(tree, table) == want
    for row in all_ids(tree, table) - want:
        assert client.get(f"/api/v1/{table}/{row}", headers=headers).status_code == 404


@pytest.mark.parametrize("kind", ["own", "subtree", "custom", "self", "made_up"])
@pytest.mark.parametrize("table", LISTED)
def test_list_pages_show_exactly_the_scope(client, auth, tree, kind, table):
    view, model = TABLES[table]
    auth.login(f"tree_{kind}")
    html = client.get(f"/{view}/list/?psize_{model.__name__}View=100").get_data(as_text=True)
    shown = {int(x) for x in re.findall(rf"/{view}/show/(\d+)", html)}
    assert shown & all_ids(tree, table) == expected(tree, kind, table)


@pytest.mark.parametrize("kind, unit, status", [
    ("own", "J", 200), ("own", "S", 404), ("own", "R", 404),
    ("subtree", "J", 200), ("subtree", "S", 200), ("subtree", "R", 404),
    ("custom", "S", 200), ("custom", "R", 200), ("custom", "J", 404),
    ("self", "J", 403), ("self", "S", 404),
    ("made_up", "J", 200), ("made_up", "S", 404),
])
def test_problems_writable_in_scope_only(client, api_token, tree, kind, unit, status):
    headers = api_token(f"tree_{kind}")
    row = tree.rows[unit]["problem"]
    response = client.put(f"/api/v1/problem/{row}", json={"description": f"改{kind}{unit}"},
                          headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)


@pytest.mark.parametrize("kind, row, status", [
    ("self", "mine", 200), ("self", "J", 404),
    ("subtree", "S", 200), ("subtree", "O", 404),
    ("custom", "R", 200),
])
def test_feedback_writable_in_scope_only(client, api_token, tree, kind, row, status):
    headers = api_token(f"tree_{kind}")
    pk = tree.mine["feedback"] if row == "mine" else tree.rows[row]["feedback"]
    response = client.put(f"/api/v1/feedback/{pk}", json={"progress": f"新进展{kind}"},
                          headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)


def test_subtree_user_adds_a_problem_in_a_unit_below(client, api_token, tree):
    headers = api_token("tree_subtree")
    body = {"project": tree.rows["S"]["project"], "description": "股室的问题",
            "category": "land", "raised_on": "2026-05-03", "department": tree.units["S"]}
    response = client.post("/api/v1/problem/", json=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    with tree.app.app_context():
        from app.extensions import db

        assert db.session.get(m.Problem, response.json["id"]).department_id == tree.units["S"]


def test_own_scope_lands_a_row_chosen_elsewhere_in_own_unit(client, api_token, tree):
    headers = api_token("tree_made_up")
    body = {"project": tree.rows["J"]["project"], "description": "本局的问题",
            "category": "land", "raised_on": "2026-05-03", "department": tree.units["O"]}
    response = client.post("/api/v1/problem/", json=body, headers=headers)
    assert response.status_code in (201, 404), response.get_data(as_text=True)
    if response.status_code == 201:
        with tree.app.app_context():
            from app.extensions import db

            problem = db.session.get(m.Problem, response.json["id"])
            assert problem.department_id == tree.units["J"]


def test_renaming_deptstaff_changes_nothing(client, api_token, tree):
    from app.extensions import appbuilder, db

    with tree.app.app_context():
        role = appbuilder().sm.find_role("DeptStaff")
        role.name = "责任单位填报"
        db.session.commit()
    try:
        headers = api_token("tree_staff")
        for table in ("task", "project", "problem"):
            assert api_ids(client, headers, table) & all_ids(tree, table) == expected(
                tree, "staff", table)
    finally:
        with tree.app.app_context():
            role = appbuilder().sm.find_role("责任单位填报")
            role.name = "DeptStaff"
            db.session.commit()


def test_renaming_an_all_data_role_changes_nothing(client, api_token, tree):
    from app.extensions import appbuilder, db

    with tree.app.app_context():
        appbuilder().sm.find_role("全县查看(树)").name = "改了名的角色(树)"
        db.session.commit()
    headers = api_token("tree_all")
    assert client.get(f"/api/v1/task/{tree.rows['O']['task']}", headers=headers).status_code == 200


def test_two_roles_see_the_union(client, api_token, tree):
    from app.extensions import appbuilder, db

    with tree.app.app_context():
        sm = appbuilder().sm
        user = sm.find_user(username="tree_self")
        extra = sm.find_role("分管单位(树)")  # 指定单位: R and S
        user.roles = [*user.roles, extra]
        db.session.commit()
    try:
        headers = api_token("tree_self")
        want = {tree.mine["task"], tree.rows["R"]["task"], tree.rows["S"]["task"]}
        assert api_ids(client, headers, "task") & all_ids(tree, "task") == want
        assert api_ids(client, headers, "project") & all_ids(tree, "project") == {
            tree.rows[k]["project"] for k in "RJS"}
    finally:
        with tree.app.app_context():
            user = appbuilder().sm.find_user(username="tree_self")
            user.roles = [r for r in user.roles if r.name != "分管单位(树)"]
            db.session.commit()


def test_self_scope_ledger_shows_only_own_tasks(client, auth, tree):
    auth.login("tree_self")
    html = client.get("/my/ledger/").get_data(as_text=True)
    assert "本人任务" in html
    assert "任务TJ" not in html and "任务TS" not in html


def test_subtree_ledger_shows_the_units_below(client, auth, tree):
    auth.login("tree_subtree")
    html = client.get("/my/ledger/").get_data(as_text=True)
    assert "任务TJ" in html and "任务TS" in html and "本人任务" in html
    assert "任务TR" not in html and "任务TO" not in html


def test_role_screen_sets_the_data_scope(client, auth, tree):
    """权限管理 › 角色列表 › 编辑: 数据范围 and 指定单位, saved with the role."""
    from app.extensions import appbuilder, db

    with tree.app.app_context():
        role_id = appbuilder().sm.find_role("本单位填报(树)").id
        permissions = [str(p.id) for p in appbuilder().sm.find_role("本单位填报(树)").permissions]
    auth.login("admin")
    page = client.get(f"/roles/edit/{role_id}").get_data(as_text=True)
    assert "数据范围" in page and "本单位及下级" in page and "仅本人" in page
    assert re.search(r"└ 规划股\(树\)", page)  # the tree, indented
    token = csrf_token(client, f"/roles/edit/{role_id}")
    refused = client.post(f"/roles/edit/{role_id}", data={
        "csrf_token": token, "name": "本单位填报(树)", "permissions": permissions,
        "data_scope": "custom"})
    assert "请至少选择一个单位" in refused.get_data(as_text=True)
    response = client.post(f"/roles/edit/{role_id}", data={
        "csrf_token": token, "name": "本单位填报(树)", "permissions": permissions,
        "data_scope": "custom", "scope_departments": [str(tree.units["O"])]},
        follow_redirects=False)
    assert response.status_code == 302
    with tree.app.app_context():
        row = db.session.get(m.RoleScope, role_id)
        assert (row.kind, [d.id for d in row.departments]) == ("custom", [tree.units["O"]])
        assert len(appbuilder().sm.find_role("本单位填报(树)").permissions) == len(permissions)
    try:
        auth.logout()
        auth.login("tree_own")
        html = client.get("/taskview/list/?psize_TaskView=100").get_data(as_text=True)
        shown = {int(x) for x in re.findall(r"/taskview/show/(\d+)", html)}
        assert shown & all_ids(tree, "task") == {tree.rows["O"]["task"]}
    finally:
        with tree.app.app_context():
            row = db.session.get(m.RoleScope, role_id)
            row.kind, row.departments = "own", []
            db.session.commit()


def test_built_in_roles_have_their_default_scopes(app):
    from app.extensions import db

    with app.app_context():
        kinds = dict(db.session.execute(
            select(m.RoleScope.kind).add_columns(m.RoleScope.role_id)).all())
        names = {r.role.name: r.kind for r in db.session.scalars(select(m.RoleScope))}
        assert kinds
        for name, kind in {"Admin": "all", "Supervisor": "all", "Leader": "all",
                           "DeptStaff": "own"}.items():
            assert names[name] == kind


# --- the department tree (issue 15, item 1) ----------------------------------------------


def test_a_unit_cannot_be_its_own_ancestor(client, api_token, tree):
    headers = api_token("admin")
    top, below = tree.units["R"], tree.units["S"]
    for unit, parent, message in [(top, below, "上级单位不能是本单位的下级单位"),
                                  (top, top, "上级单位不能是本单位")]:
        response = client.put(f"/api/v1/department/{unit}", json={"parent": parent},
                              headers=headers)
        assert response.status_code == 422, response.get_data(as_text=True)
        assert message in response.json["message"]
    with tree.app.app_context():
        from app.extensions import db

        assert db.session.get(m.Department, top).parent_id is None


def test_the_edit_form_refuses_a_cycle_in_chinese(client, auth, tree):
    auth.login("admin")
    unit = tree.units["J"]
    page = client.get(f"/departmentview/edit/{unit}").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page)
    data = {"csrf_token": csrf_token(client, f"/departmentview/edit/{unit}"),
            "name": "住建局(树)", "parent": str(tree.units["S"]), "kind": "department",
            "active": "y"}
    if version:
        data["version"] = version.group(1)
    response = client.post(f"/departmentview/edit/{unit}", data=data)
    assert response.status_code == 422
    assert "上级单位不能是本单位的下级单位" in response.get_data(as_text=True)


def test_department_list_is_in_tree_order_and_indented(client, auth, tree):
    auth.login("admin")
    html = client.get("/departmentview/list/?psize_DepartmentView=100").get_data(as_text=True)
    names = [n.replace("\u3000", "_") for n in re.findall(
        r">[ \n\t]*((?:\u3000)*(?:└ )?(?:县政府|住建局|规划股)\(树\))", html)]
    # each row: its name (indented), then its 上级单位
    assert names[:5] == ["县政府(树)", "__└ 住建局(树)", "县政府(树)", "____└ 规划股(树)",
                         "住建局(树)"]
    assert "上级单位" in html


@pytest.mark.parametrize("view, field", [("taskview", "department"),
                                         ("problemview", "department"),
                                         ("personview", "department"),
                                         ("projectview", "lead_department")])
def test_department_pickers_show_the_tree(client, auth, tree, view, field):
    auth.login("admin")
    html = client.get(f"/{view}/add").get_data(as_text=True)
    select_ = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert select_, f"no select {field}"
    labels = re.findall(r">([^<]*)</option>", select_.group(1))
    at = labels.index("县政府(树)")
    assert labels[at + 1:at + 3] == ["\u3000\u3000└ 住建局(树)", "\u3000" * 4 + "└ 规划股(树)"]


def test_moving_a_subtree_is_one_edit(client, api_token, tree):
    """规划股 moves with 住建局 when 住建局 is put under 交通局: one edit of parent."""
    admin = api_token("admin")
    response = client.put(f"/api/v1/department/{tree.units['J']}",
                          json={"parent": tree.units["O"]}, headers=admin)
    assert response.status_code == 200, response.get_data(as_text=True)
    try:
        from app.domain import scope

        with tree.app.app_context():
            assert scope.subtree({tree.units["O"]}) == {
                tree.units[k] for k in "OJS"}
        headers = api_token("tree_subtree")
        assert api_ids(client, headers, "task") & all_ids(tree, "task") == expected(
            tree, "subtree", "task")
    finally:
        response = client.put(f"/api/v1/department/{tree.units['J']}",
                              json={"parent": tree.units["R"]}, headers=admin)
        assert response.status_code == 200


def test_subtree_ledger_filters_by_a_unit_of_the_scope(client, auth, tree):
    auth.login("tree_subtree")
    html = client.get(f"/my/ledger/?department={tree.units['S']}").get_data(as_text=True)
    assert "任务TS" in html and "任务TJ" not in html
    assert "\u3000\u3000└ 规划股(树)" in html  # the filter offers the scope's units, as a tree
    outside = client.get(f"/my/ledger/?department={tree.units['O']}").get_data(as_text=True)
    assert "任务TO" not in outside and "任务TJ" in outside  # not offered: the whole scope


def test_a_role_added_on_the_role_screen_keeps_its_scope(client, auth, tree):
    from app.extensions import appbuilder, db

    auth.login("admin")
    token = csrf_token(client, "/roles/add")
    response = client.post("/roles/add", data={"csrf_token": token, "name": "新股室员(树)",
                                               "data_scope": "self"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with tree.app.app_context():
        role = appbuilder().sm.find_role("新股室员(树)")
        assert db.session.get(m.RoleScope, role.id).kind == "self"


def test_the_search_filter_and_assignment_show_the_tree(client, auth, tree):
    auth.login("admin")
    # the 责任单位 search filter, whose choices select2 loads as it opens (issue 19)
    found = client.get("/taskview/choices/department/", query_string={"q": "规划股"}).json
    assert [row["text"] for row in found["results"]] == ["\u3000" * 4 + "└ 规划股(树)"]
    with tree.app.app_context():
        from app.extensions import db

        meeting = db.session.scalars(select(m.Meeting).order_by(m.Meeting.id)).first().id
    page = client.get(f"/office/meeting/{meeting}")
    assert page.status_code == 200
    assert "\u3000" * 4 + "└ 规划股(树)" in page.get_data(as_text=True)  # 交办's unit picker


def test_the_role_list_shows_each_roles_data_scope(client, auth, tree):
    auth.login("admin")
    html = client.get("/roles/list/?psize_RoleView=100").get_data(as_text=True)
    assert "本单位及下级" in html
    assert "指定单位：县政府(树)、规划股(树)" in html
