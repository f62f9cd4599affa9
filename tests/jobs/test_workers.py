"""Jobs on a real Redis, run by real `rq worker` processes on the session's database
(PostgreSQL when DATABASE_URL says so, else the session's SQLite file)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import redis
from rq import Queue
from rq.job import Job, JobStatus
from sqlalchemy import delete, func, select, text

from app import jobs
from app import models as m
from app.extensions import db
from app.jobs import build_compliance, timetable
from tests.support import ledger as lg
from tests.support.database import inside_the_transaction
from tests.support.days import config
from tests.support.processes import free_port, process_env, rq_command, spawn, wait_for

pytestmark = pytest.mark.redis
YEAR = 2025  # no row of tests/support/world.py is in this year
PERIODS = [dt.date(YEAR, month, 1) for month in range(1, 13)]


@pytest.fixture(scope="module")
def year_of_work(app) -> Iterator[lg.Written]:
    """A busy year of three departments, committed for this module and erased after it."""
    with app.app_context():
        written = lg.write(db.session, lg.year_ledger(YEAR))
        db.session.commit()
    yield written
    with app.app_context():
        lg.erase(db.session, written)


@pytest.fixture
def fresh_periods(app) -> Iterator[None]:
    """No compliance rows of the test year before or after a test."""

    def clear() -> None:
        with app.app_context():
            db.session.execute(delete(m.Compliance).where(m.Compliance.period.in_(PERIODS)))
            db.session.commit()

    clear()
    yield
    clear()


def compliance_rows(periods: list[dt.date], built: bool = False) -> dict[tuple, tuple]:
    """(period, department) -> the row's values (ids and build time only if `built`)."""
    c = m.Compliance
    columns = [getattr(c, name) for name in (
        "projects_in_scope", "projects_dispatched", "tasks_open", "tasks_urged",
        "tasks_fed_back", "tasks_due", "tasks_implemented", "tasks_overdue", "dispatch_rate",
        "supervision_rate", "implementation_rate", "feedback_rate", "compliant", "score")]
    if built:
        columns += [c.id, c.built_at]
    rows = db.session.execute(select(c.period, c.department_id, *columns)
                              .where(c.period.in_(periods))).all()
    db.session.rollback()
    return {(period, department): tuple(values) for period, department, *values in rows}


def run_state(run_id: int) -> m.JobRun:
    db.session.rollback()  # a fresh snapshot of what the workers committed
    return db.session.get(m.JobRun, run_id, populate_existing=True)


def wait_finished(run_ids: list[int], timeout: float = 120) -> None:
    def done() -> bool:
        states = {run_state(i).status for i in run_ids}
        assert "failed" not in states, [run_state(i).error for i in run_ids]
        return states == {"finished"}

    wait_for(done, timeout, f"runs {run_ids} to finish")


def test_twelve_months_across_two_workers_equal_the_in_process_build(
        app, workers, redis_url, year_of_work, fresh_periods, job_runs) -> None:
    with app.app_context(), config(app, REDIS_URL=redis_url):
        runs = [jobs.enqueue("build_compliance", jobs.parse_args("build_compliance", p))
                for p in PERIODS]
        ids = [run.id for run in runs]
        wait_finished(ids)
        by_workers = compliance_rows(PERIODS)
        with redis.Redis.from_url(redis_url) as connection:
            names = {Job.fetch(f"keyledger-run-{i}", connection=connection).worker_name
                     for i in ids}
        counts = [run_state(i).counts for i in ids]
    with app.app_context():
        for period in PERIODS:
            build_compliance.run(period)
        in_process = compliance_rows(PERIODS)
    assert names == set(workers.processes), "both workers took jobs"
    assert counts == [{"rows": len(in_process) // 12, "period": p.isoformat()} for p in PERIODS]
    assert by_workers == in_process
    mine = [in_process[p, d] for p in PERIODS for d in year_of_work.departments]
    assert sum(row[2] for row in mine) > 0, "the year's tasks were counted"


# --- a work-horse killed in the middle of the job's transaction ------------------------

PG_SLOW = """
CREATE FUNCTION kl_test_slow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_sleep(60);
    RETURN NEW;
END $$;
CREATE TRIGGER kl_test_slow BEFORE INSERT ON compliance FOR EACH ROW
    WHEN (NEW.department_id IS NULL) EXECUTE FUNCTION kl_test_slow();
"""
PG_FAST = "DROP TRIGGER kl_test_slow ON compliance; DROP FUNCTION kl_test_slow();"
SQLITE_SLOW = [
    "CREATE TABLE kl_test_slow (n INTEGER)",
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000) "
    "INSERT INTO kl_test_slow SELECT n FROM c",
    "CREATE TRIGGER kl_test_slow BEFORE INSERT ON compliance WHEN NEW.department_id IS NULL "
    "BEGIN SELECT count(*) FROM kl_test_slow a, kl_test_slow b, kl_test_slow c; END",
]
SQLITE_FAST = ["DROP TRIGGER kl_test_slow", "DROP TABLE kl_test_slow"]


def _execute(statements: list[str] | str) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(statements))  # type: ignore[arg-type]
    else:
        for statement in statements:
            db.session.execute(text(statement))
    db.session.commit()


@contextmanager
def slow_compliance_inserts() -> Iterator[None]:
    """A trigger (test-side, in the database) that holds the build inside its transaction:
    after the DELETE of the period's rows, at the INSERT of the county's row."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    _execute(PG_SLOW if postgres else SQLITE_SLOW)
    try:
        yield
    finally:
        db.session.rollback()
        _execute(PG_FAST if postgres else SQLITE_FAST)


@pytest.mark.forking
def test_a_killed_work_horse_leaves_the_rows_and_a_rerun_completes(
        app, workers, redis_url, database_url, year_of_work, fresh_periods, job_runs) -> None:
    period = PERIODS[2]
    with app.app_context(), config(app, REDIS_URL=redis_url):
        build_compliance.run(period)
        before = compliance_rows([period], built=True)
        with slow_compliance_inserts():
            run = jobs.enqueue("build_compliance", jobs.parse_args("build_compliance", period))
            wait_for(lambda: run_state(run.id).status == "started"
                     and inside_the_transaction(database_url), 60, "the job mid-transaction")
            with redis.Redis.from_url(redis_url) as connection:
                worker = Job.fetch(f"keyledger-run-{run.id}", connection=connection).worker_name
            horse = workers.horse(worker)
            assert horse, workers.log_text()
            os.killpg(horse, signal.SIGKILL)
            wait_for(lambda: run_state(run.id).status == "failed", 60,
                     lambda: f"the killed run to be recorded failed; logs:\n{workers.log_text()}")
        assert "work-horse" in run_state(run.id).error
        assert compliance_rows([period], built=True) == before
        with redis.Redis.from_url(redis_url) as connection:
            job = Job.fetch(f"keyledger-run-{run.id}", connection=connection)
            assert job.get_status() == JobStatus.FAILED

        again = jobs.enqueue("build_compliance", jobs.parse_args("build_compliance", period))
        wait_finished([again.id])
        after = compliance_rows([period], built=True)
    assert compliance_rows_values(after) == compliance_rows_values(before)
    assert all(after[key][-1] > before[key][-1] for key in before), "built again"


def compliance_rows_values(rows: dict[tuple, tuple]) -> dict[tuple, tuple]:
    """The rows without their ids and build times."""
    return {key: values[:-2] for key, values in rows.items()}


# --- the schedule ------------------------------------------------------------------------

def test_two_schedulers_firing_the_same_tick_queue_each_run_once(
        app, redis_url, database_url, job_runs) -> None:
    now = dt.datetime(2031, 3, 1, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a month's 1st
    keys = [key for *_, key in timetable.due_runs(now)]
    barrier, queued, errors = threading.Barrier(2), [], []

    def scheduler() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                queued.append(timetable.tick(now))
            except Exception as error:  # reported below, in the test's thread
                errors.append(error)
            finally:
                db.session.remove()

    with config(app, REDIS_URL=redis_url):
        threads = [threading.Thread(target=scheduler) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors
    with app.app_context():
        claims = dict(db.session.execute(
            select(m.JobRun.schedule_key, func.count()).where(m.JobRun.schedule_key.in_(keys))
            .group_by(m.JobRun.schedule_key)).all())
    assert claims == dict.fromkeys(keys, 1)
    assert sum(len(ids) for ids in queued) == len(keys)
    with redis.Redis.from_url(redis_url) as connection:
        assert Queue(jobs.QUEUE, connection=connection).count == len(keys)


def test_rq_cron_loads_the_schedule_and_queues_the_tick(
        app, redis_url, database_url, tmp_path) -> None:
    help_text = subprocess.run(rq_command("--help"), capture_output=True, text=True).stdout
    if "cron" not in help_text.split("Commands:")[-1]:
        pytest.skip("this rq has no `rq cron`")
    from rq.cron_scheduler_registry import get_keys

    env = process_env(database_url, redis_url, tmp_path)
    process = spawn(rq_command("cron", "--url", redis_url, "app/jobs/cron.py"), env,
                    tmp_path / "cron.log")
    try:
        with redis.Redis.from_url(redis_url) as connection:
            queue = Queue(jobs.QUEUE, connection=connection)
            wait_for(lambda: get_keys(connection) and queue.count, 60,
                     "rq cron to register and queue its first tick")
            functions = {job.func_name for job in queue.jobs}
        assert process.poll() is None, (tmp_path / "cron.log").read_text()
        assert functions == {"app.jobs.worker.cron_tick"}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_a_tick_while_redis_is_down_is_made_up_by_the_next_one(
        app, redis_url, database_url, job_runs) -> None:
    now = dt.datetime(2031, 4, 2, 3, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    keys = [key for *_, key in timetable.due_runs(now)]
    down = f"redis://127.0.0.1:{free_port()}/0"
    with app.app_context():
        with config(app, REDIS_URL=down), pytest.raises(jobs.QueueUnavailable):
            timetable.tick(now)
        failed = db.session.scalars(select(m.JobRun).where(m.JobRun.status == "failed")
                                    .order_by(m.JobRun.id.desc())).first()
        assert failed.error.startswith("queue unavailable")
        with config(app, REDIS_URL=redis_url):
            queued = timetable.tick(now)
        claimed = db.session.scalars(select(m.JobRun.schedule_key)
                                     .where(m.JobRun.schedule_key.in_(keys))).all()
    assert len(queued) == len(keys) and sorted(claimed) == sorted(keys)
    with redis.Redis.from_url(redis_url) as connection:
        assert Queue(jobs.QUEUE, connection=connection).count == len(keys)
