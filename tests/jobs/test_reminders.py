"""send_reminders against real servers on loopback: an SMTP server (aiosmtpd) and an HTTP
server standing for the WeCom/DingTalk group robot."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select

from app import models as m
from app.extensions import db
from app.jobs import send_reminders
from tests.support.days import config
from tests.support.world import PASSWORD

D = dt.date
MONDAY = D(2024, 3, 11)  # long before every row of the shared world: only our tasks are open
YEAR = (D(2024, 1, 1), D(2024, 12, 31))


@pytest.fixture
def assignee(app) -> Iterator[SimpleNamespace]:
    """A department and a person in it with an e-mail, a phone and a login; erased after."""
    from app.domain.accounts import create_account

    tag = uuid.uuid4().hex[:8]
    with app.app_context():
        dept = m.Department(name=f"提醒测试局{tag}")
        person = m.Person(name="钱督办", department=dept, email=f"qian.{tag}@example.gov.cn",
                          phone="13900000007")
        db.session.add_all([dept, person])
        db.session.commit()
        user = create_account(f"reminded_{tag}", "DeptStaff", PASSWORD, person.id)
        who = SimpleNamespace(department=dept.id, person=person.id, user=user.id,
                              email=person.email, phone=person.phone)
    yield who
    with app.app_context():
        db.session.execute(delete(m.Task).where(m.Task.department_id == who.department))
        db.session.execute(delete(m.Supervision).where(
            m.Supervision.sent_on.between(*YEAR), m.Supervision.kind != "manual"))
        db.session.execute(delete(m.Person).where(m.Person.id == who.person))
        db.session.execute(delete(m.Department).where(m.Department.id == who.department))
        db.session.delete(db.session.get(type(user), who.user))
        db.session.commit()


def add_task(who: SimpleNamespace, assigned: dt.date, deadline: dt.date) -> SimpleNamespace:
    title = f"完成项目用地预审-{uuid.uuid4().hex[:6]}"
    task = m.Task(title=title, department_id=who.department, person_id=who.person,
                  assigned_on=assigned, deadline=deadline, original_deadline=deadline)
    db.session.add(task)
    db.session.commit()
    return SimpleNamespace(id=task.id, title=title)


def reminders(task_ids: list[int]) -> Counter:
    """(task, kind, day) -> how many supervisions."""
    s = m.Supervision
    rows = db.session.execute(select(s.task_id, s.kind, s.sent_on).where(s.task_id.in_(task_ids)))
    return Counter(tuple(row) for row in rows)


def deliveries(task_id: int) -> dict[str, m.Delivery]:
    db.session.expire_all()
    rows = db.session.scalars(select(m.Delivery).join(m.Supervision)
                              .where(m.Supervision.task_id == task_id))
    return {row.channel: row for row in rows}


def test_a_reminder_reaches_the_portal_the_mailbox_and_the_robot(
        app, assignee, channels, mailbox, robot) -> None:
    with app.app_context():
        task = add_task(assignee, MONDAY - dt.timedelta(days=20), MONDAY + dt.timedelta(days=1))
        counts = send_reminders.run(MONDAY)
        assert reminders([task.id]) == {(task.id, "due_soon", MONDAY): 1}
        notes = db.session.execute(select(m.Notification.read_at, m.Notification.message)
                                   .where(m.Notification.user_id == assignee.user)).all()
        sent = {c: (d.status, d.attempts) for c, d in deliveries(task.id).items()}
    assert counts["new"] >= 1 and counts["failed"] == 0
    [(read_at, note)] = notes
    assert read_at is None and task.title in note
    assert sent == {"email": ("sent", 1), "webhook": ("sent", 1)}
    [mail] = mailbox.inbox.to(assignee.email)
    assert task.title in mail["Subject"] and task.title in mail.get_content()
    [body] = robot.about(task.title)
    assert body["msgtype"] == "text" and "临期" in body["text"]["content"]
    assert body["text"]["mentioned_mobile_list"] == [assignee.phone]


def test_a_robot_that_is_down_is_retried_by_the_next_run(
        app, assignee, channels, mailbox, robot) -> None:
    robot.stop()
    with app.app_context():
        task = add_task(assignee, MONDAY - dt.timedelta(days=20), MONDAY + dt.timedelta(days=1))
        first = send_reminders.run(MONDAY)
        down = deliveries(task.id)
        assert down["webhook"].status == "failed" and down["webhook"].attempts == 1
        assert "refused" in down["webhook"].last_error.lower()
        assert down["email"].status == "sent"
        assert len(mailbox.inbox.to(assignee.email)) == 1, "the e-mail went out regardless"

        robot.start()
        second = send_reminders.run(MONDAY)
        up = deliveries(task.id)["webhook"]
        assert (up.status, up.attempts, up.last_error) == ("sent", 2, None)
    assert first["failed"] >= 1 and second["new"] == 0 and second["sent"] >= 1
    assert len(robot.about(task.title)) == 1
    assert len(mailbox.inbox.to(assignee.email)) == 1, "the e-mail is not sent twice"


def test_three_runs_in_a_day_record_what_one_run_does(
        app, assignee, channels, mailbox, robot) -> None:
    with app.app_context(), config(app, FEEDBACK_DAY=25):
        day = D(2024, 3, 26)
        soon = add_task(assignee, D(2024, 3, 1), D(2024, 3, 27))
        late = add_task(assignee, D(2024, 3, 1), D(2024, 3, 20))
        send_reminders.run(day)
        once = reminders([soon.id, late.id])
        notes = db.session.scalars(select(m.Notification.id).where(
            m.Notification.user_id == assignee.user)).all()
        send_reminders.run(day)
        send_reminders.run(day)
        thrice = reminders([soon.id, late.id])
        notes_after = db.session.scalars(select(m.Notification.id).where(
            m.Notification.user_id == assignee.user)).all()
    assert once == thrice == {
        (soon.id, "due_soon", day): 1, (soon.id, "missing_feedback", day): 1,
        (late.id, "overdue", day): 1, (late.id, "missing_feedback", day): 1}
    assert notes_after == notes and len(notes) == 4
    assert len(mailbox.inbox.to(assignee.email)) == 4
    assert len(robot.about(soon.title)) == 2 and len(robot.about(late.title)) == 2


def test_overdue_reminders_come_at_most_once_a_week(app, assignee) -> None:
    with app.app_context():
        task = add_task(assignee, MONDAY - dt.timedelta(days=30), MONDAY - dt.timedelta(days=2))
        days = [MONDAY + dt.timedelta(days=n) for n in (0, 3, 6, 7, 8, 13, 14)]
        for day in days:
            send_reminders.run(day)
        sent = sorted(day for _, kind, day in reminders([task.id]) if kind == "overdue")
    assert sent == [MONDAY, MONDAY + dt.timedelta(days=7), MONDAY + dt.timedelta(days=14)]


def test_missing_feedback_is_asked_for_only_from_the_feedback_day(app, assignee) -> None:
    with app.app_context(), config(app, FEEDBACK_DAY=25):
        silent = add_task(assignee, D(2024, 3, 1), D(2024, 5, 31))
        reported = add_task(assignee, D(2024, 3, 1), D(2024, 5, 31))
        returned = add_task(assignee, D(2024, 3, 1), D(2024, 5, 31))
        db.session.add_all([
            m.Feedback(task_id=reported.id, reported_on=D(2024, 3, 10), progress="已完成初审",
                       review_status="accepted"),
            m.Feedback(task_id=returned.id, reported_on=D(2024, 3, 10), progress="无实质进展",
                       review_status="returned"),
            m.Feedback(task_id=silent.id, reported_on=D(2024, 2, 26), progress="上月进展"),
        ])
        db.session.commit()
        ids = [silent.id, reported.id, returned.id]
        send_reminders.run(D(2024, 3, 24))
        before = reminders(ids)
        send_reminders.run(D(2024, 3, 25))
        after = reminders(ids)
    assert before == {}
    assert after == {(silent.id, "missing_feedback", D(2024, 3, 25)): 1,
                     (returned.id, "missing_feedback", D(2024, 3, 25)): 1}
