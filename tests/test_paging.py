"""Keys-first paging (app/web/paging.py) gives the very pages FAB's own paging gives."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app import models as m
from app.web.paging import PagedInterface


@pytest.fixture(scope="module")
def paged_tasks(app, world):
    """37 tasks in a department of their own, many sharing a deadline (ties break by id)."""
    from app.extensions import db

    with app.app_context():
        dept = m.Department(name="分页测试局", kind="other")
        db.session.add(dept)
        db.session.add_all(
            m.Task(title=f"分页任务{i}", department=dept, assigned_on=dt.date(2026, 1, 1),
                   deadline=dt.date(2026, 3, 1 + i % 4), original_deadline=dt.date(2026, 3, 1))
            for i in range(37))
        db.session.commit()
        return dept.id


@pytest.mark.parametrize(("order", "direction"), [("deadline", "asc"), ("title", "desc"),
                                                  ("department.name", "asc")])
def test_every_page_is_the_plain_page(app, paged_tasks, order, direction):
    from app.extensions import db

    with app.app_context():
        ours, plain = PagedInterface(m.Task, db.session), SQLAInterface(m.Task, db.session)
        total = plain.query()[0]
        for page in range(-(-total // 10)):
            count, rows = ours.query(order_column=order, order_direction=direction,
                                     page=page, page_size=10)
            expected = plain.query(order_column=order, order_direction=direction,
                                   page=page, page_size=10)
            assert count == expected[0] == total
            assert [t.id for t in rows] == [t.id for t in expected[1]], page


def test_rest_list_pages_the_same(app, client, api_token, paged_tasks):
    """The REST list (FAB selects only its list columns) pages through the same interface."""
    from app.extensions import db

    query = "(order_column:deadline,order_direction:asc,page:1,page_size:7)"
    response = client.get(f"/api/v1/task/?q={query}", headers=api_token("admin"))
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        expected = SQLAInterface(m.Task, db.session).query(
            order_column="deadline", order_direction="asc", page=1, page_size=7)[1]
    assert response.json["ids"] == [t.id for t in expected]
