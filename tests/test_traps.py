"""Issue 15 item 4, "no traps": what a new administrator ran into on the settings screens."""

from __future__ import annotations

import logging

import pytest

from app import models as m
from app.extensions import db
from tests.support.web import csrf_token

# (view, api table, model, world key, the name on the row, words the refusal must say)
IN_USE = [
    ("departmentview", "department", m.Department, "department", "住建局",
     ["项任务", "个项目", "名责任人", "停用"]),
    ("personview", "person", m.Person, "person", "张建国", ["项任务", "个项目", "个问题"]),
    ("projectview", "project", m.Project, "project", "项目A",
     ["项任务", "个问题", "条投资月报", "次调度会", "终止"]),
    ("meetingview", "meeting", m.Meeting, "meeting", "五月调度会A", ["项任务"]),
]


def _exists(app, model, pk) -> bool:
    with app.app_context():
        return db.session.get(model, pk) is not None


@pytest.mark.parametrize(("view", "table", "model", "key", "name", "words"), IN_USE)
def test_delete_of_a_row_in_use_is_refused_on_the_page(app, client, auth, world, caplog,
                                                        view, table, model, key, name, words):
    """The FAB page: a red message naming what uses the row, the row kept, and the
    database never asked (no FOREIGN KEY error in the log)."""
    pk = world.a[key]
    auth.login("admin")
    caplog.set_level(logging.INFO)
    token = csrf_token(client, f"/{view}/list/")
    response = client.post(f"/{view}/delete/{pk}", data={"csrf_token": token},
                           headers={"Referer": f"http://localhost/{view}/list/"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/{view}/list/")  # back to the list
    response = client.get(response.headers["Location"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{name} 还有" in html and "不能删除" in html, html
    for word in words:
        assert word in html
    assert "alert-danger" in html
    assert _exists(app, model, pk)
    assert "FOREIGN KEY" not in caplog.text and "database error" not in caplog.text


@pytest.mark.parametrize(("view", "table", "model", "key", "name", "words"), IN_USE)
def test_delete_of_a_row_in_use_is_refused_by_the_api(app, client, api_token, world, caplog,
                                                       view, table, model, key, name, words):
    pk = world.a[key]
    response = client.delete(f"/api/v1/{table}/{pk}", headers=api_token("admin"))
    assert response.status_code == 409, response.get_data(as_text=True)
    message = response.json["message"]
    assert f"{name} 还有" in message and "不能删除" in message
    for word in words:
        assert word in message
    assert _exists(app, model, pk)
    assert "FOREIGN KEY" not in caplog.text


def test_department_message_counts_what_uses_it(app, client, api_token):
    """The counts are the rows' own: a unit of its own with 2 tasks, 1 project and 1 person
    (no problem: none is named)."""
    import datetime as dt

    from app.domain import access

    with app.app_context(), access.acting_as("test:setup"):
        unit = m.Department(name="计数测试局", kind="department")
        project = m.Project(code="ZZ-TRAP-1", name="计数项目", category="other",
                            stage="construction", lead_department=unit)
        day = dt.date(2026, 6, 1)
        db.session.add_all([unit, project, m.Person(name="计数人", department=unit), *(
            m.Task(title=f"计数任务{i}", department=unit, project=project, assigned_on=day,
                   deadline=day, original_deadline=day) for i in range(2))])
        db.session.commit()
        pk = unit.id
    response = client.delete(f"/api/v1/department/{pk}", headers=api_token("admin"))
    assert response.status_code == 409
    message = response.json["message"]
    assert message.startswith("计数测试局 还有 2 项任务、1 个项目、1 名责任人，不能删除")
    assert "问题" not in message and message.endswith("可以改为停用。")
    assert _exists(app, m.Department, pk)


def test_new_department_form_defaults_to_an_active_functional_department(client, auth):
    import re

    auth.login("admin")
    html = client.get("/departmentview/add").get_data(as_text=True)
    kind = re.search(r'<select[^>]*name="kind".*?</select>', html, re.S).group(0)
    selected = re.search(r'<option[^>]*selected[^>]*value="(\w+)"|<option[^>]*value="(\w+)"'
                         r'[^>]*selected', kind)
    assert selected and "department" in selected.groups(), kind
    active = re.search(r'<input[^>]*name="active"[^>]*>', html).group(0)
    assert "checked" in active


@pytest.fixture
def closed_unit(app, world):
    """An inactive unit (撤并的旧机构) with a person and a task overdue in March 2025 (a month
    the world has no compliance rows of: the test builds them, and they go after it)."""
    import datetime as dt

    with app.app_context():
        unit = m.Department(name="旧农机站", kind="department", active=False)
        person = m.Person(name="钱旧人", department=unit)
        task = m.Task(title="旧农机站的任务", department=unit, person=person,
                      assigned_on=dt.date(2025, 3, 3), deadline=dt.date(2025, 3, 20),
                      original_deadline=dt.date(2025, 3, 20))
        db.session.add_all([unit, person, task])
        db.session.commit()
        ids = {"unit": unit.id, "person": person.id, "task": task.id}
    yield ids
    with app.app_context():  # with whatever a failing test let in
        unit = ids["unit"]
        tasks = db.select(m.Task.id).where(m.Task.department_id == unit)
        for model in (m.Supervision, m.Feedback, m.Extension):
            db.session.execute(model.__table__.delete().where(model.task_id.in_(tasks)))
        for model, column in ((m.Task, m.Task.department_id), (m.Problem, m.Problem.department_id),
                              (m.Project, m.Project.lead_department_id),
                              (m.Person, m.Person.department_id),
                              (m.Compliance, m.Compliance.department_id),
                              (m.Department, m.Department.id)):
            db.session.execute(model.__table__.delete().where(column == unit))
        db.session.execute(m.Compliance.__table__.delete().where(
            m.Compliance.period == dt.date(2025, 3, 1)))
        db.session.commit()


def test_inactive_unit_is_not_offered_for_new_work(client, auth, api_token, world,
                                                   closed_unit):
    auth.login("admin")
    for url in ("/taskview/add", "/projectview/add", "/problemview/add", "/personview/add",
                f"/office/meeting/{world.a['meeting']}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "旧农机站" not in response.get_data(as_text=True), url
    assert "钱旧人" not in client.get(f"/office/meeting/{world.a['meeting']}").get_data(
        as_text=True)  # 交办's person drop-down
    assert "住建局" in client.get("/taskview/add").get_data(as_text=True)
    headers = api_token("admin")
    body = {"title": "新任务", "department": closed_unit["unit"], "assigned_on": "2026-06-01",
            "deadline": "2026-06-30"}
    response = client.post("/api/v1/task/", json=body, headers=headers)
    assert response.status_code == 422
    assert "旧农机站" in response.json["message"] and "停用" in response.json["message"]
    # its history is still shown, and still editable as it was
    assert "旧农机站的任务" in client.get("/taskview/list/").get_data(as_text=True)
    response = client.put(f"/api/v1/task/{closed_unit['task']}", json={"title": "旧农机站的任务"},
                          headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_inactive_unit_is_not_imported_into(app, client, auth, world, closed_unit):
    import datetime as dt

    from tests.test_excel import TASK, upload, workbook

    auth.login("supervisor")
    data = workbook({"任务": [TASK, [None, "导入到旧单位", "旧农机站", None, dt.date(2026, 6, 1),
                                    dt.date(2026, 6, 30), None, "否"]]})
    html = upload(client, data).get_data(as_text=True)
    assert "旧农机站" in html and "停用" in html, html
    with app.app_context():
        assert db.session.scalar(db.select(m.Task).where(m.Task.title == "导入到旧单位")) is None


def test_inactive_and_leadership_units_are_not_ranked(app, world, closed_unit):
    """考核表, 督查通报 and the dashboard rank neither 县领导 nor a unit that is 停用; the 考核表
    lists them apart with their figures, and the circular still lists their overdue tasks."""
    import datetime as dt

    from app.domain import status
    from app.jobs import build_compliance
    from app.reports import circular, compliance, dashboard

    march = dt.date(2025, 3, 1)
    with app.test_request_context():
        build_compliance.run(march)
        rows = compliance.table_rows(march)
        by_name = {row.name: row for row in rows}
        assert by_name["旧农机站"].rank is None and by_name["旧农机站"].apart
        assert by_name["旧农机站"].compliance.tasks_overdue == 1  # its figures, shown
        assert by_name["县领导"].rank is None and by_name["县领导"].apart
        assert not by_name["住建局"].apart and not by_name["工信局"].apart
        names = [row.name for row in rows]
        assert names.index("旧农机站") > names.index("住建局")  # listed after the ranked
        data = circular.circular_data(march, dt.date(2025, 4, 1))
        in_ranking = [row["department"] for row in data["ranking"]]
        assert "旧农机站" not in in_ranking and "县领导" not in in_ranking
        assert "住建局" in in_ranking
        assert "旧农机站的任务" in [t["title"] for t in data["overdue_tasks"]]  # its history
        this_month = dt.date(status.today().year, status.today().month, 1)
        scored = [m.Compliance(period=this_month, department_id=unit, score=score,
                               built_at=dt.datetime(2026, 1, 1))
                  for unit, score in ((closed_unit["unit"], 100), (world.dept_a, 50))]
        leaders = db.session.scalar(db.select(m.Department.id).where(m.Department.name == "县领导"))
        scored.append(m.Compliance(period=this_month, department_id=leaders, score=100,
                                   built_at=dt.datetime(2026, 1, 1)))
        # this month's rows are a cache any page may have built by now (issue 17): replaced
        db.session.execute(db.delete(m.Compliance).where(m.Compliance.period == this_month))
        db.session.add_all(scored)
        db.session.commit()
        try:
            names = [row["department"] for row in dashboard.ranking()]
        finally:
            for row in scored:
                db.session.delete(row)
            db.session.commit()
        assert names == ["住建局"]


@pytest.mark.parametrize("url", ["/my/ledger/", "/my/investment/", "/", "/taskview/list/"])
def test_untied_department_user_is_told_why_nothing_shows(client, auth, url):
    """`nobody` is a 责任单位人员 whose login is tied to no person: not "没有在办任务", but
    that the login is not tied to a person and whom to ask."""
    auth.login("nobody")
    html = client.get(url).get_data(as_text=True)
    assert html.count("登录账号尚未关联责任人") == 1, html  # said once, not twice
    assert "系统管理员" in html
    assert "没有在办任务" not in html and "没有可填报的项目" not in html


def test_tied_department_user_sees_no_such_notice(client, auth):
    auth.login("staff_a")
    assert "登录账号尚未关联责任人" not in client.get("/my/ledger/").get_data(as_text=True)


@pytest.fixture
def free_login(app):
    """A login made in 安全 › 用户 (名 晓梅, 姓 李), tied to no person."""
    from app.extensions import appbuilder

    with app.app_context():
        sm = appbuilder().sm
        user = sm.add_user("lixm", "晓梅", "李", "lixm@keyledger.local", sm.find_role("DeptStaff"),
                           password="Ledger#2026-x")
        pk = user.id
    yield pk
    with app.app_context():
        db.session.execute(m.Person.__table__.update().where(m.Person.user_id == pk)
                           .values(user_id=None))
        user = appbuilder().sm.get_user_by_id(pk)
        user.roles = []
        db.session.delete(user)
        db.session.commit()


def _options(html: str, name: str) -> dict[str, str]:
    import re

    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return {label.strip(): value for value, label in
            re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select)}


def test_login_picker_names_in_chinese_order_and_offers_only_free_logins(client, auth, world,
                                                                         free_login):
    auth.login("admin")
    options = _options(client.get("/personview/add").get_data(as_text=True), "user")
    assert "李晓梅（lixm）" in options, options  # real name in 姓名 order, and the user name
    assert not any("晓梅 李" in label for label in options)
    assert not any("staff_a" in label for label in options)  # tied to 张建国 already
    # editing 张建国 still offers his own login
    html = client.get(f"/personview/edit/{world.person_a}").get_data(as_text=True)
    options = _options(html, "user")
    assert any("staff_a" in label for label in options) and "李晓梅（lixm）" in options
    assert not any("staff_b" in label for label in options)


def test_server_refuses_a_login_tied_to_another_person(app, client, api_token, world):
    from app.extensions import appbuilder

    with app.app_context():
        staff_b = appbuilder().sm.find_user(username="staff_b").id
    response = client.put(f"/api/v1/person/{world.person_a}", json={"user": staff_b},
                          headers=api_token("admin"))
    assert response.status_code in (409, 422), response.get_data(as_text=True)
    assert "李工业" in response.json["message"]  # the person it is tied to
    with app.app_context():
        assert db.session.get(m.Person, world.person_b).user_id == staff_b


def test_tying_a_login_needs_the_right_to_edit_accounts_not_a_role_name(app, client, api_token,
                                                                        world, free_login):
    """The office may edit people but not accounts: its tie is refused (403) until its role is
    granted 用户：编辑 in the role screen — a permission decides, not the name Admin."""
    from app.extensions import appbuilder

    with app.app_context():
        person = m.Person(name="关联测试人", department_id=world.dept_a)
        db.session.add(person)
        db.session.commit()
        pk = person.id
    url = f"/api/v1/person/{pk}"
    refused = client.put(url, json={"user": free_login}, headers=api_token("supervisor"))
    assert refused.status_code == 403
    assert refused.json["message"] == "只有系统管理员可以为责任人关联登录账号。"
    with app.app_context():
        assert db.session.get(m.Person, pk).user_id is None
        sm = appbuilder().sm
        grant = sm.find_permission_view_menu("can_edit", "UserDBModelView")
        sm.add_permission_role(sm.find_role("Supervisor"), grant)
    try:
        allowed = client.put(url, json={"user": free_login}, headers=api_token("supervisor"))
        assert allowed.status_code == 200, allowed.get_data(as_text=True)
    finally:
        with app.app_context():
            sm = appbuilder().sm
            sm.del_permission_role(sm.find_role("Supervisor"),
                                   sm.find_permission_view_menu("can_edit", "UserDBModelView"))
            db.session.execute(m.Person.__table__.delete().where(m.Person.id == pk))
            db.session.commit()
    with app.app_context():
        assert db.session.get(m.Person, pk) is None


def test_user_screens_show_the_tied_person_with_a_link(app, client, auth, world):
    from app.extensions import appbuilder

    with app.app_context():
        staff_a = appbuilder().sm.find_user(username="staff_a").id
    auth.login("admin")
    listing = client.get("/users/list/").get_data(as_text=True)
    assert "张建国" in listing
    show = client.get(f"/users/show/{staff_a}").get_data(as_text=True)
    assert f'href="/personview/edit/{world.person_a}' in show and "张建国" in show
    edit = client.get(f"/users/edit/{staff_a}").get_data(as_text=True)
    assert "张建国" in edit and f"/personview/edit/{world.person_a}" in edit
    add = client.get("/users/add").get_data(as_text=True)
    hint = "关联在“责任人”表单的“登录账号”中设置"
    assert hint in add and hint in edit


def _visible_text(html: str) -> str:
    """The page's text as read, without tags and attribute values."""
    import re

    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_role_screens_show_chinese_role_names(app, client, auth):
    from app.extensions import appbuilder

    with app.app_context():
        staff = appbuilder().sm.find_role("DeptStaff").id
    auth.login("admin")
    listing = _visible_text(client.get("/roles/list/").get_data(as_text=True))
    for label in ("系统管理员", "督查室", "县领导", "责任单位人员"):
        assert label in listing
    for name in ("DeptStaff", "Supervisor", "Leader"):
        assert name not in listing
    edit = client.get(f"/roles/edit/{staff}").get_data(as_text=True)
    import re

    heading = re.search(r'id="role-label"[^>]*>(.*?)</', edit, re.S)
    assert heading and "责任单位人员" in heading.group(1), edit
    assert 'value="DeptStaff"' in edit  # the name kept as stored: nothing renamed
    with app.app_context():
        assert appbuilder().sm.find_role("DeptStaff") is not None


def test_every_page_loads_the_clear_all_confirmation(client, auth):
    auth.login("admin")
    html = client.get("/roles/list/").get_data(as_text=True)
    assert "/static/js/confirm-clear.js" in html
    with client.get("/static/js/confirm-clear.js") as script:
        assert script.status_code == 200 and b"select2:clearing" in script.data


@pytest.mark.parametrize("model", [m.Department, m.Person, m.Project, m.Meeting])
def test_every_reference_to_the_row_is_counted(app, model):
    """No use of a row is left to the database's FOREIGN KEY error: every column that refers
    to it is counted, but for the jobs' compliance rows and a meeting's own project list."""
    from app.domain import in_use

    target = model.__table__
    with app.app_context():
        referring = {(table.name, fk.parent.name) for table in db.metadata.sorted_tables
                     for fk in table.foreign_keys if fk.column.table is target
                     and table.name not in in_use.DERIVED} - in_use.OWN
        counted = {(table.name, column.name) for table, columns, _words
                   in in_use._users(target) for column in columns}
    assert counted == referring and counted
