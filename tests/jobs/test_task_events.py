"""Task events (issue 16, item 1), against a real SMTP server and a real robot on loopback:
a task assigned, a feedback returned, an extension approved or rejected — each done by the
office through the portal — reaches the people who must act (the responsible person's login,
or without one the unit's 联络员) once in the portal, once by e-mail and once by the robot,
and nobody else; a refused act, or a change made by the system, tells no one."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from app import models as m
from app.domain import clock
from app.extensions import db
from tests.jobs.test_recipients import unit  # noqa: F401  (the fixture)
from tests.support.days import config
from tests.support.web import csrf_token


def _task(who, person: str | None) -> int:
    today = clock.today()
    task = m.Task(title=f"动态测试任务-{uuid.uuid4().hex[:6]}", department_id=who.unit,
                  person_id=who.person[person] if person else None,
                  assigned_on=today - dt.timedelta(days=10),
                  deadline=today + dt.timedelta(days=20),
                  original_deadline=today + dt.timedelta(days=20))
    db.session.add(task)
    db.session.commit()
    return task.id


def told(who, task_id: int, kind: str) -> tuple[list[str], list[str], int]:
    """(logins notified, addresses with an e-mail delivery, robot deliveries) of the task's
    events of `kind`, each list as recorded (a repeat would show twice)."""
    db.session.expire_all()
    e = m.TaskEvent
    of_kind = select(e.id).where(e.task_id == task_id, e.kind == kind)
    users = {v: k for k, v in who.user.items()}
    emails = {v: k for k, v in who.email.items()}
    notes = db.session.scalars(select(m.Notification.user_id).where(
        m.Notification.event_id.in_(of_kind))).all()
    mails = db.session.scalars(select(m.Delivery.recipient).where(
        m.Delivery.event_id.in_(of_kind), m.Delivery.channel == "email")).all()
    robots = db.session.scalars(select(m.Delivery.id).where(
        m.Delivery.event_id.in_(of_kind), m.Delivery.channel == "webhook")).all()
    return (sorted(users.get(u, f"user {u}") for u in notes),
            sorted(emails.get(a, a) for a in mails), len(robots))


def _as_office(app, auth):
    auth.login("supervisor")
    return config(app, REDIS_URL=None)  # the embedded queue: send_deliveries in the request


def test_a_task_assigned_through_the_api_is_told_to_its_owner(app, client, api_token, unit,  # noqa: F811
                                                            channels, mailbox, robot):
    today = clock.today()
    title = f"新交办-{uuid.uuid4().hex[:6]}"
    with config(app, REDIS_URL=None):
        response = client.post("/api/v1/task/", headers=api_token("supervisor"), json={
            "title": title, "department": unit.unit, "person": unit.person["owner"],
            "assigned_on": today.isoformat(),
            "deadline": (today + dt.timedelta(days=30)).isoformat()})
    assert response.status_code == 201, response.get_data(as_text=True)
    with app.app_context():
        task = db.session.scalar(select(m.Task.id).where(m.Task.title == title))
        assert told(unit, task, "assigned") == (["owner"], ["owner"], 1)
        [note] = db.session.scalars(select(m.Notification.message).where(
            m.Notification.user_id == unit.user["owner"])).all()
    assert title in note and "新交办任务" in note
    [mail] = mailbox.inbox.to(unit.email["owner"])
    assert mail["Subject"] == f"任务动态：{title}" and title in mail.get_content()
    assert len(robot.about(title)) == 1
    for key in ("liaison", "only_own", "reader", "elsewhere", "no_login"):
        assert not mailbox.inbox.to(unit.email[key]), key


def test_a_returned_feedback_tells_the_liaisons_with_the_comment(app, client, auth, unit,  # noqa: F811
                                                               channels, mailbox, robot):
    with app.app_context():
        task = _task(unit, "no_login")  # no login to tell: the unit's 联络员 are
        feedback = m.Feedback(task_id=task, reported_on=clock.today(), progress="已完成选址",
                              percent_complete=30)
        db.session.add(feedback)
        db.session.commit()
        pk = feedback.id
    with _as_office(app, auth):
        token = csrf_token(client, "/office/review/")
        response = client.post(f"/office/review/{pk}", data={
            "decision": "return", "comment": "请补充现场照片。", "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        logins, addresses, robots = told(unit, task, "returned")
    assert logins == ["liaison", "owner"]  # may report on the unit's tasks; not 仅本人
    assert addresses == ["liaison", "no_login", "owner"] and robots == 1
    for key in addresses:
        [mail] = mailbox.inbox.to(unit.email[key])
        assert "请补充现场照片。" in mail.get_content()
    for key in ("only_own", "reader", "elsewhere"):
        assert not mailbox.inbox.to(unit.email[key]), key


def test_an_extension_decided_is_told_once_with_its_reason(app, client, auth, unit,  # noqa: F811
                                                        channels, mailbox, robot):
    today = clock.today()
    with app.app_context():
        tasks = [_task(unit, "owner") for _ in range(2)]
        requests = [m.Extension(task_id=t, requested_on=today, reason="征地未完成",
                                new_deadline=today + dt.timedelta(days=60)) for t in tasks]
        db.session.add_all(requests)
        db.session.commit()
        approve, reject = (r.id for r in requests)
    with _as_office(app, auth):
        token = csrf_token(client, "/office/extensions/")
        assert client.post(f"/office/extensions/{approve}", data={
            "decision": "approve", "csrf_token": token}).status_code == 302
        assert client.post(f"/office/extensions/{reject}", data={
            "decision": "reject", "comment": "理由不充分。", "csrf_token": token}
        ).status_code == 302
    with app.app_context():
        assert told(unit, tasks[0], "extension_approved") == (["owner"], ["owner"], 1)
        assert told(unit, tasks[1], "extension_rejected") == (["owner"], ["owner"], 1)
        assert told(unit, tasks[0], "extension_rejected") == ([], [], 0)
    mails = mailbox.inbox.to(unit.email["owner"])
    assert len(mails) == 2
    new_day = (today + dt.timedelta(days=60)).isoformat()
    assert any("延期申请已批准" in x.get_content() and new_day in x.get_content() for x in mails)
    assert any("理由不充分。" in x.get_content() for x in mails)


def test_a_refused_act_and_the_system_s_changes_tell_no_one(app, client, auth, unit,  # noqa: F811
                                                         channels, mailbox, robot):
    with app.app_context():
        task = _task(unit, "owner")  # made by the system (no request): no event
        feedback = m.Feedback(task_id=task, reported_on=clock.today(), progress="推进中",
                              percent_complete=10)
        db.session.add(feedback)
        db.session.commit()
        pk = feedback.id
    with _as_office(app, auth):
        token = csrf_token(client, "/office/review/")
        response = client.post(f"/office/review/{pk}", data={  # a return needs a comment
            "decision": "return", "comment": " ", "csrf_token": token})
    assert response.status_code == 422
    with app.app_context():
        events = db.session.scalars(select(m.TaskEvent.kind).where(
            m.TaskEvent.task_id == task)).all()
        assert events == []
        assert db.session.get(m.Feedback, pk).review_status == "submitted"
    assert mailbox.inbox.messages == [] and robot.received == []


def test_my_reminders_link_an_event_to_its_task(app, client, auth, unit, channels):  # noqa: F811
    with app.app_context():
        task = _task(unit, "owner")
        request = m.Extension(task_id=task, requested_on=clock.today(), reason="设计变更",
                              new_deadline=clock.today() + dt.timedelta(days=40))
        db.session.add(request)
        db.session.commit()
        pk = request.id
        owner = db.session.get(m.User, unit.user["owner"]).username
    with _as_office(app, auth):
        token = csrf_token(client, "/office/extensions/")
        client.post(f"/office/extensions/{pk}", data={"decision": "reject",
                                                      "comment": "请先报送变更方案。",
                                                      "csrf_token": token})
    auth.logout()
    auth.login(owner)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "延期申请被驳回" in page and "请先报送变更方案。" in page
    assert f"/taskview/show/{task}" in page
