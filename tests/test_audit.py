"""The audit trail (留痕): what the real forms, API, jobs and CLI record, and who sees it."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from html.parser import HTMLParser

import pytest
from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import func, select

from app import models as m
from tests.support.web import csrf_token
from tests.support.world import PASSWORD

ADDRESS = "10.20.30.40"


class Form(HTMLParser):
    """The fields of the first form with fields on a page, with the values it would post."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.data.setdefault(name, []).append(a.get("value", "y" if
                                                             a.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea:
            text = self.data[self._textarea][0] + data
            # a browser drops the newline that follows <textarea>
            self.data[self._textarea][0] = text.removeprefix("\r").removeprefix("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_of(client, url: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    data = Form(response.get_data(as_text=True)).data
    data.pop("delete", None)
    return data


def audit_rows(session, table: str, row_id: int, action: str | None = None) -> list:
    this_row = (m.AuditLog.table_name == table, m.AuditLog.row_id == row_id)
    # SQLite reuses a deleted row's id: this row's entries start at its insert
    born = select(func.coalesce(func.max(m.AuditLog.id), 0)).where(
        *this_row, m.AuditLog.action == "insert").scalar_subquery()
    query = select(m.AuditLog).where(*this_row, m.AuditLog.id >= born)
    if action:
        query = query.where(m.AuditLog.action == action)
    return session.scalars(query.order_by(m.AuditLog.id)).all()


def user_id(session, username: str) -> int:
    return session.scalar(select(m.User.id).where(m.User.username == username))


@pytest.fixture
def task(app, world):
    """A fresh task of department A, of this test alone."""
    from app.extensions import db

    with app.app_context():
        row = m.Task(title=f"留痕任务{uuid.uuid4().hex[:6]}", department_id=world.dept_a,
                     person_id=world.person_a, assigned_on=dt.date(2026, 5, 1),
                     deadline=dt.date(2026, 12, 1), original_deadline=dt.date(2026, 12, 1))
        db.session.add(row)
        db.session.commit()
        return row.id


def test_form_edit_records_old_and_new_title_user_and_address(client, auth, db_session, task):
    auth.login("supervisor")
    old = db_session.get(m.Task, task).title
    data = form_of(client, f"/taskview/edit/{task}")
    data["title"] = [old + "（已修改）"]
    response = client.post(f"/taskview/edit/{task}", data=data,
                           environ_base={"REMOTE_ADDR": ADDRESS})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db_session.rollback()
    (row,) = audit_rows(db_session, "task", task, "update")
    assert row.changes == {"title": [old, old + "（已修改）"]}
    assert (row.user_id, row.username) == (user_id(db_session, "supervisor"), "supervisor")
    assert row.remote_addr == ADDRESS
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert now - dt.timedelta(minutes=5) < row.changed_at <= now  # UTC


def test_api_edit_records_the_jwt_user(client, api_token, db_session, task):
    headers = api_token("supervisor")
    response = client.put(f"/api/v1/task/{task}", json={"done_on": "2026-11-15"},
                          headers=headers, environ_base={"REMOTE_ADDR": ADDRESS})
    assert response.status_code == 200, response.get_data(as_text=True)
    db_session.rollback()
    row = audit_rows(db_session, "task", task, "update")[-1]
    assert row.changes == {"done_on": [None, "2026-11-15"]}  # dates as ISO strings
    assert (row.username, row.remote_addr) == ("supervisor", ADDRESS)


def test_delete_records_the_old_values(client, auth, db_session, world):
    feedback = m.Feedback(task_id=world.a["task"], reported_on=dt.date(2026, 5, 28),
                          progress="待删除的进展", percent_complete=30)
    db_session.add(feedback)
    db_session.commit()
    auth.login("supervisor")
    token = csrf_token(client, f"/feedbackview/show/{feedback.id}")
    response = client.post(f"/feedbackview/delete/{feedback.id}", data={"csrf_token": token})
    assert response.status_code == 302
    db_session.rollback()
    assert db_session.get(m.Feedback, feedback.id) is None
    (row,) = audit_rows(db_session, "feedback", feedback.id, "delete")
    assert row.changes["progress"] == ["待删除的进展", None]
    assert row.changes["percent_complete"] == [30, None]
    assert row.changes["task_id"] == [world.a["task"], None]
    assert row.username == "supervisor"


def test_a_new_row_on_a_reused_id_shows_only_its_own_history(client, auth, db_session, world):
    """SQLite gives the id of a deleted last row to the next row: its history starts anew."""
    old = m.Feedback(task_id=world.a["task"], reported_on=dt.date(2026, 5, 27),
                     progress="旧行的进展", percent_complete=10)
    db_session.add(old)
    db_session.commit()
    old_id = old.id
    db_session.delete(old)
    db_session.commit()
    new = m.Feedback(task_id=world.a["task"], reported_on=dt.date(2026, 5, 28),
                     progress="新行的进展", percent_complete=20)
    db_session.add(new)
    db_session.commit()
    auth.login("supervisor")
    html = client.get(f"/feedbackview/show/{new.id}").get_data(as_text=True)
    assert "新行的进展" in html
    if new.id == old_id:  # SQLite reused it; PostgreSQL's sequence never does
        assert "旧行的进展" not in html


def test_decimals_are_recorded_as_strings(client, api_token, db_session, world):
    response = client.post("/api/v1/investment_report/", headers=api_token("supervisor"),
                           json={"project": world.a["project"], "period": "2011-03-01",
                                 "amount": 12.5})
    assert response.status_code == 201, response.get_data(as_text=True)
    (row,) = audit_rows(db_session, "investment_report", response.json["id"], "insert")
    assert row.changes["amount"] == [None, "12.50"]
    assert row.changes["period"] == [None, "2011-03-01"]


def test_role_permission_change_in_list_roles_is_recorded(app, client, auth, db_session):
    sm = app.appbuilder.sm
    with app.app_context():
        role = sm.add_role(f"留痕角色{uuid.uuid4().hex[:4]}")
        role_id = role.id
        pv = sm.find_permission_view_menu("can_read", "Task")
        pv_id = pv.id
    auth.login("admin")
    data = form_of(client, f"/roles/edit/{role_id}")
    data["permissions"] = [str(pv_id)]
    response = client.post(f"/roles/edit/{role_id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db_session.rollback()
    row = audit_rows(db_session, "ab_role", role_id, "update")[-1]
    assert row.changes == {"permissions": [[], ["can_read on Task"]]}
    assert row.username == "admin"
    html = client.get(f"/roles/show/{role_id}").get_data(as_text=True)
    assert "新增：任务台账：查看" in html  # the 历史记录 tab, as 角色列表 labels permissions


def test_user_creation_is_recorded_without_the_password(client, auth, db_session):
    name = f"audit{uuid.uuid4().hex[:6]}"
    auth.login("admin")
    data = form_of(client, "/users/add")
    leader = db_session.scalar(select(Role.id).where(Role.name == "Leader"))
    data.update(first_name=["审计"], last_name=["测试"], username=[name],
                email=[f"{name}@example.org"], roles=[str(leader)], active=["y"],
                password=[PASSWORD], conf_password=[PASSWORD])
    response = client.post("/users/add", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db_session.rollback()
    new_id = user_id(db_session, name)
    (row,) = audit_rows(db_session, "ab_user", new_id, "insert")
    assert row.changes["username"] == [None, name]
    assert row.changes["roles"] == [None, ["Leader"]]
    assert row.changes["password"] == [None, "******"]  # changed, never the hash
    assert "pbkdf2" not in str(row.changes) and "scrypt" not in str(row.changes)
    assert row.username == "admin"


def test_refused_form_leaves_no_audit_row(client, auth, db_session, task):
    auth.login("supervisor")
    data = form_of(client, f"/taskview/edit/{task}")
    data["title"] = ["不该保存的标题"]
    data["deadline"] = ["2020-01-01"]  # before it was assigned: refused
    response = client.post(f"/taskview/edit/{task}", data=data)
    assert response.status_code == 422
    db_session.rollback()
    assert audit_rows(db_session, "task", task, "update") == []


def test_rolled_back_flush_takes_its_audit_rows_away(db_session, task):
    count = select(func.count()).select_from(m.AuditLog).where(
        m.AuditLog.table_name == "task", m.AuditLog.row_id == task)
    before = db_session.scalar(count)
    db_session.get(m.Task, task).title = "回滚的标题"
    db_session.flush()
    assert db_session.scalar(count) == before + 1  # written in the change's transaction
    db_session.rollback()
    assert db_session.scalar(count) == before


def test_a_jobs_changes_carry_the_job_as_actor(app, db_session, world):
    """send_reminders on a day before every other test's tasks: only this one is overdue."""
    from app import jobs

    row = m.Task(title="留痕逾期任务", department_id=world.dept_b, assigned_on=dt.date(2001, 3, 1),
                 deadline=dt.date(2001, 3, 2), original_deadline=dt.date(2001, 3, 2))
    db_session.add(row)
    db_session.commit()
    with app.test_request_context():
        run = jobs.enqueue("send_reminders", {"as_of": "2001-03-05"})
    assert run.status == "finished", run.error
    supervision = db_session.scalar(select(m.Supervision).where(m.Supervision.task_id == row.id))
    (audit_row,) = audit_rows(db_session, "supervision", supervision.id)
    assert (audit_row.action, audit_row.username, audit_row.user_id) == (
        "insert", "job:send_reminders", None)
    assert audit_row.changes["kind"] == [None, "overdue"]
    row.cancelled = True  # no other test's month should see this task open
    db_session.commit()


def test_cli_changes_carry_the_command_as_actor(app, db_session):
    name = f"cli{uuid.uuid4().hex[:6]}"
    result = app.test_cli_runner().invoke(
        args=["create-account", name, "--role", "Leader", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    (row,) = audit_rows(db_session, "ab_user", user_id(db_session, name), "insert")
    assert row.username == "cli:create-account"


def test_no_route_adds_changes_or_deletes_audit_rows(app, client, auth, api_token, db_session):
    """The routes that name the audit log only read; writes to any guess are refused."""
    rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule.lower()
             or "audit" in r.endpoint.lower()]
    assert rules, "the audit search page is registered"
    for rule in rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    row = db_session.scalars(select(m.AuditLog).order_by(m.AuditLog.id.desc())).first()
    before = (row.id, row.changes, row.username)
    auth.login("admin")
    token = csrf_token(client, "/audit/")
    urls = ["/audit/", f"/audit/{row.id}", f"/audit/edit/{row.id}", f"/audit/delete/{row.id}",
            "/auditlogview/add", f"/auditlogview/edit/{row.id}",
            f"/auditlogview/delete/{row.id}", "/api/v1/audit_log/", f"/api/v1/audit_log/{row.id}",
            "/api/v1/auditlog/", f"/api/v1/auditlog/{row.id}"]
    headers = api_token("admin")
    for url in urls:
        for method in ("post", "put", "patch", "delete"):
            form = getattr(client, method)(url, data={"csrf_token": token, "username": "x"})
            api = getattr(client, method)(url, json={"username": "x"}, headers=headers)
            assert form.status_code in (404, 405), (method, url, form.status_code)
            assert api.status_code in (404, 405), (method, url, api.status_code)
    db_session.rollback()
    again = db_session.get(m.AuditLog, row.id)
    assert (again.id, again.changes, again.username) == before


@pytest.mark.parametrize("username", ["supervisor", "leader", "staff_a", "nobody"])
def test_only_admin_reaches_the_audit_search(client, auth, username):
    auth.login(username)
    response = client.get("/audit/")
    assert response.status_code in (302, 403)
    assert "审计日志" not in response.get_data(as_text=True)


def test_history_tab_shows_on_the_rows_page_in_chinese(client, auth, db_session, task):
    auth.login("supervisor")
    data = form_of(client, f"/taskview/edit/{task}")
    data["title"] = ["历史标签测试"]
    data["cancelled"] = ["y"]
    assert client.post(f"/taskview/edit/{task}", data=data).status_code == 302
    html = client.get(f"/taskview/show/{task}").get_data(as_text=True)
    assert "历史记录" in html and 'id="AuditHistory"' in html
    assert "标题" in html and "历史标签测试" in html  # the field by its label, the new value
    assert "已撤销" in html  # cancelled, by its label


def test_staff_see_history_of_their_rows_only(client, auth, db_session, world):
    auth.login("staff_a")
    own = client.get(f"/taskview/show/{world.a['task']}")
    assert own.status_code == 200 and 'id="AuditHistory"' in own.get_data(as_text=True)
    other = client.get(f"/taskview/show/{world.b['task']}")
    assert other.status_code == 404
    assert "任务B" not in other.get_data(as_text=True)
    for table, view in (("project", "projectview"), ("feedback", "feedbackview"),
                        ("problem", "problemview")):
        response = client.get(f"/{view}/show/{world.b[table]}")
        assert response.status_code == 404
        assert "AuditHistory" not in response.get_data(as_text=True)


def history_as(app, username: str, view: str, pk: int) -> list | None:
    """row_history(pk) as the show page of `view` calls it for this user."""
    from flask import g
    from flask_login import login_user

    from app.web.audit_history import row_history

    with app.test_request_context(f"/{view.lower()}/show/{pk}"):
        user = app.appbuilder.sm.find_user(username=username)
        login_user(user)
        g.user = user
        return row_history(pk)


def test_the_history_of_an_out_of_scope_row_is_not_given(app, world):
    """row_history checks the row's scope itself, whatever page calls it."""
    assert history_as(app, "staff_a", "TaskView", world.b["task"]) is None
    assert history_as(app, "staff_a", "TaskView", world.a["task"]) is not None


def test_linked_rows_show_by_name_only_to_who_may_see_them(app, db_session, world):
    """A task of A whose person is B's: A's staff see B's person as a number."""
    row = m.Task(title="跨单位责任人", department_id=world.dept_a, person_id=world.person_b,
                 assigned_on=dt.date(2026, 5, 1), deadline=dt.date(2026, 12, 1),
                 original_deadline=dt.date(2026, 12, 1))
    db_session.add(row)
    db_session.commit()

    def fields(username: str) -> dict[str, str]:
        (item,) = history_as(app, username, "TaskView", row.id)
        return {label: new for label, _old, new in item.fields}

    assert fields("supervisor")["责任单位"] == "住建局"
    assert fields("supervisor")["责任人"] == "李工业"
    assert fields("staff_a")["责任单位"] == "住建局"
    assert fields("staff_a")["责任人"] == f"#{world.person_b}"


def test_admin_searches_by_user_table_and_dates(client, auth, db_session, task):
    auth.login("supervisor")
    data = form_of(client, f"/taskview/edit/{task}")
    data["title"] = ["审计查询测试"]
    assert client.post(f"/taskview/edit/{task}", data=data).status_code == 302
    auth.logout()
    auth.login("admin")
    today = dt.date.today()
    url = (f"/audit/?user=supervisor&table=task&start={today - dt.timedelta(days=1)}"
           f"&end={today + dt.timedelta(days=1)}")
    html = client.get(url).get_data(as_text=True)
    assert "审计查询测试" in html and "任务台账" in html and "标题" in html
    assert "审计查询测试" not in client.get(url.replace("table=task", "table=project")).text
    assert "审计查询测试" not in client.get("/audit/?user=leader&table=task").text
    assert "审计查询测试" not in client.get("/audit/?table=task&end=2020-01-01").text
    bad = client.get("/audit/?start=2026-13-01")
    assert bad.status_code == 400 and "日期“2026-13-01”无效" in bad.text


def test_search_pages_newest_first(client, auth, db_session):
    auth.login("admin")
    first = client.get("/audit/").get_data(as_text=True)
    assert "下一页" in first  # the world alone wrote more than a page
    times = re.findall(r"<td>(\d{4}-\d\d-\d\d \d\d:\d\d)</td>", first)  # Beijing, to the minute
    assert len(times) == 50 and times == sorted(times, reverse=True)
    second = client.get("/audit/?page=2").get_data(as_text=True)
    later = re.findall(r"<td>(\d{4}-\d\d-\d\d \d\d:\d\d)</td>", second)
    assert "上一页" in second and later and later[0] <= times[-1]


def test_meeting_projects_are_recorded_as_links(client, auth, db_session, world):
    meeting = m.Meeting(held_on=dt.date(2026, 7, 1), title=f"留痕调度会{uuid.uuid4().hex[:4]}")
    db_session.add(meeting)
    db_session.commit()
    auth.login("supervisor")
    data = form_of(client, f"/meetingview/edit/{meeting.id}")
    data["projects"] = [str(world.a["project"])]
    assert client.post(f"/meetingview/edit/{meeting.id}", data=data).status_code == 302
    db_session.rollback()
    row = audit_rows(db_session, "meeting", meeting.id, "update")[-1]
    assert row.changes == {"projects": [[], ["项目A"]]}
