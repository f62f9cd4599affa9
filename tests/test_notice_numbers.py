"""督办单 numbers (issue 16, item 3): 督办〔YYYY〕N号, N counting from 1 each year with no gaps
and no duplicates, even with 8 issuers at once (PostgreSQL: each a thread with its own
session and connection; SQLite's write lock serialises them the same way)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app import models as m
from app.domain import ledger, notice_number
from app.extensions import db

D = dt.date
YEARS = (2031, 2032, 2033)


@pytest.fixture
def tasks(app, world) -> Iterator[list[int]]:
    """Eight open tasks of department A in 2031, erased after with their notices."""
    with app.app_context():
        rows = [m.Task(title=f"编号测试任务{i}", department_id=world.dept_a,
                       person_id=world.person_a, assigned_on=D(2031, 1, 5),
                       deadline=D(2031, 12, 31), original_deadline=D(2031, 12, 31))
                for i in range(8)]
        db.session.add_all(rows)
        db.session.commit()
        ids = [row.id for row in rows]
    yield ids
    with app.app_context():
        db.session.execute(delete(m.Task).where(m.Task.id.in_(ids)))
        db.session.execute(delete(m.NoticeCounter).where(m.NoticeCounter.year.in_(YEARS)))
        db.session.commit()


def urge(task_ids: list[int], day: dt.date) -> list[tuple[int | None, int | None]]:
    """督办单 on the tasks by hand, as the office's page does: (year, number) of each."""
    tasks = list(db.session.scalars(select(m.Task).where(m.Task.id.in_(task_ids))
                                    .order_by(m.Task.id)))
    return [(r.doc_year, r.doc_seq) for r in ledger.urge(tasks, "notice", "请抓紧办理。", day)]


def test_numbers_count_from_one_each_year(app, tasks) -> None:
    with app.app_context():
        assert urge(tasks[:2], D(2031, 3, 2)) == [(2031, 1), (2031, 2)]
        assert urge(tasks[2:3], D(2031, 11, 30)) == [(2031, 3)]
        assert urge(tasks[3:4], D(2032, 1, 4)) == [(2032, 1)]  # a new year starts at 1
        row = db.session.scalars(select(m.Supervision).where(
            m.Supervision.task_id == tasks[2])).one()
        assert notice_number.doc_number(row.doc_year, row.doc_seq) == "督办〔2031〕3号"


def test_a_rolled_back_issue_leaves_no_gap(app, tasks) -> None:
    with app.app_context():
        assert notice_number.reserve(2032, 1) == 1
        db.session.rollback()  # the 督办单 was not saved: its number goes back
        assert urge(tasks[:1], D(2032, 2, 1)) == [(2032, 1)]


def test_two_notices_cannot_share_a_number(app, tasks) -> None:
    with app.app_context():
        urge(tasks[:2], D(2031, 5, 6))
        first, second = db.session.scalars(select(m.Supervision).where(
            m.Supervision.task_id.in_(tasks[:2])).order_by(m.Supervision.id)).all()
        second.doc_seq = first.doc_seq
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_eight_issuers_at_once_get_one_to_eight(app, tasks) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("a race of connections: PostgreSQL only (DATABASE_URL=postgresql://…)")
    barrier = threading.Barrier(len(tasks))
    results: list[object] = [None] * len(tasks)

    def issue(i: int) -> None:
        with app.app_context():  # a session, and so a connection, of its own
            try:
                barrier.wait(timeout=30)
                results[i] = urge([tasks[i]], D(2033, 6, 1))
            except Exception as error:  # shown by the assertion below
                results[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(len(tasks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(r, list) for r in results), results
    numbers = sorted(seq for r in results for _year, seq in r)  # type: ignore[union-attr]
    assert numbers == list(range(1, 9))  # no gap, no duplicate
    with app.app_context():
        assert db.session.get(m.NoticeCounter, 2033).last == 8


def test_a_notice_written_on_its_own_takes_the_next_number_too(app, tasks) -> None:
    """A 督办单 recorded through the CRUD form or the REST API goes the same save path."""
    from app.domain.save import save

    with app.app_context():
        urge(tasks[:1], D(2031, 7, 1))
        row = m.Supervision(task_id=tasks[1], sent_on=D(2031, 7, 2), channel="notice",
                            kind="manual", message="请于本周内办结。")
        save(row, adding=True)
        assert (row.doc_year, row.doc_seq) == (2031, 2)
        other = m.Supervision(task_id=tasks[1], sent_on=D(2031, 7, 3), channel="email",
                              kind="manual", message="请于本周内办结。")
        save(other, adding=True)
        assert other.doc_seq is None
