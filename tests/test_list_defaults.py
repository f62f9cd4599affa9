"""Issue 18.7: 任务台账 opens with the open tasks first by deadline, and every CRUD list
remembers its user's last filter and order for the session."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from app import models as m

pytestmark = pytest.mark.usefixtures("leaves_no_rows")
FILTERS = re.compile(r"new AdminFilters\(\s*'#filter_form',.*?,\s*(\[.*?\])\s*\);", re.S)


def active_filters(html: str) -> list:
    """The filters the search form shows as applied (FAB hands them to its script)."""
    match = FILTERS.search(html)
    assert match, "no search form"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def tasks(app, world):
    """An old finished task and a later open one of department A."""
    from app.extensions import db

    with app.app_context():
        done = m.Task(title="排序测试：早已完成的任务", department_id=world.dept_a,
                      assigned_on=dt.date(2025, 1, 2), deadline=dt.date(2025, 1, 10),
                      original_deadline=dt.date(2025, 1, 10),
                      done_on=dt.date(2025, 1, 8), status="done_on_time")
        open_ = m.Task(title="排序测试：年底要办的任务", department_id=world.dept_a,
                       assigned_on=dt.date(2026, 6, 1), deadline=dt.date(2026, 12, 30),
                       original_deadline=dt.date(2026, 12, 30),
                       status="pending")
        db.session.add_all([done, open_])
        db.session.commit()
        return done.title, open_.title


def test_task_list_opens_with_open_tasks_first(client, auth, tasks):
    done, open_ = tasks
    auth.login("supervisor")
    client.get("/taskview/list/?_clear=1")
    html = client.get("/taskview/list/?_flt_0_title=排序测试").get_data(as_text=True)
    assert open_ in html and done in html
    assert html.index(open_) < html.index(done)
    # a column's own order still works: by deadline, the old finished task comes first
    html = client.get("/taskview/list/?_flt_0_title=排序测试&_oc_TaskView=deadline"
                      "&_od_TaskView=asc").get_data(as_text=True)
    assert html.index(done) < html.index(open_)
    # the whole list, unfiltered: no finished or cancelled task before an open one
    client.get("/taskview/list/?_clear=1")
    html = client.get("/taskview/list/?psize_TaskView=100").get_data(as_text=True)
    badges = re.findall(r'<span class="label label-(\w+)">', html)
    closed = {"success", "info", "default"}  # 按期完成, 逾期完成, 已撤销 (TASK_STATUS_STYLE)
    first_closed = next((i for i, b in enumerate(badges) if b in closed), len(badges))
    assert all(b in closed for b in badges[first_closed:]), badges


def test_export_follows_the_open_first_order(client, auth, tasks):
    from io import BytesIO

    from openpyxl import load_workbook

    auth.login("supervisor")
    client.get("/taskview/list/?_clear=1")
    response = client.get("/taskview/export/?_flt_0_title=排序测试")
    assert response.status_code == 200
    data = response.data
    response.close()  # the spooled file goes
    titles = [row[0] for row in load_workbook(BytesIO(data)).active.iter_rows(
        min_row=2, values_only=True)]
    assert titles.index(tasks[1]) < titles.index(tasks[0])


def test_a_second_visit_shows_the_last_filter(client, auth, tasks):
    auth.login("supervisor")
    client.get("/taskview/list/?_flt_0_status=done_on_time&_search=1")
    response = client.get("/taskview/list/")
    assert response.status_code == 302
    assert "_flt_0_status=done_on_time" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert active_filters(html) == [["status", "等于", ["done_on_time"]]]
    assert tasks[0] in html and tasks[1] not in html
    assert "清除筛选" in html


def test_order_is_remembered_and_a_new_filter_replaces_the_old(client, auth, tasks):
    auth.login("supervisor")
    client.get("/taskview/list/?_flt_0_status=done_on_time")
    client.get("/taskview/list/?_flt_0_status=pending&_oc_TaskView=deadline&_od_TaskView=desc")
    location = client.get("/taskview/list/").headers["Location"]
    assert "_flt_0_status=pending" in location and "done_on_time" not in location
    assert "_oc_TaskView=deadline" in location and "_od_TaskView=desc" in location


def test_clearing_or_an_empty_search_forgets_the_filter(client, auth, tasks):
    auth.login("supervisor")
    client.get("/taskview/list/?_flt_0_status=pending")
    response = client.get("/taskview/list/?_clear=1")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/taskview/list/")
    page = client.get("/taskview/list/")
    assert page.status_code == 200 and active_filters(page.get_data(as_text=True)) == []
    client.get("/taskview/list/?_flt_0_status=pending")
    client.get("/taskview/list/?_search=1")  # every filter removed, then 搜索
    assert client.get("/taskview/list/").status_code == 200


def test_each_list_remembers_its_own_filter(client, auth, tasks):
    auth.login("supervisor")
    client.get("/taskview/list/?_flt_0_status=pending")
    assert client.get("/problemview/list/").status_code == 200
    assert client.get("/taskview/list/").status_code == 302


def test_another_users_session_is_not_affected(app, tasks):
    from tests.support.web import Auth

    one, other = app.test_client(), app.test_client()  # two browsers (no context kept)
    Auth(one).login("supervisor")
    Auth(other).login("admin")
    one.get("/taskview/list/?_flt_0_status=done_on_time")
    page = other.get("/taskview/list/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert active_filters(html) == []
    assert one.get("/taskview/list/").status_code == 302  # the first user's is kept
