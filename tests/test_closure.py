"""办结销号 (issue 16): the office's acceptance of a 100 % feedback is the task's 销号 (who,
when, on which feedback), shown on the task's page; a 销号 is revoked with a reason, the
task reopens and both records stay."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app import models as m
from app.domain import status
from app.extensions import db
from tests.support.database import get
from tests.support.web import csrf_token

DAY = dt.timedelta(days=1)
_serial = iter(range(1, 10_000))


def closed_rows(app, task: int) -> list[m.TaskClosure]:
    with app.app_context():
        rows = db.session.scalars(select(m.TaskClosure).where(m.TaskClosure.task_id == task)
                                  .order_by(m.TaskClosure.id)).all()
        db.session.expunge_all()
        return list(rows)


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def task_with_feedback(app, world, dept: str = "a", percent: int = 100) -> tuple[int, int]:
    """An open task of department A (or B), due in 20 days, with a submitted feedback."""
    side = getattr(world, dept)
    today = status.today()
    with app.app_context():
        task = m.Task(title=f"销号测试任务{next(_serial)}", project_id=side["project"],
                      department_id=side["department"], person_id=side["person"],
                      assigned_on=today - 30 * DAY, deadline=today + 20 * DAY,
                      original_deadline=today + 20 * DAY)
        feedback = m.Feedback(task=task, reported_on=today - 2 * DAY, progress="已全部完成",
                              percent_complete=percent)
        db.session.add_all([task, feedback])
        db.session.commit()
        return task.id, feedback.id


def accept(client, feedback: int):
    return client.post(f"/office/review/{feedback}",
                       data={"decision": "accept", "csrf_token": csrf_token(client)})


def revoke(client, task: int, reason: str | None, token: bool = True):
    data = {} if reason is None else {"reason": reason}
    if token:
        data["csrf_token"] = csrf_token(client)
    return client.post(f"/office/closure/{task}/revoke", data=data)


def closed_by_office(app, client, auth, world, dept: str = "a") -> tuple[int, int]:
    task, feedback = task_with_feedback(app, world, dept)
    auth.login("supervisor")
    assert accept(client, feedback).status_code == 302
    auth.logout()
    return task, feedback


def test_accepting_a_full_feedback_records_the_closure(app, client, auth, world):
    task, feedback = task_with_feedback(app, world)
    auth.login("supervisor")
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert accept(client, feedback).status_code == 302
    (closure,) = closed_rows(app, task)
    assert closure.feedback_id == feedback
    assert closure.closed_by_fk == user_id(app, "supervisor")
    assert before - dt.timedelta(seconds=5) <= closure.closed_at <= before + dt.timedelta(
        minutes=1)
    assert closure.revoked_at is None
    assert get(app, m.Task, task).status == "done_on_time"
    page = client.get(f"/taskview/show/{task}").get_data(as_text=True)
    assert "已销号" in page and f"/feedbackview/show/{feedback}" in page
    assert "赵督查" in page or "supervisor" in page
    assert "撤销销号" in page


def test_a_partial_feedback_accepted_closes_nothing(app, client, auth, world):
    task, feedback = task_with_feedback(app, world, percent=60)
    auth.login("supervisor")
    assert accept(client, feedback).status_code == 302
    assert closed_rows(app, task) == []
    assert "已销号" not in client.get(f"/taskview/show/{task}").get_data(as_text=True)


def test_revoking_needs_a_reason_and_reopens_the_task_keeping_both_records(
        app, client, auth, world):
    task, feedback = closed_by_office(app, client, auth, world)
    auth.login("supervisor")
    for reason in (None, "  "):
        response = revoke(client, task, reason)
        assert response.status_code == 422
        assert "撤销销号时请填写理由。" in response.get_data(as_text=True)
    assert get(app, m.Task, task).done_on is not None
    response = revoke(client, task, "现场核查发现未完工")
    assert response.status_code == 302
    reopened = get(app, m.Task, task)
    assert reopened.done_on is None and reopened.status != "done_on_time"
    assert reopened.status in ("pending", "due_soon")
    (closure,) = closed_rows(app, task)
    assert closure.feedback_id == feedback and closure.revoked_at is not None
    assert closure.revoke_reason == "现场核查发现未完工"
    assert closure.revoked_by_fk == user_id(app, "supervisor")
    assert get(app, m.Feedback, feedback).review_status == "accepted"  # the record stays
    page = client.get(f"/taskview/show/{task}").get_data(as_text=True)
    assert "已撤销的销号" in page and "现场核查发现未完工" in page
    assert "已销号" not in page
    again = revoke(client, task, "再撤一次")
    assert again.status_code == 409
    assert "没有有效的销号" in again.get_data(as_text=True)


def test_a_revoked_task_is_closed_again_by_a_new_accepted_feedback(app, client, auth, world):
    task, first = closed_by_office(app, client, auth, world)
    auth.login("supervisor")
    assert revoke(client, task, "资料不全").status_code == 302
    with app.app_context():
        second = m.Feedback(task_id=task, reported_on=status.today(), progress="资料已补齐",
                            percent_complete=100)
        db.session.add(second)
        db.session.commit()
        second_id = second.id
    assert accept(client, second_id).status_code == 302
    rows = closed_rows(app, task)
    assert [r.feedback_id for r in rows] == [first, second_id]
    assert rows[0].revoke_reason == "资料不全" and rows[1].revoked_at is None
    assert get(app, m.Task, task).done_on == status.today()


def test_revoking_needs_the_csrf_token(app, client, auth, world):
    task, _feedback = closed_by_office(app, client, auth, world)
    auth.login("supervisor")
    response = revoke(client, task, "无令牌", token=False)
    assert response.status_code == 400
    assert get(app, m.Task, task).done_on is not None
    assert closed_rows(app, task)[0].revoked_at is None


@pytest.mark.parametrize("role", ["staff_a", "leader"])
def test_only_the_office_revokes(app, client, auth, world, role):
    task, _feedback = closed_by_office(app, client, auth, world)
    auth.login(role)
    page = client.get(f"/taskview/show/{task}").get_data(as_text=True)
    assert "已销号" in page and "撤销销号" not in page  # seen, not revocable
    assert revoke(client, task, "想撤销").status_code == 403
    assert get(app, m.Task, task).done_on is not None
    assert closed_rows(app, task)[0].revoked_at is None


def test_another_departments_closure_is_not_shown(app, client, auth, world):
    task, _feedback = closed_by_office(app, client, auth, world, dept="b")
    auth.login("staff_a")
    assert client.get(f"/taskview/show/{task}").status_code == 404
    assert revoke(client, task, "越权").status_code == 403
    assert closed_rows(app, task)[0].revoked_at is None


def test_the_closure_is_in_the_audit_trail(app, client, auth, world):
    task, _feedback = closed_by_office(app, client, auth, world)
    auth.login("supervisor")
    assert revoke(client, task, "审计测试").status_code == 302
    (closure,) = closed_rows(app, task)
    with app.app_context():
        rows = db.session.scalars(select(m.AuditLog).where(
            m.AuditLog.table_name == "task_closure", m.AuditLog.row_id == closure.id)).all()
        assert {row.action for row in rows} >= {"insert", "update"}


def test_the_circular_counts_the_months_closures_in_force(app, world):
    """March 2025 by Beijing days: one in force on 10 March counts; one revoked does not; one
    at 01:00 on 1 April Beijing time (17:00 UTC on 31 March) is April's."""
    from app.files.circular_columns import summary_sentences
    from app.files.circular_xlsx import summary_lines
    from app.reports import circular

    with app.app_context():
        rows = []
        for closed_at, revoked in ((dt.datetime(2025, 3, 10, 2), False),
                                   (dt.datetime(2025, 3, 12, 2), True),
                                   (dt.datetime(2025, 3, 31, 17), False)):
            task = m.Task(title=f"通报销号任务{next(_serial)}", department_id=world.dept_a,
                          assigned_on=dt.date(2025, 2, 1), deadline=dt.date(2025, 4, 30),
                          original_deadline=dt.date(2025, 4, 30),
                          done_on=None if revoked else closed_at.date())
            feedback = m.Feedback(task=task, reported_on=closed_at.date(), progress="完成",
                                  percent_complete=100, review_status="accepted")
            rows += [task, feedback, m.TaskClosure(
                task=task, feedback=feedback, closed_at=closed_at,
                revoked_at=closed_at + DAY if revoked else None,
                revoke_reason="复核未通过" if revoked else None)]
        db.session.add_all(rows)
        db.session.commit()
        assert circular.closures_in(dt.date(2025, 3, 1), dt.date(2025, 3, 31)) == 1
        assert circular.closures_in(dt.date(2025, 4, 1), dt.date(2025, 4, 30)) == 1
        with app.test_request_context():
            data = circular.circular_data(dt.date(2025, 3, 1), dt.date(2025, 4, 2))
            assert data["closures"] == 1
            assert "本月办结销号任务1项。" in "".join(summary_sentences(data))
            assert {"label": "办结销号", "value": 1, "kind": "int"} in summary_lines(data)
            older = {k: v for k, v in data.items() if k != "closures"}  # built before 16.4
            assert "办结销号" not in "".join(summary_sentences(older))


def test_the_database_keeps_one_closure_in_force_per_task(app, client, auth, world):
    from app.domain.save import save
    from app.domain.validation import DomainError

    task, feedback = closed_by_office(app, client, auth, world)
    with app.app_context():
        second = m.TaskClosure(task_id=task, feedback_id=feedback,
                               closed_at=dt.datetime(2026, 1, 2))
        with pytest.raises(DomainError) as refused:
            save(second, adding=True)
        assert (refused.value.status, refused.value.message) == (409, "这项任务已经销号。")
    assert len(closed_rows(app, task)) == 1
