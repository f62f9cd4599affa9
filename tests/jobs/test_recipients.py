"""Everyone who must act is told (issue 16, item 1), against a real SMTP server and a real
robot on loopback: a reminder reaches the responsible person's login, and — when that person
has no login, or always with NOTIFY_DEPARTMENT — every login of the responsible unit that may
report on the task; nobody else. A 督促 by hand goes out by the channel chosen, at once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select

from app import models as m
from app.extensions import db
from app.jobs import send_reminders
from tests.support.days import config
from tests.support.web import csrf_token
from tests.support.world import PASSWORD

D = dt.date
MONDAY = D(2023, 6, 12)  # before every row of the shared world: only these tasks are open
# key: (name, role, data scope of a role of its own or None, has a login, in the unit)
PEOPLE = {
    "owner": ("张责任", "DeptStaff", None, True, True),
    "no_login": ("王无号", None, None, False, True),
    "liaison": ("李联络", "DeptStaff", None, True, True),
    "only_own": ("赵本人", "DeptStaff", "self", True, True),  # 仅本人: not others' tasks
    "reader": ("孙领导", "Leader", None, True, True),  # sees all, reports on nothing
    "elsewhere": ("周外局", "DeptStaff", None, True, False),
}


@pytest.fixture
def unit(app) -> Iterator[SimpleNamespace]:
    """A unit with the people above (each with an e-mail), and one of another unit."""
    from app.domain.accounts import create_account
    from app.extensions import appbuilder

    tag = uuid.uuid4().hex[:8]
    with app.app_context():
        s, sm = db.session, appbuilder().sm
        here = m.Department(name=f"收件测试局{tag}")
        there = m.Department(name=f"收件外局{tag}")
        s.add_all([here, there])
        s.commit()
        own_role = sm.add_role(f"仅本人填报{tag}")
        own_role.permissions = list(sm.find_role("DeptStaff").permissions)
        s.add(m.RoleScope(role=own_role, kind="self"))
        s.commit()
        who = SimpleNamespace(unit=here.id, other=there.id, person={}, user={}, email={},
                              roles=[own_role.id])
        for key, (name, role, kind, login, inside) in PEOPLE.items():
            person = m.Person(name=name, department=here if inside else there,
                              email=f"{key}.{tag}@example.gov.cn")
            s.add(person)
            s.commit()
            who.person[key], who.email[key] = person.id, person.email
            if login:
                role_name = own_role.name if kind == "self" else role
                who.user[key] = create_account(f"to_{key}_{tag}", role_name, PASSWORD,
                                               person.id).id
    yield who
    with app.app_context():
        s = db.session
        tasks = select(m.Task.id).where(m.Task.department_id.in_([who.unit, who.other]))
        s.execute(delete(m.Supervision).where(m.Supervision.task_id.in_(tasks)))
        s.execute(delete(m.Task).where(m.Task.department_id.in_([who.unit, who.other])))
        for user in who.user.values():
            s.delete(s.get(appbuilder().sm.user_model, user))
        s.commit()
        s.execute(delete(m.Person).where(m.Person.id.in_(who.person.values())))
        s.execute(delete(m.Department).where(m.Department.id.in_([who.unit, who.other])))
        s.execute(delete(m.RoleScope).where(m.RoleScope.role_id.in_(who.roles)))
        for role in who.roles:
            s.delete(s.get(appbuilder().sm.role_model, role))
        s.commit()


def add_task(who: SimpleNamespace, person: str | None) -> int:
    deadline = MONDAY + dt.timedelta(days=1)  # due soon on MONDAY
    task = m.Task(title=f"收件测试任务-{uuid.uuid4().hex[:6]}", department_id=who.unit,
                  person_id=who.person[person] if person else None,
                  assigned_on=MONDAY - dt.timedelta(days=20), deadline=deadline,
                  original_deadline=deadline)
    db.session.add(task)
    db.session.commit()
    return task.id


def told(who: SimpleNamespace, task_id: int) -> tuple[set[str], set[str], int]:
    """(whose logins got a notification, whose addresses an e-mail delivery, robot posts)
    for the task's supervisions; each notification and e-mail exactly once."""
    db.session.expire_all()
    s = m.Supervision
    notes = db.session.scalars(select(m.Notification.user_id).join(s).where(
        s.task_id == task_id)).all()
    mails = db.session.scalars(select(m.Delivery.recipient).join(s).where(
        s.task_id == task_id, m.Delivery.channel == "email")).all()
    robots = db.session.scalars(select(m.Delivery.id).join(s).where(
        s.task_id == task_id, m.Delivery.channel == "webhook")).all()
    assert len(notes) == len(set(notes)) and len(mails) == len(set(mails))
    users = {v: k for k, v in who.user.items()}
    emails = {v: k for k, v in who.email.items()}
    return {users[u] for u in notes}, {emails[a] for a in mails}, len(robots)


def urge(app, client, auth, task: int, channel: str, message: str):
    """The office's 督促 by hand, on the embedded queue (a send runs in the request)."""
    with config(app, REDIS_URL=None):
        auth.login("supervisor")
        token = csrf_token(client, f"/office/urge?task={task}")
        return client.post("/office/urge", data={"task": str(task), "channel": channel,
                                                 "message": message, "csrf_token": token})


def test_a_reminder_reaches_the_responsible_person_s_login_only(app, unit, channels,
                                                                mailbox, robot):
    with app.app_context():
        task = add_task(unit, "owner")
        send_reminders.run(MONDAY)
        assert told(unit, task) == ({"owner"}, {"owner"}, 1)
    assert len(mailbox.inbox.to(unit.email["owner"])) == 1
    assert not mailbox.inbox.to(unit.email["liaison"])


@pytest.mark.parametrize("person", ["no_login", None])
def test_without_a_login_to_tell_the_unit_s_liaisons_are_told(app, unit, channels, mailbox,
                                                              robot, person):
    with app.app_context():
        task = add_task(unit, person)
        send_reminders.run(MONDAY)
        logins, addresses, robots = told(unit, task)
    # the unit's logins that may report on the task; not 仅本人, not a reader, not elsewhere
    assert logins == {"owner", "liaison"}
    assert addresses == {"owner", "liaison"} | ({"no_login"} if person else set())
    assert robots == 1
    for key in addresses:
        assert len(mailbox.inbox.to(unit.email[key])) == 1, key
    for key in ("only_own", "reader", "elsewhere"):
        assert not mailbox.inbox.to(unit.email[key]), key


def test_notify_department_tells_the_liaisons_as_well(app, unit, channels, mailbox, robot):
    with app.app_context(), config(app, NOTIFY_DEPARTMENT=True):
        task = add_task(unit, "owner")
        send_reminders.run(MONDAY)
        assert told(unit, task) == ({"owner", "liaison"}, {"owner", "liaison"}, 1)


def test_a_manual_urge_by_email_is_sent_at_once(app, client, auth, unit, channels, mailbox,
                                                robot):
    with app.app_context():
        task = add_task(unit, "no_login")
    assert urge(app, client, auth, task, "email", "请本周内完成用地预审。").status_code == 302
    with app.app_context():
        logins, addresses, robots = told(unit, task)
        sent = db.session.scalars(select(m.Delivery.status).join(m.Supervision).where(
            m.Supervision.task_id == task)).all()
    assert logins == {"owner", "liaison"} and robots == 0  # e-mail chosen: no robot
    assert addresses == {"owner", "liaison", "no_login"} and set(sent) == {"sent"}
    [mail] = mailbox.inbox.to(unit.email["no_login"])
    assert "请本周内完成用地预审。" in mail.get_content()
    assert not robot.received


def test_a_manual_urge_in_the_portal_only_queues_no_sending(app, client, auth, unit, channels):
    with app.app_context():
        task = add_task(unit, "owner")
        before = db.session.scalar(select(db.func.count()).select_from(m.JobRun).where(
            m.JobRun.job == "send_deliveries"))
    assert urge(app, client, auth, task, "in_app", "请抓紧推进。").status_code == 302
    with app.app_context():
        after = db.session.scalar(select(db.func.count()).select_from(m.JobRun).where(
            m.JobRun.job == "send_deliveries"))
        assert told(unit, task) == ({"owner"}, set(), 0)  # told in the portal, nothing sent
    assert after == before
