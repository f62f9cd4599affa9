"""分级督办 (issue 16, item 3): 督办 levels by working days overdue — 蓝 when due soon, 黄
from ESCALATION_YELLOW_WORKDAYS (1), 红 from ESCALATION_RED_WORKDAYS (10) — each level's
督办单 issued once by the daily job, numbered 督办〔YYYY〕N号; 红 reaches the project's
分管领导 and the leader's dashboard; the level shows as a badge on the pages.

Fixed dates around the 2025 National Day (chinese-calendar: 1–8 Oct holidays, Sun 28 Sep and
Sat 11 Oct adjusted working days), before every row of the shared world (assigned in 2026).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select

from app import models as m
from app.domain import escalation, ledger, rules_sql, status
from app.extensions import db
from app.jobs import escalate
from tests.support.days import on_day
from tests.support.web import Auth
from tests.support.world import PASSWORD

D = dt.date
DEADLINE = D(2025, 9, 26)  # a Friday
YEAR = (D(2025, 1, 1), D(2025, 12, 31))


@pytest.fixture
def unit(app, world) -> Iterator[SimpleNamespace]:
    """A department with a responsible person who has a login, and a project of it whose
    分管领导 is the world's county head (login "leader"); erased after."""
    from app.domain.accounts import create_account

    tag = uuid.uuid4().hex[:8]
    with app.app_context():
        dept = m.Department(name=f"督办测试局{tag}", kind="department")
        person = m.Person(name="孙承办", department=dept, email=f"sun.{tag}@example.gov.cn")
        db.session.add_all([dept, person])
        db.session.flush()
        project = m.Project(code=f"P-ESC-{tag}", name=f"分级督办测试项目{tag}", category="other",
                            stage="construction", list_level="county", lead_department=dept,
                            lead_leader_id=world.leader_person)
        db.session.add(project)
        db.session.commit()
        user = create_account(f"esc_{tag}", "DeptStaff", PASSWORD, person.id)
        who = SimpleNamespace(department=dept.id, person=person.id, user=user.id,
                              username=user.username, project=project.id, tag=tag)
    yield who
    with app.app_context():
        escalated = select(m.Supervision.id).where(m.Supervision.sent_on.between(*YEAR))
        db.session.execute(delete(m.Notification).where(
            m.Notification.supervision_id.in_(escalated)))
        db.session.execute(delete(m.Delivery).where(m.Delivery.supervision_id.in_(escalated)))
        db.session.execute(delete(m.Supervision).where(m.Supervision.sent_on.between(*YEAR)))
        db.session.execute(delete(m.Task).where(m.Task.department_id == who.department))
        db.session.execute(delete(m.NoticeCounter).where(m.NoticeCounter.year == 2025))
        db.session.execute(delete(m.Project).where(m.Project.id == who.project))
        db.session.delete(db.session.get(m.User, who.user))
        db.session.execute(delete(m.Person).where(m.Person.id == who.person))
        db.session.execute(delete(m.Department).where(m.Department.id == who.department))
        db.session.commit()


def add_task(who: SimpleNamespace, deadline: dt.date = DEADLINE, title: str = "") -> int:
    task = m.Task(title=title or f"完成征迁补偿协议签订-{uuid.uuid4().hex[:6]}",
                  department_id=who.department, person_id=who.person, project_id=who.project,
                  assigned_on=D(2025, 8, 1), deadline=deadline, original_deadline=deadline)
    db.session.add(task)
    db.session.commit()
    return task.id


def notices(task_id: int) -> list[m.Supervision]:
    db.session.expire_all()
    return list(db.session.scalars(select(m.Supervision).where(
        m.Supervision.task_id == task_id, m.Supervision.level.is_not(None))
        .order_by(m.Supervision.id)))


def told(supervision_id: int) -> set[int]:
    """The logins notified in the portal of one supervision."""
    return set(db.session.scalars(select(m.Notification.user_id).where(
        m.Notification.supervision_id == supervision_id)))


def test_the_rule_and_its_sql_agree_on_every_day_around_a_holiday(app, unit) -> None:
    """escalation.level and rules_sql.escalation_level_on (what the job and the stored
    level use), day by day across the National Day holidays, for deadlines around them."""
    with app.app_context():
        cal, conf = status.calendar(), status.settings()
        deadlines = {add_task(unit, deadline): deadline for deadline in (
            D(2025, 9, 26), D(2025, 9, 30), D(2025, 10, 3), D(2025, 10, 10), D(2025, 10, 31))}
        day = D(2025, 9, 15)
        while day <= D(2025, 11, 10):
            level = rules_sql.escalation_level_on(day, cal, conf)
            sql = dict(db.session.execute(select(m.Task.id, level).where(
                m.Task.id.in_(deadlines))).all())
            assert sql == {task: escalation.level(deadline, None, False, day, cal, conf)
                           for task, deadline in deadlines.items()}, day
            day += dt.timedelta(days=1)


def test_levels_climb_by_working_days_each_notice_issued_once(app, unit, world) -> None:
    with app.app_context():
        task = add_task(unit)
        issued: list[tuple[dt.date, str]] = []
        for day, level in [(D(2025, 9, 22), None),  # 4 working days before: no level
                           (D(2025, 9, 23), "blue"),  # due within 3 working days: 蓝
                           (D(2025, 9, 24), "blue"),
                           (D(2025, 9, 27), "blue"),  # a Saturday: 0 working days late
                           (D(2025, 9, 28), "yellow"),  # 调休 Sunday: 1 working day late
                           (D(2025, 10, 8), "yellow"),  # the holidays do not count
                           (D(2025, 10, 15), "yellow"),  # 9 working days late
                           (D(2025, 10, 16), "red")]:  # 10 working days late
            for _run in range(2):  # the job runs twice: nothing new the second time
                escalate.run(day)
            db.session.expire_all()
            assert db.session.get(m.Task, task).escalation_level == level, day
            issued = [(row.sent_on, row.level) for row in notices(task)]
        assert issued == [(D(2025, 9, 23), "blue"), (D(2025, 9, 28), "yellow"),
                          (D(2025, 10, 16), "red")]
        rows = notices(task)
        assert {row.channel for row in rows} == {"notice"}
        seqs = [row.doc_seq for row in rows]
        assert seqs == sorted(seqs) and len(set(seqs)) == 3 and {r.doc_year for r in rows} == {2025}
        assert f"督办〔2025〕{rows[2].doc_seq}号" in rows[2].message
        assert rows[2].message.startswith("【红色督办】")

        leader = db.session.scalars(select(m.User.id).where(m.User.username == "leader")).one()
        staff_b = db.session.scalars(select(m.User.id).where(m.User.username == "staff_b")).one()
        assert told(rows[0].id) == told(rows[1].id) == {unit.user}  # the responsible login
        assert told(rows[2].id) == {unit.user, leader}  # 红: the 分管领导 too, once
        everyone = set(db.session.scalars(select(m.Notification.user_id).join(m.Supervision)
                                          .where(m.Supervision.task_id == task)))
        assert staff_b not in everyone and everyone == {unit.user, leader}


def test_a_task_first_seen_late_gets_its_highest_level_only_and_done_tasks_none(
        app, unit) -> None:
    with app.app_context():
        late = add_task(unit)
        done = add_task(unit)
        row = db.session.get(m.Task, done)
        row.done_on = D(2025, 9, 25)
        db.session.commit()
        escalate.run(D(2025, 10, 20))
        assert [r.level for r in notices(late)] == ["red"]
        assert notices(done) == []
        escalate.run(D(2025, 10, 21))
        assert [r.level for r in notices(late)] == ["red"]


def test_levels_are_configurable(app, unit) -> None:
    from tests.support.days import config

    with app.app_context(), config(app, ESCALATION_YELLOW_WORKDAYS=2, ESCALATION_RED_WORKDAYS=3):
        task = add_task(unit)
        escalate.run(D(2025, 9, 28))  # 1 working day late: still 蓝
        escalate.run(D(2025, 9, 29))  # 2: 黄
        escalate.run(D(2025, 9, 30))  # 3: 红
        assert [(r.sent_on, r.level) for r in notices(task)] == [
            (D(2025, 9, 28), "blue"), (D(2025, 9, 29), "yellow"), (D(2025, 9, 30), "red")]


def test_red_after_a_second_notice_when_so_configured(app, unit) -> None:
    """ESCALATION_RED_NOTICES=2: the 黄 督办单 is the first since the deadline, the office's
    own notice the second; the next day's run issues 红, 3 working days late."""
    from tests.support.days import config

    with app.app_context(), config(app, ESCALATION_RED_NOTICES=2):
        task = add_task(unit)
        escalate.run(D(2025, 9, 28))
        ledger.urge([db.session.get(m.Task, task)], "notice", "请限期办结。", D(2025, 9, 29))
        escalate.run(D(2025, 9, 29))  # the second notice was sent today: 红 now
        escalate.run(D(2025, 9, 30))
        assert [(r.sent_on, r.level) for r in notices(task)] == [
            (D(2025, 9, 28), "yellow"), (D(2025, 9, 29), "red")]
        cal, conf = status.calendar(), status.settings()
        assert escalation.level(DEADLINE, None, False, D(2025, 9, 29), cal, conf, 2) == "red"
        assert escalation.level(DEADLINE, None, False, D(2025, 9, 29), cal, conf, 1) == "yellow"


def test_manual_notices_and_the_job_share_one_counter_from_one_each_year(app, unit) -> None:
    """督办〔2025〕1号, 2号 … whoever issues: the office by hand, then the job."""
    with app.app_context():
        db.session.execute(delete(m.NoticeCounter).where(m.NoticeCounter.year == 2025))
        db.session.commit()
        first, second = add_task(unit, D(2025, 12, 31)), add_task(unit)
        tasks = [db.session.get(m.Task, first), db.session.get(m.Task, second)]
        by_hand = ledger.urge(tasks, "notice", "请加快推进。", D(2025, 9, 1))
        assert [(r.doc_year, r.doc_seq) for r in by_hand] == [(2025, 1), (2025, 2)]
        in_app = ledger.urge(tasks[:1], "in_app", "请加快推进。", D(2025, 9, 2))
        assert in_app[0].doc_seq is None  # only 督办单 are numbered
        escalate.run(D(2025, 9, 23))
        [notice] = notices(second)
        # the job goes on from the office's numbers (other modules' open tasks may be
        # numbered in the same run): 1, 2, 3 … with no gap and no repeat
        assert notice.doc_year == 2025 and notice.doc_seq >= 3
        numbers = sorted(db.session.scalars(select(m.Supervision.doc_seq).where(
            m.Supervision.doc_year == 2025)))
        assert numbers == list(range(1, len(numbers) + 1))


def test_the_levels_show_as_badges_with_their_words(app, client, unit, world) -> None:
    with app.app_context():
        red = add_task(unit, title=f"红色事项{unit.tag}")
        blue = add_task(unit, D(2025, 10, 17), title=f"蓝色事项{unit.tag}")
        escalate.run(D(2025, 10, 16))
        number = notices(red)[0].doc_seq
    auth = Auth(client)
    with on_day(app, D(2025, 10, 16)):
        auth.login(unit.username)
        mine = client.get("/my/ledger/").get_data(as_text=True)
        red_row = mine[mine.index(f'id="task-{red}"'):]
        red_row = red_row[:red_row.index("</tr>")]
        assert "kl-escalation-red" in red_row and "红色督办" in red_row
        assert f"督办〔2025〕{number}号" in red_row
        blue_row = mine[mine.index(f'id="task-{blue}"'):]
        assert "蓝色督办" in blue_row[:blue_row.index("</tr>")]
        auth.logout()

        auth.login("supervisor")
        listed = client.get("/taskview/list/?_flt_0_escalation_level=red").get_data(as_text=True)
        assert f"红色事项{unit.tag}" in listed and "红色督办" in listed
        assert f"蓝色事项{unit.tag}" not in listed
        project = client.get(f"/projectview/show/{unit.project}").get_data(as_text=True)
        assert "红色督办" in project and "蓝色督办" in project
        auth.logout()

        auth.login("leader")
        board = client.get("/dashboard/").get_data(as_text=True)
        block = board[board.index("red-escalations"):]
        assert f"红色事项{unit.tag}" in block and f"督办〔2025〕{number}号" in block
        assert "我分管" in block and f"蓝色事项{unit.tag}" not in block
        auth.logout()

        auth.login("staff_b")  # another department: not in its scope
        other = client.get("/dashboard/").get_data(as_text=True)
        assert f"红色事项{unit.tag}" not in other
        auth.logout()
