"""Lost days of jobs (issue 14, item 6): a run that ends without success, whatever ended
it, gives its schedule claim back so the next tick runs the day's job again; two runs of
one job and period at once take turns instead of failing on the table's unique key."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import psycopg
import pytest
import redis
from rq.job import Job
from sqlalchemy import delete, func, select, text

from app import models as m
from app.domain import rules
from app.extensions import db
from app.jobs import build_compliance, runner, timetable
from tests.support.days import config
from tests.support.processes import wait_for
from tests.support.services import _libpq

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST = dt.datetime(2032, 3, 1, 2, 0, tzinfo=SHANGHAI)  # a month's 1st: the final table too
FINAL = f"build_compliance:final:{dt.date(2032, 2, 1):%Y-%m}"
OTHERS = ("refresh_status", "send_reminders", "escalate")  # the day's jobs left out here


@pytest.fixture
def no_rows_of_2032(app) -> Iterator[None]:
    """No compliance rows or circulars of 2032 (no test data lives there) after a test."""
    yield
    with app.app_context():
        db.session.execute(delete(m.Compliance).where(m.Compliance.period >= dt.date(2032, 1, 1)))
        db.session.execute(delete(m.Circular).where(m.Circular.period >= dt.date(2032, 1, 1)))
        db.session.commit()


def ran_already(now: dt.datetime) -> None:
    """Claims of the day's status refresh and reminders, as if they had run (they would
    rewrite the whole test database as of that day), and of last month's nightly refresh
    (another build of the same job): the tick queues only the rest."""
    for job, _day, key in timetable.due_runs(now):
        if job in OTHERS or ":previous:" in key:
            db.session.add(m.JobRun(job=job, args={}, status="finished", schedule_key=key,
                                    queued_at=dt.datetime(2032, 1, 1)))
    db.session.commit()


def run_of(key: str) -> m.JobRun | None:
    db.session.rollback()  # a fresh snapshot of what the workers committed
    return db.session.scalars(select(m.JobRun).where(m.JobRun.schedule_key == key)
                              .execution_options(populate_existing=True)).one_or_none()


def state(run_id: int) -> m.JobRun:
    db.session.rollback()
    return db.session.get(m.JobRun, run_id, populate_existing=True)


# --- without Redis: a run that raises ------------------------------------------------------

def test_a_run_that_fails_gives_its_claim_back_and_the_next_tick_runs_it(
        app, job_runs, no_rows_of_2032, monkeypatch) -> None:
    real = runner.JOBS["build_compliance"]
    calls: list[dt.date] = []

    def fails_once(period: dt.date) -> dict:
        calls.append(period)
        if len(calls) == 1:
            raise RuntimeError("the database went away mid-build")
        return real[0](period)

    monkeypatch.setitem(runner.JOBS, "build_compliance", (fails_once, "period"))
    now = dt.datetime(2032, 4, 8, 2, 0, tzinfo=SHANGHAI)
    key = f"build_compliance:{now.date()}"
    with app.app_context():
        ran_already(now)
        first = timetable.tick(now)
        assert len(first) == 1
        failed = state(first[0])
        assert failed.status == "failed" and "went away" in failed.error
        second = timetable.tick(now)
        assert len(second) == 1, "the next tick queued the day's build again"
        assert state(second[0]).status == "finished"
        assert run_of(key).id == second[0]
        assert db.session.scalar(select(func.count()).select_from(m.Compliance).where(
            m.Compliance.period == rules.month_start(now.date()))) > 0


# --- two builds of one month at the same moment (PostgreSQL) -------------------------------

SLOW_COUNTY_ROW = """
CREATE FUNCTION kl_test_pause() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_sleep(1.5);
    RETURN NEW;
END $$;
CREATE TRIGGER kl_test_pause BEFORE INSERT ON compliance FOR EACH ROW
    WHEN (NEW.department_id IS NULL AND NEW.period >= DATE '2032-01-01')
    EXECUTE FUNCTION kl_test_pause();
"""
FAST_AGAIN = "DROP TRIGGER kl_test_pause ON compliance; DROP FUNCTION kl_test_pause();"


@pytest.fixture
def on_postgres(app) -> str:
    """The session database's URL, if it is PostgreSQL (before any worker starts)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("locks between connections: PostgreSQL only (DATABASE_URL=postgresql://…)")
    return url


@contextmanager
def slow_county_rows(app) -> Iterator[None]:
    """Each build of 2032 pauses 1.5 s inside its transaction: the two builds overlap."""
    with app.app_context():
        db.session.execute(text(SLOW_COUNTY_ROW))
        db.session.commit()
    try:
        yield
    finally:
        with app.app_context():
            db.session.execute(text(FAST_AGAIN))
            db.session.commit()


def test_two_builds_of_one_month_at_once_take_turns(app, on_postgres, no_rows_of_2032) -> None:
    period = dt.date(2032, 1, 1)
    barrier, errors, ended = threading.Barrier(2), [], []

    def build(delay: float) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                time.sleep(delay)  # the second starts while the first is mid-transaction
                build_compliance.run(period)
                ended.append(time.monotonic())
            except Exception as error:  # reported by the test's thread
                errors.append(error)
            finally:
                db.session.remove()

    with slow_county_rows(app):
        started = time.monotonic()
        threads = [threading.Thread(target=build, args=(d,)) for d in (0.0, 0.5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    assert max(ended) - started >= 3.0, "the second waited for the first, then built"
    with app.app_context():
        rows = db.session.execute(select(m.Compliance.department_id, func.count())
                                  .where(m.Compliance.period == period)
                                  .group_by(m.Compliance.department_id)).all()
        departments = db.session.scalar(select(func.count()).select_from(m.Department))
    assert rows and {count for _department, count in rows} == {1}, "one row each"
    assert len(rows) >= departments  # every department's row and the county's, once


# --- a work-horse killed while its job waits on a lock (Redis, rq workers, PostgreSQL) ----

@contextmanager
def compliance_locked(url: str) -> Iterator[None]:
    """Another session holds the compliance table: a build waits at its DELETE."""
    with psycopg.connect(_libpq(url)) as holder:
        holder.execute("LOCK TABLE compliance IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            holder.rollback()


def waiting_on_a_lock(run_id: int) -> bool:
    """The run has started and some session of the database waits on a lock."""
    waiting = db.session.scalar(text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'"))
    return state(run_id).status == "started" and bool(waiting)


@pytest.mark.forking
def test_a_horse_killed_while_its_job_waits_on_a_lock_leaves_the_day_to_the_next_tick(
        app, on_postgres, workers, redis_url, database_url, job_runs, no_rows_of_2032) -> None:
    with app.app_context(), config(app, REDIS_URL=redis_url):
        ran_already(FIRST)
        with compliance_locked(database_url):
            first = timetable.tick(FIRST)
            assert len(first) == 3, "today's table, last month's final table and circular"
            final = run_of(FINAL)
            wait_for(lambda: waiting_on_a_lock(final.id), 60, "the final build to wait")
            with redis.Redis.from_url(redis_url) as connection:
                worker = Job.fetch(f"keyledger-run-{final.id}",
                                   connection=connection).worker_name
            horse = workers.horse(worker)
            assert horse, workers.log_text()
            os.killpg(horse, signal.SIGKILL)  # as the out-of-memory killer would
            wait_for(lambda: state(final.id).status == "failed", 60,
                     lambda: f"the killed run recorded failed; logs:\n{workers.log_text()}")
        assert "work-horse" in state(final.id).error
        wait_for(lambda: {state(i).status for i in first if i != final.id} == {"finished"},
                 120, lambda: f"the day's other runs to finish; logs:\n{workers.log_text()}")

        again = timetable.tick(FIRST + dt.timedelta(minutes=5))  # the next tick
        assert len(again) == 1, "the next tick queued the lost final build again"
        wait_for(lambda: state(again[0]).status == "finished", 120,
                 lambda: f"the final build to run again; logs:\n{workers.log_text()}")
        assert run_of(FINAL).id == again[0]
        built = db.session.scalar(select(func.count()).select_from(m.Compliance).where(
            m.Compliance.period == dt.date(2032, 2, 1)))
        db.session.rollback()
    assert built > 0, "February's final table exists"
