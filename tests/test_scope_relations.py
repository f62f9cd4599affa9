"""Row scope follows relations, and rows that every department reads stay read-only for them
(issue 14, "What broke" 2): a meeting shows a department only its own dispatched projects; a
county leader's record and another department's problem cannot be taken over."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app import models as m
from app.domain import access
from app.extensions import db
from tests.support.database import get
from tests.support.html_forms import form_fields

pytestmark = pytest.mark.usefixtures("leaves_no_rows")


@pytest.fixture(scope="module")
def joint_meeting(app, world) -> int:
    """A meeting that dispatched the projects of both departments (a county 调度会)."""
    with app.app_context(), access.acting_as("test:setup"):
        projects = db.session.scalars(select(m.Project).where(
            m.Project.id.in_([world.a["project"], world.b["project"]]))).all()
        meeting = m.Meeting(held_on=dt.date(2026, 6, 9), title="六月联合调度会",
                            projects=list(projects))
        db.session.add(meeting)
        db.session.commit()
        return meeting.id


def _project_ids(result: dict) -> set[int]:
    return {p["id"] for p in result["projects"]}


def test_a_meetings_api_lists_only_the_users_projects(client, api_token, world, joint_meeting):
    """The attack: staff of A reads the meeting and learns of B's project."""
    headers = api_token("staff_a")
    shown = client.get(f"/api/v1/meeting/{joint_meeting}", headers=headers)
    assert shown.status_code == 200
    assert _project_ids(shown.json["result"]) == {world.a["project"]}
    assert "项目B" not in shown.get_data(as_text=True)
    listed = client.get("/api/v1/meeting/?q=(page_size:100)", headers=headers).json
    (row,) = [r for r, i in zip(listed["result"], listed["ids"], strict=True)
              if i == joint_meeting]
    assert _project_ids(row) == {world.a["project"]}
    office = client.get(f"/api/v1/meeting/{joint_meeting}", headers=api_token("supervisor"))
    assert _project_ids(office.json["result"]) == {world.a["project"], world.b["project"]}


def test_a_meetings_page_shows_only_the_users_projects(client, auth, joint_meeting):
    auth.login("staff_a")
    html = client.get(f"/meetingview/show/{joint_meeting}").get_data(as_text=True)
    assert "项目A" in html and "项目B" not in html
    listed = client.get("/meetingview/list/?_flt_0_title=六月联合").get_data(as_text=True)
    assert "项目B" not in listed
    auth.logout()
    auth.login("supervisor")
    html = client.get(f"/meetingview/show/{joint_meeting}").get_data(as_text=True)
    assert "项目A" in html and "项目B" in html


def refused_both_ways(client, auth, api_token, user: str, api_url: str, edit_url: str,
                      change: dict, form_change: dict) -> None:
    """The same change tried by the REST API and by the edit form: both refused."""
    response = client.put(api_url, json=change, headers=api_token(user))
    assert response.status_code in (403, 404), response.json
    auth.login(user)
    form = form_fields(client.get(edit_url).get_data(as_text=True))
    assert client.post(edit_url, data=form | form_change).status_code in (403, 404)


def test_staff_cannot_edit_a_county_leader(app, client, auth, api_token, world):
    """The attack: staff of A renames the county head, who then moves into A."""
    leader = world.leader_person
    refused_both_ways(client, auth, api_token, "staff_a", f"/api/v1/person/{leader}",
                      f"/personview/edit/{leader}", {"name": "张三"}, {"name": ["张三"]})
    row = get(app, m.Person, leader)
    assert row.name == "王县长" and row.is_leader and row.department_id != world.dept_a


def test_staff_still_read_a_county_leader(client, api_token, world):
    response = client.get(f"/api/v1/person/{world.leader_person}",
                          headers=api_token("staff_a"))
    assert response.status_code == 200 and response.json["result"]["name"] == "王县长"


@pytest.fixture
def problem_of_b_on_a(app, world) -> int:
    """B's problem on A's project: A sees it (its project), B owns it."""
    with app.app_context(), access.acting_as("test:setup"):
        problem = m.Problem(project_id=world.a["project"], description="B 的征地问题",
                            category="land", raised_on=dt.date(2026, 6, 2),
                            department_id=world.dept_b, person_id=world.person_b)
        db.session.add(problem)
        db.session.commit()
        return problem.id


def test_staff_cannot_take_over_another_departments_problem(app, client, auth, api_token,
                                                           world, problem_of_b_on_a):
    """The attack: staff of A clears `person` on B's problem; it moves into A's ledger."""
    pk = problem_of_b_on_a
    assert client.get(f"/api/v1/problem/{pk}", headers=api_token("staff_a")).status_code == 200
    refused_both_ways(client, auth, api_token, "staff_a", f"/api/v1/problem/{pk}",
                      f"/problemview/edit/{pk}", {"person": None}, {"person": [""]})
    row = get(app, m.Problem, pk)
    assert (row.department_id, row.person_id) == (world.dept_b, world.person_b)
    owner = client.get(f"/api/v1/problem/{pk}", headers=api_token("staff_b"))
    assert owner.status_code == 200
