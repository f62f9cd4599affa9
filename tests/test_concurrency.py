"""Requests at the same moment (issue 14, item 6): one pending extension per task, held by
the database; approve and reject at once answer one winner and a Chinese refusal, never a
deadlock's 503. The races run on PostgreSQL, each browser in a thread of its own (its own
session and connection); the database's own rule is checked on SQLite too."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import models as m
from app.domain import access, ledger, status
from app.domain.validation import DomainError
from app.extensions import db
from tests.support.web import Auth, csrf_token

DAY = dt.timedelta(days=1)
_numbers = itertools.count(1)
PENDING_TAKEN = "这项任务已有待审批的延期申请。"


@pytest.fixture(scope="module")
def place(app, world) -> SimpleNamespace:
    """A project of department A (the world's staff_a works there) for the races' tasks."""
    with app.app_context():
        project = m.Project(code="P-RACE", name="并发测试项目", category="other",
                            stage="construction", list_level="county",
                            lead_department_id=world.dept_a)
        db.session.add(project)
        db.session.commit()
        return SimpleNamespace(project=project.id, today=status.today(), dept=world.dept_a,
                               person=world.person_a)


def new_task(place: SimpleNamespace, due_in: int = 30) -> int:
    """An open task of the project; its stored status as the nightly job last left it
    ("pending": a task that fell overdue since is stale until the next refresh)."""
    deadline = place.today + due_in * DAY
    task = m.Task(title=f"并发测试任务{next(_numbers)}", department_id=place.dept,
                  person_id=place.person, project_id=place.project,
                  assigned_on=place.today - 30 * DAY, deadline=deadline,
                  original_deadline=deadline, status="pending")
    db.session.add(task)
    db.session.commit()
    return task.id


def pending(task: int) -> list[int]:
    db.session.rollback()
    return list(db.session.scalars(select(m.Extension.id).where(
        m.Extension.task_id == task, m.Extension.decision == "pending")))


def postgres_only(app) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("a race of connections: PostgreSQL only (DATABASE_URL=postgresql://…)")


def browser(app, username: str, page: str) -> tuple:
    """A logged-in browser of its own and the CSRF token of its session."""
    client = app.test_client()
    Auth(client).login(username)
    return client, csrf_token(client, page)


def at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls in threads released together; their results (or errors), in order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = calls[i]()
        except Exception as error:  # shown by the test's assertions
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_the_database_holds_one_pending_extension_per_task(app, place) -> None:
    """Past the domain's check (as a second request racing the first would be), the
    database refuses a second pending request, and the save path says so in Chinese."""
    with app.app_context(), access.acting_as("test"):
        task_id = new_task(place)
        task = db.session.get(m.Task, task_id)
        ledger.request_extension(task, place.today + 40 * DAY, "征迁未完成", place.today)
        second = m.Extension(task=task, requested_on=place.today,
                             new_deadline=place.today + 50 * DAY, reason="再次申请")
        from app.domain.save import save

        with pytest.raises(DomainError) as refused:
            save(second, adding=True)
        assert refused.value.status == 409
        assert PENDING_TAKEN in refused.value.message
        assert len(pending(task_id)) == 1


def test_four_requests_at_once_leave_one_pending_and_three_chinese_409s(app, place) -> None:
    postgres_only(app)
    with app.app_context():
        task = new_task(place)
    url = f"/my/ledger/{task}/extension"
    browsers = [browser(app, "staff_a", "/my/ledger/") for _ in range(4)]
    answers = at_once([
        lambda c=client, t=token, n=n: c.post(url, data={
            "new_deadline": (place.today + (40 + n) * DAY).isoformat(),
            "reason": f"第{n}次申请", "csrf_token": t})
        for n, (client, token) in enumerate(browsers)])
    codes = sorted(getattr(a, "status_code", repr(a)) for a in answers)
    assert codes == [302, 409, 409, 409], codes
    for answer in answers:
        if answer.status_code == 409:
            assert PENDING_TAKEN in answer.get_data(as_text=True)
    with app.app_context():
        assert len(pending(task)) == 1


def test_approve_and_reject_at_once_have_one_winner_and_no_deadlock(app, place) -> None:
    """One request decided twice at the same moment, and the other requests of the
    project approved at the same time: overdue tasks whose stored status the nightly job
    has not caught up with yet, so each decision re-colours the project and rewrites its
    sibling tasks' statuses."""
    postgres_only(app)
    with app.app_context():
        tasks = [new_task(place, due_in=-5) for _ in range(4)]
        requests = []
        for task in tasks:
            row = m.Extension(task_id=task, requested_on=place.today,
                              new_deadline=place.today + 45 * DAY, reason="征迁未完成")
            db.session.add(row)
            db.session.commit()
            requests.append(row.id)
    offices = [browser(app, "supervisor", "/office/extensions/") for _ in range(6)]
    plan = [(requests[0], "approve"), (requests[0], "reject"), (requests[1], "reject"),
            (requests[2], "approve"), (requests[3], "approve"), (requests[1], "approve")]
    answers = at_once([
        lambda c=client, t=token, pk=pk, d=decision: c.post(
            f"/office/extensions/{pk}", data={"decision": d, "csrf_token": t, "late": "1",
                                              "comment": "理由不充分"})
        for (client, token), (pk, decision) in zip(offices, plan, strict=True)])
    codes = [getattr(a, "status_code", repr(a)) for a in answers]
    assert 503 not in codes and 500 not in codes, codes
    for first, second in ((0, 1), (2, 5)):  # the same request decided twice: one wins
        assert sorted((codes[first], codes[second])) in ([302, 409], [302, 422]), codes
        loser = answers[second if codes[first] == 302 else first]
        body = loser.get_data(as_text=True)
        assert "这条延期申请已经审批过了。" in body or "已被他人修改" in body
    assert codes[3] == codes[4] == 302, codes
    with app.app_context():
        decided = dict(db.session.execute(select(m.Extension.id, m.Extension.decision)
                                          .where(m.Extension.id.in_(requests))).all())
        assert "pending" not in decided.values()
        for number, (pk, task) in enumerate(zip(requests, tasks, strict=True)):
            deadline = db.session.get(m.Task, task).deadline
            moved = deadline == place.today + 45 * DAY
            assert moved == (decided[pk] == "approved"), (number, decided[pk], deadline)

