"""No per-row queries: the SQL statements of a list page do not grow with its rows."""

from __future__ import annotations

import datetime as dt

import pytest

from app import models as m
from tests.support.database import counting


@pytest.fixture(scope="module")
def many_tasks(app, world):
    """120 tasks in a department of their own, so the other tests' counts stay put."""
    from app.extensions import db

    with app.app_context():
        dept = m.Department(name="统计测试局", kind="other")
        people = [m.Person(name=f"孙统计{i}", department=dept) for i in range(120)]
        project = m.Project(code="Q-1", name="统计项目", category="other", stage="planning",
                            lead_department=dept)
        db.session.add_all([dept, *people, project])
        # rows whose related rows all differ, so a per-row query would show
        db.session.add_all(
            m.Project(code=f"Q-P{i}", name=f"统计项目{i}", category="other", stage="planning",
                      lead_department=dept, responsible_person=people[i], lead_leader=people[-i])
            for i in range(1, 110))
        db.session.add_all(
            m.Task(title=f"批量任务{i}", department=dept, person=people[i], project=project,
                   assigned_on=dt.date(2026, 1, 1), deadline=dt.date(2026, 12, 1),
                   original_deadline=dt.date(2026, 12, 1))
            for i in range(120))
        db.session.commit()


def statements_of(app, client, url: str) -> int:
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    client.get(url)  # warm: FAB loads some things once
    with counting(engine) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("view", ["TaskView", "ProjectView", "FeedbackView", "ProblemView",
                                  "PersonView", "MeetingView", "ExtensionView"])
def test_list_statements_do_not_depend_on_page_size(app, client, auth, many_tasks, view):
    auth.login("admin")
    url = f"/{view.lower()}/list/?psize_{view}="
    small, large = statements_of(app, client, url + "25"), statements_of(app, client, url + "100")
    print(f"{view}: {small} statements at 25 rows, {large} at 100 rows")
    assert small == large


# What a second request of the same user costs (issue 19, item 2): the user, their login
# generation with the access version (one statement), the page's own reads and the unread
# count; nothing about roles, permissions or data scopes (tests/test_access_cache.py).
SECOND_REQUEST = {"/taskview/list/": 5, "/projectview/list/": 5, "/my/ledger/": 9,
                  "/compliance/": 7}


@pytest.mark.parametrize("username", ["staff_a", "supervisor"])
@pytest.mark.parametrize("url", list(SECOND_REQUEST))
def test_a_page_again_costs_its_own_reads_only(app, client, auth, username, url):
    auth.login(username)
    count = statements_of(app, client, url)
    print(f"{url} as {username}: {count} statements")
    assert count <= SECOND_REQUEST[url]


def test_a_page_reloaded_writes_nothing_not_even_its_session(app, client, auth):
    """FAB stores the page history in the session on every list page; the same page again
    changes nothing, so nothing is written (the store's write was a commit per page)."""
    from sqlalchemy import event

    from app.extensions import db

    with app.app_context():
        engine = db.engine
    auth.login("supervisor")
    client.get("/taskview/list/")
    writes: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith("SELECT"):
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get("/taskview/list/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert writes == []
