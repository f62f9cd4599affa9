"""Problems (escalate, resolve, project colour), the holiday calendar, status badges and filters.

Every test builds its own rows and works whatever today is: dates are relative to
status.today().
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import select

from app import models as m
from app.domain import access, status
from app.extensions import db
from app.web import holiday_pages
from app.web.crud_kit import TASK_STATUS_STYLE, badge, percent
from tests.support.days import on_day, today
from tests.support.web import csrf_token

DAY = dt.timedelta(days=1)
_serial = itertools.count(1)


@contextmanager
def writing(app) -> Iterator[None]:
    """Database work in a test, as nobody: after a client's request Flask still reports a
    request context, whose user the audit columns would look for in a fresh `g`."""
    with app.app_context(), app.test_request_context(), access.acting_as("test:setup"):
        yield


@pytest.fixture(autouse=True)
def _remove_own_projects(app):
    """The projects a test made go afterwards, with their tasks and problems: the database
    is shared by the whole session, and other tests page through its projects."""
    yield
    with writing(app):
        mine = select(m.Project.id).where(m.Project.code.like("PRB-CAL-%"))
        for model in (m.Task, m.Problem):
            db.session.execute(model.__table__.delete().where(model.project_id.in_(mine)))
        db.session.execute(m.Project.__table__.delete().where(m.Project.id.in_(mine)))
        db.session.commit()


def new_project(app, department: int, **fields) -> int:
    """A green project of a department, with no tasks, problems or plan."""
    n = next(_serial)
    with writing(app):
        project = m.Project(code=f"PRB-CAL-{n}", name=f"问题测试项目{n}", category="other",
                            stage="construction", list_level="county",
                            lead_department_id=department, **fields)
        db.session.add(project)
        db.session.commit()
        return project.id


def new_problem(app, project: int, department: int, raised_on: dt.date,
                deadline: dt.date | None = None) -> int:
    with writing(app):
        problem = m.Problem(project_id=project, department_id=department, category="land",
                            description=f"问题{next(_serial)}", raised_on=raised_on,
                            deadline=deadline)
        db.session.add(problem)
        db.session.commit()
        return problem.id


def colour(app, project: int) -> str:
    with writing(app):
        return db.session.get(m.Project, project).status_color


def problem_row(app, pk: int) -> m.Problem:
    with writing(app):
        row = db.session.get(m.Problem, pk)
        db.session.expunge(row)
        return row


def post(client, url: str, data: dict):
    return client.post(url, data=data | {"csrf_token": csrf_token(client)})


# --- problems ------------------------------------------------------------------------------


def test_overdue_problem_turns_project_red_and_resolving_recomputes(app, client, auth, world):
    day = today(app)
    project = new_project(app, world.dept_a)
    assert colour(app, project) == "green"
    auth.login("supervisor")
    response = post(client, "/problemview/add", {
        "project": project, "description": "征地拆迁未完成", "category": "relocation",
        "raised_on": (day - 10 * DAY).isoformat(), "department": world.dept_a,
        "person": world.person_a, "deadline": (day - DAY).isoformat(),
        "coordinating_leader": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    with writing(app):
        pk = db.session.scalar(select(m.Problem.id).where(m.Problem.project_id == project))
    assert colour(app, project) == "red"

    response = post(client, f"/problems/{pk}/resolve",
                    {"resolution": "县领导协调，已完成征迁", "resolved_on": day.isoformat()})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/problemview/show/{pk}")
    row = problem_row(app, pk)
    assert (row.resolved_on, row.resolution) == (day, "县领导协调，已完成征迁")
    assert colour(app, project) == "green"


def test_resolved_on_defaults_to_today(app, client, auth, world):
    day = today(app)
    pk = new_problem(app, new_project(app, world.dept_a), world.dept_a, day - 3 * DAY)
    auth.login("staff_a")
    assert post(client, f"/problems/{pk}/resolve",
                {"resolution": "已办结", "resolved_on": ""}).status_code == 302
    assert problem_row(app, pk).resolved_on == day


@pytest.mark.parametrize("resolution, resolved_on, message", [
    ("", 0, "请填写解决情况。"),
    ("   ", 0, "请填写解决情况。"),
    ("已解决", -6, "解决日期不能早于提出日期。"),
    ("已解决", 1, "解决日期不能晚于今天。"),
    ("已解决", "2026-13-45", "日期格式应为"),
])
def test_resolve_refuses_bad_input(app, client, auth, world, resolution, resolved_on, message):
    day = today(app)
    project = new_project(app, world.dept_a)
    pk = new_problem(app, project, world.dept_a, day - 5 * DAY, deadline=day - DAY)
    with writing(app):
        status.refresh_projects([project])
        db.session.commit()
    when = resolved_on if isinstance(resolved_on, str) else (day + resolved_on * DAY).isoformat()
    auth.login("supervisor")
    response = post(client, f"/problems/{pk}/resolve",
                    {"resolution": resolution, "resolved_on": when})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    row = problem_row(app, pk)
    assert row.resolved_on is None and row.resolution is None
    assert colour(app, project) == "red"


def test_resolving_twice_is_refused(app, client, auth, world):
    day = today(app)
    pk = new_problem(app, new_project(app, world.dept_a), world.dept_a, day - 3 * DAY)
    auth.login("supervisor")
    assert post(client, f"/problems/{pk}/resolve", {"resolution": "已办结"}).status_code == 302
    response = post(client, f"/problems/{pk}/resolve", {"resolution": "再次办结"})
    assert response.status_code == 422
    assert problem_row(app, pk).resolution == "已办结"


@pytest.mark.parametrize("login", ["supervisor", "admin", "staff_a"])
def test_escalate_to_a_leader(app, client, auth, world, login):
    pk = new_problem(app, new_project(app, world.dept_a), world.dept_a, today(app))
    auth.login(login)
    form = client.get(f"/problems/{pk}/escalate").get_data(as_text=True)
    offered = set(re.findall(r'<option value="(\d+)"', form))
    assert str(world.leader_person) in offered and str(world.person_a) not in offered
    response = post(client, f"/problems/{pk}/escalate", {"leader": world.leader_person})
    assert response.status_code == 302
    assert problem_row(app, pk).coordinating_leader_id == world.leader_person


@pytest.mark.parametrize("leader", ["person_a", "clerk", "", "999999", "abc"])
def test_escalate_refuses_a_person_who_is_not_a_leader(app, client, auth, world, leader):
    pk = new_problem(app, new_project(app, world.dept_a), world.dept_a, today(app))
    auth.login("supervisor")
    value = getattr(world, leader, leader)
    response = post(client, f"/problems/{pk}/escalate", {"leader": value})
    assert response.status_code == 422
    assert "协调领导应为县级领导" in response.get_data(as_text=True)
    assert problem_row(app, pk).coordinating_leader_id is None


def test_escalating_a_resolved_problem_is_refused(app, client, auth, world):
    day = today(app)
    pk = new_problem(app, new_project(app, world.dept_a), world.dept_a, day - DAY)
    auth.login("supervisor")
    assert post(client, f"/problems/{pk}/resolve", {"resolution": "已办结"}).status_code == 302
    response = post(client, f"/problems/{pk}/escalate", {"leader": world.leader_person})
    assert response.status_code == 422
    assert "问题已解决" in response.get_data(as_text=True)
    assert problem_row(app, pk).coordinating_leader_id is None


def test_coordinating_leader_must_be_a_leader_in_forms_and_api(app, client, auth, api_token,
                                                              world):
    pk = new_problem(app, new_project(app, world.dept_a), world.dept_a, today(app))
    headers = api_token("supervisor")
    response = client.put(f"/api/v1/problem/{pk}", json={"coordinating_leader": world.person_a},
                          headers=headers)
    assert response.status_code == 422
    assert "协调领导应为县级领导" in response.json["message"]
    assert problem_row(app, pk).coordinating_leader_id is None
    response = client.put(f"/api/v1/problem/{pk}",
                          json={"coordinating_leader": world.leader_person}, headers=headers)
    assert response.status_code == 200
    assert problem_row(app, pk).coordinating_leader_id == world.leader_person


@pytest.mark.parametrize("action, data", [
    ("escalate", {"leader": "LEADER"}), ("resolve", {"resolution": "已办结"}),
])
def test_problem_actions_keep_row_scope_and_roles(app, client, auth, world, action, data):
    data = {k: world.leader_person if v == "LEADER" else v for k, v in data.items()}
    other = world.b["problem"]
    auth.login("staff_a")
    assert client.get(f"/problems/{other}/{action}").status_code == 404
    assert post(client, f"/problems/{other}/{action}", data).status_code == 404
    # on department A's project but handled by department B: A sees it, only B handles it
    shared = new_problem(app, world.a["project"], world.dept_b, today(app))
    assert client.get(f"/problems/{shared}/{action}").status_code == 403
    assert post(client, f"/problems/{shared}/{action}", data).status_code == 403
    auth.logout()
    auth.login("leader")
    assert client.get(f"/problems/{shared}/{action}").status_code == 403
    assert post(client, f"/problems/{shared}/{action}", data).status_code == 403
    row = problem_row(app, shared)
    assert row.coordinating_leader_id is None and row.resolved_on is None
    auth.logout()
    auth.login("staff_b")
    assert client.get(f"/problems/{shared}/{action}").status_code == 200


def test_problem_actions_need_the_csrf_token(app, client, auth, world):
    pk = new_problem(app, new_project(app, world.dept_a), world.dept_a, today(app))
    auth.login("supervisor")
    response = client.post(f"/problems/{pk}/resolve", data={"resolution": "已办结"})
    assert response.status_code == 400
    response = client.post(f"/problems/{pk}/escalate", data={"leader": world.leader_person})
    assert response.status_code == 400
    row = problem_row(app, pk)
    assert row.resolved_on is None and row.coordinating_leader_id is None


def test_show_page_offers_the_actions_to_who_may_take_them(app, client, auth, world):
    pk = new_problem(app, new_project(app, world.dept_a), world.dept_a, today(app))
    links = (f"/problems/{pk}/escalate", f"/problems/{pk}/resolve")
    auth.login("supervisor")
    html = client.get(f"/problemview/show/{pk}").get_data(as_text=True)
    assert all(link in html for link in links)
    auth.logout()
    auth.login("leader")
    html = client.get(f"/problemview/show/{pk}").get_data(as_text=True)
    assert not any(link in html for link in links)


# --- the holiday calendar ------------------------------------------------------------------


@pytest.fixture
def holiday_ids(app):
    """Holiday rows a test adds are removed afterwards: the table is shared by the session."""
    with writing(app):
        before = set(db.session.scalars(select(m.Holiday.id)))
    yield before
    with writing(app):
        db.session.execute(m.Holiday.__table__.delete().where(m.Holiday.id.not_in(before)))
        db.session.commit()


def added_rows(app, before: set[int]) -> list[tuple[dt.date, bool, str]]:
    with writing(app):
        rows = db.session.execute(select(m.Holiday.day, m.Holiday.is_workday, m.Holiday.name)
                                  .where(m.Holiday.id.not_in(before)).order_by(m.Holiday.day))
        return [tuple(row) for row in rows]


def test_prefill_fills_the_statutory_days_once(app, client, auth, holiday_ids):
    since = dt.date(today(app).year, 1, 1)
    with writing(app):
        existing = set(db.session.scalars(select(m.Holiday.day)))
        expected = {d: v for d, v in holiday_pages.statutory_days(since).items()
                    if d not in existing}
    auth.login("admin")
    response = post(client, "/holidays/prefill", {})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/holidayview/list/")
    assert added_rows(app, holiday_ids) == [(d, w, n) for d, (w, n) in expected.items()]
    html = client.get("/holidayview/list/").get_data(as_text=True)
    assert ("已从内置日历预填" if expected else "未新增记录") in html
    assert post(client, "/holidays/prefill", {}).status_code == 302
    assert len(added_rows(app, holiday_ids)) == len(expected)
    assert "未新增记录" in client.get("/holidayview/list/").get_data(as_text=True)


def test_statutory_days_know_adjusted_working_days():
    days = holiday_pages.statutory_days(dt.date(2026, 1, 1))
    assert days[dt.date(2026, 10, 1)] == (False, "国庆节")
    assert days[dt.date(2026, 10, 10)] == (True, "国庆节")  # Saturday, 调休上班
    assert days[dt.date(2026, 2, 14)] == (True, "春节")
    assert dt.date(2025, 10, 1) not in days


def test_prefill_command_is_idempotent(app, holiday_ids):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["holidays", "prefill"])
    assert first.exit_code == 0, first.output
    added = len(added_rows(app, holiday_ids))
    assert f"{added} days added" in first.output
    second = runner.invoke(args=["holidays", "prefill"])
    assert second.exit_code == 0, second.output
    assert "0 days added" in second.output
    assert len(added_rows(app, holiday_ids)) == added


@pytest.mark.parametrize("login", ["supervisor", "leader", "staff_a"])
def test_only_admins_prefill(app, client, auth, holiday_ids, login):
    auth.login(login)
    assert post(client, "/holidays/prefill", {}).status_code == 403
    assert added_rows(app, holiday_ids) == []
    assert "/holidays/prefill" not in client.get("/holidayview/list/").get_data(as_text=True)


@pytest.fixture
def next_year_uncovered(app, monkeypatch, holiday_ids):
    """Next year unknown to chinese-calendar and absent from the holiday table.

    The world's rows of that year are moved 400 years on (same leap days) and put back.
    The portal's day is 3 December: next year is warned of from 1 December.
    """
    year = today(app).year + 1
    known = holiday_pages.known_years()
    monkeypatch.setattr(holiday_pages, "known_years", lambda: known - {year})
    span = (m.Holiday.day >= dt.date(year, 1, 1), m.Holiday.day <= dt.date(year, 12, 31))
    with writing(app):
        moved = list(db.session.scalars(select(m.Holiday).where(*span)))
        for row in moved:
            row.day = row.day.replace(year=year + 400)
        db.session.commit()
        moved_ids = [row.id for row in moved]
    with on_day(app, dt.date(year - 1, 12, 3)):
        yield year
    with writing(app):
        db.session.execute(m.Holiday.__table__.delete().where(*span))
        for row in db.session.scalars(select(m.Holiday).where(m.Holiday.id.in_(moved_ids))):
            row.day = row.day.replace(year=year)
        db.session.commit()


WARNING = "{} 年节假日安排尚未发布/未录入，工作日按周一至周五计算，请在节假日表中补录。"


def test_uncovered_next_year_is_shown_to_admins_until_entered(app, client, auth,
                                                              next_year_uncovered):
    year = next_year_uncovered
    warning = WARNING.format(year)
    with writing(app):
        assert year in holiday_pages.uncovered_years(status.today())
    auth.login("admin")
    assert warning in client.get("/").get_data(as_text=True)
    assert warning in client.get("/holidayview/list/").get_data(as_text=True)
    response = post(client, "/holidayview/add", {"day": f"{year}-10-01", "name": "国庆节"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert warning not in client.get("/").get_data(as_text=True)
    assert warning not in client.get("/holidayview/list/").get_data(as_text=True)
    with writing(app):
        assert year not in holiday_pages.uncovered_years(status.today())


@pytest.mark.parametrize("login, shown", [
    ("supervisor", True), ("leader", False), ("staff_a", False),
])
def test_calendar_warning_is_for_the_office(app, client, auth, next_year_uncovered, login,
                                            shown):
    warning = WARNING.format(next_year_uncovered)
    auth.login(login)
    assert (warning in client.get("/").get_data(as_text=True)) is shown
    assert (warning in client.get("/holidayview/list/").get_data(as_text=True)) is shown


def test_a_year_known_to_chinese_calendar_is_covered(app):
    with writing(app):
        assert holiday_pages.uncovered_years(dt.date(2025, 6, 1)) == []
        assert 2026 in holiday_pages.known_years()


# --- status badges, filters, percentages ---------------------------------------------------


def test_badge_escapes_and_colours():
    show = badge({"overdue": "逾期<b>"}, TASK_STATUS_STYLE)
    assert str(show("overdue")) == '<span class="label label-danger">逾期&lt;b&gt;</span>'
    assert str(show('"><script>')) == (
        '<span class="label label-default">&#34;&gt;&lt;script&gt;</span>')
    assert show(None) == ""


def test_percent():
    assert percent(0.75) == "75.0%"
    assert percent(1 / 3) == "33.3%"
    assert percent(0.0) == "0.0%"
    assert percent(None) == "—"


def new_task(app, project: int, department: int, deadline: dt.date, **fields) -> int:
    with writing(app):
        task = m.Task(title=f"状态测试任务{next(_serial)}", project_id=project,
                      department_id=department, assigned_on=deadline - 20 * DAY,
                      deadline=deadline, original_deadline=deadline, **fields)
        db.session.add(task)
        db.session.commit()
        status.refresh_projects([project])
        db.session.commit()
        return task.id


def task_row(app, pk: int) -> m.Task:
    with writing(app):
        row = db.session.get(m.Task, pk)
        db.session.expunge(row)
        return row


def test_lists_show_status_and_colour_as_badges(app, client, auth, world):
    day = today(app)
    project = new_project(app, world.dept_a)
    task = new_task(app, project, world.dept_a, day - 2 * DAY)
    auth.login("supervisor")
    html = client.get(f"/taskview/list/?_flt_3_title={task_row(app, task).title}")
    assert '<span class="label label-danger">逾期</span>' in html.get_data(as_text=True)
    html = client.get(f"/taskview/show/{task}").get_data(as_text=True)
    assert '<span class="label label-danger">逾期</span>' in html
    with writing(app):
        code = db.session.get(m.Project, project).code
    html = client.get(f"/projectview/list/?_flt_3_code={code}").get_data(as_text=True)
    assert '<span class="label label-danger">红</span>' in html


def search_widget(html: str) -> tuple[dict, dict]:
    """The search widget's fields and operations, as FAB hands them to its script."""
    match = re.search(r"new AdminFilters\(\s*'[^']*',\s*(\{.*?\}),\s*(\{.*?\}),\s*(\{.*?\}),",
                      html, re.S)
    assert match, "no search widget"
    return json.loads(match.group(2)), json.loads(match.group(3))


@pytest.mark.parametrize("url, column, labels", [
    ("/taskview/list/", "status", ["推进中", "临期", "逾期", "按期完成", "逾期完成", "已撤销"]),
    ("/projectview/list/", "status_color", ["绿", "黄", "红"]),
])
def test_status_filters_are_drop_downs_of_labels(client, auth, world, url, column, labels):
    auth.login("supervisor")
    fields, operations = search_widget(client.get(url).get_data(as_text=True))
    assert fields[column].startswith("<select")
    assert re.findall(r">([^<]+)</option>", fields[column]) == labels
    assert operations[column] == ["等于", "不等于"]


def test_status_filter_selects_rows(app, client, auth, world):
    day = today(app)
    project = new_project(app, world.dept_a)
    late = new_task(app, project, world.dept_a, day - 3 * DAY)
    done = new_task(app, project, world.dept_a, day - 3 * DAY, done_on=day - 4 * DAY)
    auth.login("supervisor")
    html = client.get("/taskview/list/?_flt_0_status=overdue&psize_TaskView=100")
    shown = set(re.findall(r"/taskview/show/(\d+)", html.get_data(as_text=True)))
    assert str(late) in shown and str(done) not in shown
    # open tasks come first (任务台账's order): this module's tasks only, so the done one is
    # on the page whatever the rest of the suite added
    html = client.get("/taskview/list/?_flt_1_status=overdue&_flt_2_title=状态测试任务"
                      "&psize_TaskView=100")
    shown = set(re.findall(r"/taskview/show/(\d+)", html.get_data(as_text=True)))
    assert str(done) in shown and str(late) not in shown
    assert client.get("/taskview/list/?_flt_7_status=overdue").status_code == 200


def test_compliance_list_shows_rates_as_percentages(app, client, auth, world):
    with writing(app):
        row = m.Compliance(period=dt.date(2031, 3, 1), department_id=world.dept_a,
                           dispatch_rate=0.75, supervision_rate=None,
                           implementation_rate=1.0, feedback_rate=2 / 3,
                           built_at=dt.datetime(2031, 4, 1))
        db.session.add(row)
        db.session.commit()
        pk = row.id
    try:
        auth.login("supervisor")
        html = client.get("/complianceview/list/?_flt_0_period=2031-03-01")
        cells = html.get_data(as_text=True)
        for text in ("75.0%", "100.0%", "66.7%", "—"):
            assert text in cells
    finally:
        with writing(app):
            db.session.execute(m.Compliance.__table__.delete().where(m.Compliance.id == pk))
            db.session.commit()


def edit_form(task: m.Task, **changes) -> dict:
    """The task's edit form as the browser posts it."""
    form = {"title": task.title, "project": task.project_id or "", "meeting": "",
            "expected_outcome": "", "department": task.department_id, "person": "",
            "assigned_on": task.assigned_on.isoformat(), "deadline": task.deadline.isoformat(),
            "done_on": "", "lag_reason": "", "measures": ""}
    return form | changes


@pytest.mark.parametrize("done_after_deadline, expected, days", [
    (-1, "done_on_time", 0), (0, "done_on_time", 0), (2, "done_late", 2),
])
def test_editing_done_on_updates_status_and_colour_at_once(app, client, auth, world,
                                                          done_after_deadline, expected, days):
    day = today(app)
    project = new_project(app, world.dept_a)
    pk = new_task(app, project, world.dept_a, day - 3 * DAY)
    assert task_row(app, pk).status == "overdue"
    assert colour(app, project) == "red"
    task = task_row(app, pk)
    done_on = task.deadline + done_after_deadline * DAY
    auth.login("supervisor")
    response = post(client, f"/taskview/edit/{pk}", edit_form(task, done_on=done_on.isoformat()))
    assert response.status_code == 302, response.get_data(as_text=True)
    task = task_row(app, pk)
    assert (task.done_on, task.status, task.overdue_days) == (done_on, expected, days)
    assert colour(app, project) == "green"


def test_cancelling_by_api_sets_status_cancelled(app, client, api_token, world):
    day = today(app)
    project = new_project(app, world.dept_a, annual_plan_investment=Decimal("0"))
    pk = new_task(app, project, world.dept_a, day - DAY)
    assert colour(app, project) == "red"
    response = client.put(f"/api/v1/task/{pk}", json={"cancelled": True},
                          headers=api_token("supervisor"))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert task_row(app, pk).status == "cancelled"
    assert colour(app, project) == "green"
    response = client.get(f"/api/v1/task/{pk}", headers=api_token("supervisor"))
    assert response.json["result"]["status"] == "cancelled"
