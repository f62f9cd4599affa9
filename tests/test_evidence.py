"""Evidence that cannot be rewritten (issue 14, "What broke" 3): accepted feedback is final
for the department, a feedback's day lies within [the task's assigned day, today] and not in
a month whose circular is issued, and a problem is not resolved in the future — on the
form, in 我的台账 and through the API alike."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from app import models as m
from app.domain import access, clock
from app.extensions import db
from tests.support.database import count, get
from tests.support.html_forms import form_fields
from tests.support.web import csrf_token

pytestmark = pytest.mark.usefixtures("leaves_no_rows")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _today(app) -> dt.date:
    with app.app_context():
        return clock.today()


@pytest.fixture
def accepted(app, world) -> int:
    """A feedback of department A the office has accepted."""
    with app.app_context(), access.acting_as("test:setup"):
        row = m.Feedback(task_id=world.a["task"], reported_on=clock.today(),
                         progress="已完成主体结构", percent_complete=60,
                         review_status="accepted", review_comment="属实")
        db.session.add(row)
        db.session.commit()
        return row.id


def _unchanged(app, pk: int) -> None:
    row = get(app, m.Feedback, pk)
    assert row is not None and (row.progress, row.review_status) == ("已完成主体结构",
                                                                       "accepted")


def test_accepted_feedback_is_final_through_the_api(app, client, api_token, accepted):
    """The attack: A rewrites, then deletes, a feedback the office accepted."""
    headers = api_token("staff_a")
    response = client.put(f"/api/v1/feedback/{accepted}", json={"progress": "改写的进展"},
                          headers=headers)
    assert response.status_code == 403 and "已采纳" in response.json["message"]
    response = client.delete(f"/api/v1/feedback/{accepted}", headers=headers)
    assert response.status_code == 403 and "已采纳" in response.json["message"]
    _unchanged(app, accepted)


def test_accepted_feedback_is_final_on_the_forms(app, client, auth, accepted):
    auth.login("staff_a")
    form = form_fields(client.get(f"/feedbackview/edit/{accepted}").get_data(as_text=True))
    response = client.post(f"/feedbackview/edit/{accepted}", data=form | {"progress": ["改写"]})
    assert response.status_code == 403 and "已采纳" in response.get_data(as_text=True)
    token = {"csrf_token": csrf_token(client)}
    response = client.post(f"/feedbackview/delete/{accepted}", data=token)
    assert response.status_code == 403 and "已采纳" in response.get_data(as_text=True)
    before = count(app, m.Attachment)
    response = client.post(f"/attachments/feedback/{accepted}/upload",
                           data=token | {"file": (io.BytesIO(PDF), "改.pdf")})
    assert response.status_code in (403, 302) and count(app, m.Attachment) == before
    _unchanged(app, accepted)


def test_a_correction_is_a_new_feedback(app, client, api_token, world, accepted):
    today = _today(app).isoformat()
    response = client.post("/api/v1/feedback/", headers=api_token("staff_a"), json={
        "task": world.a["task"], "reported_on": today, "progress": "更正：主体结构完成 55%",
        "percent_complete": 55})
    assert response.status_code == 201, response.json


def test_the_office_still_reviews_accepted_feedback(app, client, api_token, accepted):
    response = client.put(f"/api/v1/feedback/{accepted}", json={"review_comment": "复核属实"},
                          headers=api_token("supervisor"))
    assert response.status_code == 200, response.json


@pytest.fixture
def judged_month(app) -> dt.date:
    """A month of this year whose 督查通报 is issued (the world's is May 2026)."""
    with app.app_context():
        return db.session.scalar(select(func.max(m.Circular.period)))


@pytest.fixture
def recent_task(app, world) -> int:
    """A task of A assigned ten days ago."""
    with app.app_context(), access.acting_as("test:setup"):
        assigned = clock.today() - dt.timedelta(days=10)
        row = m.Task(title="新交办任务", department_id=world.dept_a, assigned_on=assigned,
                     deadline=assigned + dt.timedelta(days=60),
                     original_deadline=assigned + dt.timedelta(days=60))
        db.session.add(row)
        db.session.commit()
        return row.id


def _bad_days(app, world, judged: dt.date, recent: int) -> dict[str, tuple[int, str]]:
    """Why each is refused: (the task, the day reported)."""
    today, task = _today(app), world.a["task"]
    return {"1900": (task, "1900-01-01"), "2099": (task, "2099-01-01"),
            "tomorrow": (task, (today + dt.timedelta(days=1)).isoformat()),
            "before assigned": (recent, (today - dt.timedelta(days=11)).isoformat()),
            "judged month": (task, judged.replace(day=25).isoformat())}


def test_feedback_days_outside_the_window_are_refused_by_api(app, client, api_token, world,
                                                             judged_month, recent_task):
    """The attack: A files feedback dated 1900, 2099 or back into a month already judged."""
    headers = api_token("staff_a")
    before = count(app, m.Feedback)
    for why, (task, day) in _bad_days(app, world, judged_month, recent_task).items():
        response = client.post("/api/v1/feedback/", headers=headers, json={
            "task": task, "reported_on": day, "progress": "进展",
            "percent_complete": 50})
        assert response.status_code == 422, (why, response.json)
        assert any("\u4e00" <= c <= "\u9fff" for c in response.json["message"]), why
    assert count(app, m.Feedback) == before
    fine = client.post("/api/v1/feedback/", headers=headers, json={
        "task": world.a["task"], "reported_on": _today(app).isoformat(), "progress": "进展",
        "percent_complete": 50})
    assert fine.status_code == 201, fine.json
    response = client.put(f"/api/v1/feedback/{fine.json['id']}", headers=headers,
                          json={"reported_on": judged_month.replace(day=26).isoformat()})
    assert response.status_code == 422, response.json  # back-dated into the judged month
    assert "督查通报" in response.json["message"]


def test_feedback_days_outside_the_window_are_refused_on_the_form(app, client, auth, world,
                                                                  judged_month, recent_task):
    auth.login("staff_a")
    form = form_fields(client.get("/feedbackview/add").get_data(as_text=True))
    before = count(app, m.Feedback)
    for why, (task, day) in _bad_days(app, world, judged_month, recent_task).items():
        data = form | {"task": [str(task)], "reported_on": [day],
                       "progress": ["进展"], "percent_complete": ["50"]}
        response = client.post("/feedbackview/add", data=data)
        assert response.status_code == 422, why
    assert count(app, m.Feedback) == before


def test_a_problem_is_not_resolved_in_the_future(app, client, auth, api_token, world):
    """The attack: A marks a problem resolved next year through the API (the form refuses)."""
    pk = world.a["problem"]
    later = (_today(app) + dt.timedelta(days=30)).isoformat()
    response = client.put(f"/api/v1/problem/{pk}", json={"resolved_on": later},
                          headers=api_token("staff_a"))
    assert response.status_code == 422 and "今天" in response.json["message"]
    auth.login("staff_a")
    form = form_fields(client.get(f"/problemview/edit/{pk}").get_data(as_text=True))
    response = client.post(f"/problemview/edit/{pk}", data=form | {"resolved_on": [later]})
    assert response.status_code == 422
    assert get(app, m.Problem, pk).resolved_on is None
