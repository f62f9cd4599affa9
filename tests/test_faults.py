"""Faults with real parts: a Redis server of the test's own killed before and during a job,
the embedded default with no network at all, the database unreachable and the SQLite file
locked by another connection. Each checks "nothing lost" by comparing rows before and after.

A work-horse SIGKILLed in the middle of a job's transaction is proven in
tests/jobs/test_workers.py (test_a_killed_work_horse_leaves_the_rows_and_a_rerun_completes),
a schedule tick while Redis is down in the same module; not repeated here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from sqlalchemy import delete, event, func, select, text

from app import jobs
from app import models as m
from app.extensions import db
from app.jobs import build_compliance
from app.jobs.recovery import recover_lost_runs
from tests.support.database import inside_the_transaction
from tests.support.days import config
from tests.support.processes import FORKING, Workers, free_port, process_env, wait_for
from tests.support.web import csrf_token

PERIOD = dt.date(2024, 3, 1)  # no row of tests/support/world.py is in this month
COUNTED = (m.Project, m.Task, m.Feedback, m.Supervision, m.Problem, m.Compliance, m.Extension)


class RedisServer:
    """`redis-server` on a free port of the loopback, no persistence: this test's own."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self.alive, 30, "redis-server to answer")

    def alive(self) -> bool:
        try:
            with redis.Redis.from_url(self.url, socket_connect_timeout=1) as connection:
                return bool(connection.ping())
        except redis.exceptions.ConnectionError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown, no save; its queue is gone."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        assert not self.alive()


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed (CI=true: services must run)")
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def period_cleared(app) -> Iterator[None]:
    def clear() -> None:
        with app.app_context():
            db.session.execute(delete(m.Compliance).where(m.Compliance.period == PERIOD))
            db.session.commit()

    clear()
    yield
    clear()


def table_counts(app) -> dict[str, int]:
    with app.app_context():
        counts = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                  for model in COUNTED}
        db.session.rollback()
    return counts


def runs_after(app, last: int) -> list[tuple[int, str, str | None]]:
    with app.app_context():
        found = db.session.execute(select(m.JobRun.id, m.JobRun.status, m.JobRun.error)
                                   .where(m.JobRun.id > last).order_by(m.JobRun.id)).all()
        db.session.rollback()
    return [tuple(row) for row in found]


def last_run(app) -> int:
    with app.app_context():
        value = db.session.scalar(select(func.max(m.JobRun.id))) or 0
        db.session.rollback()
    return value


def period_rows(app) -> dict[int | None, tuple]:
    """department -> (the row's counts and rates, its build time) of PERIOD."""
    c = m.Compliance
    with app.app_context():
        found = db.session.execute(select(
            c.department_id, c.tasks_open, c.tasks_due, c.projects_in_scope, c.score,
            c.built_at).where(c.period == PERIOD)).all()
        db.session.rollback()
    return {row[0]: tuple(row[1:]) for row in found}


def run_status(run_id: int) -> str:
    db.session.rollback()  # a fresh look at what the worker committed
    return db.session.scalar(select(m.JobRun.status).where(m.JobRun.id == run_id))


def run_now(client, job: str, **data: str):
    token = csrf_token(client, "/jobrunview/add")
    return client.post("/jobrunview/add", data={"job": job, "csrf_token": token, **data})


# --- Redis down ---------------------------------------------------------------------------


def test_redis_killed_the_portal_works_and_a_job_request_answers_queue_unavailable(
        app, client, auth, api_token, world, own_redis, job_runs) -> None:
    before, last = table_counts(app), last_run(app)
    with config(app, REDIS_URL=own_redis.url):
        auth.login("supervisor")
        queued = run_now(client, "refresh_status")
        assert queued.status_code == 302, "queued while Redis is up (no worker takes it)"
        own_redis.kill()

        for url in ("/", "/taskview/list/", "/feedbackview/list/", "/jobrunview/list/",
                    "/my/ledger/"):
            assert client.get(url).status_code == 200, url
        auth.logout()
        auth.login("supervisor")  # logging in needs no Redis either
        token = api_token("supervisor")  # (the logout ended the supervisor's tokens)
        page = run_now(client, "build_compliance", period="2024-03")
        assert page.status_code == 503
        assert "任务队列暂不可用，请稍后再试" in page.get_data(as_text=True)
        api = client.post("/api/v1/jobs/send_reminders", json={}, headers=token)
        assert api.status_code == 503 and api.json == {"message": "任务队列暂不可用"}
        assert recover_lost_runs(dt.timedelta(0)) == [], "Redis down: nothing can be told"

    runs = runs_after(app, last)
    assert [status for _id, status, _e in runs] == ["queued", "failed", "failed"]
    assert all(error.startswith("queue unavailable") for _i, _s, error in runs[1:])
    assert table_counts(app) == before, "nothing of a refused run was done"

    own_redis.start()  # back, empty: the queued run was lost with the old server's memory
    with app.app_context(), config(app, REDIS_URL=own_redis.url):
        assert recover_lost_runs(dt.timedelta(0)) == [runs[0][0]]
    queued_run = runs_after(app, last)[0]
    assert queued_run[1] == "failed" and queued_run[2].startswith("lost:")
    assert [s for _i, s, _e in runs_after(app, last)] == ["failed"] * 3, "none queued forever"


@contextmanager
def slow_county_insert(app) -> Iterator[None]:
    """A trigger (in the database) holding build_compliance a few seconds inside its
    transaction, after the period's DELETE, at the county row's INSERT."""
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        make = ["CREATE FUNCTION kl_fault_slow() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN PERFORM pg_sleep(4); RETURN NEW; END $$",
                "CREATE TRIGGER kl_fault_slow BEFORE INSERT ON compliance FOR EACH ROW "
                "WHEN (NEW.department_id IS NULL) EXECUTE FUNCTION kl_fault_slow()"]
        drop = ["DROP TRIGGER kl_fault_slow ON compliance", "DROP FUNCTION kl_fault_slow()"]
    else:
        make = ["CREATE TRIGGER kl_fault_slow BEFORE INSERT ON compliance "
                "WHEN NEW.department_id IS NULL BEGIN SELECT count(*) FROM (WITH RECURSIVE "
                "c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10000000) "
                "SELECT n FROM c); END"]
        drop = ["DROP TRIGGER kl_fault_slow"]
    for statement in make:
        db.session.execute(text(statement))
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        for statement in drop:
            db.session.execute(text(statement))
        db.session.commit()


@pytest.fixture
def one_worker(app, own_redis, tmp_path) -> Iterator[Workers]:
    """A real forking `rq worker` (KeyLedgerWorker) on the session database and the test's
    Redis: the test watches its work-horse end."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    instance = tmp_path / "instance"
    instance.mkdir()
    pool = Workers(process_env(url, own_redis.url, instance), tmp_path, FORKING)
    pool.start(f"kl-fault-{os.getpid()}")
    try:
        pool.wait_ready()
        yield pool
    finally:
        pool.stop()


def test_redis_killed_while_a_worker_is_inside_a_job_loses_nothing(
        app, own_redis, one_worker, period_cleared, job_runs) -> None:
    database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        build_compliance.run(PERIOD)
    before = period_rows(app)
    assert None in before and len(before) > 1, "a county row and department rows"
    counts = table_counts(app)
    with app.app_context(), config(app, REDIS_URL=own_redis.url), slow_county_insert(app):
        run_id = jobs.enqueue("build_compliance",
                              jobs.parse_args("build_compliance", PERIOD)).id
        # "started" is committed first: then a write lock is the job's own transaction
        wait_for(lambda: run_status(run_id) == "started"
                 and inside_the_transaction(database_url), 120,
                 lambda: f"the job inside its transaction; logs:\n{one_worker.log_text()}")
        own_redis.kill()
        wait_for(lambda: not one_worker.horse(next(iter(one_worker.processes)))
                 and not inside_the_transaction(database_url), 120,
                 lambda: f"the work-horse to end; logs:\n{one_worker.log_text()}")
    after = period_rows(app)
    assert {k: v[:-1] for k, v in after.items()} == {k: v[:-1] for k, v in before.items()}
    built = {v[-1] for v in after.values()}
    assert len(built) == 1, "all of the period's rows from one build: old or new, not mixed"
    assert table_counts(app) == counts

    own_redis.start()
    with app.app_context(), config(app, REDIS_URL=own_redis.url):
        recover_lost_runs(dt.timedelta(0))
        db.session.expire_all()
        state = db.session.get(m.JobRun, run_id)
        assert state.status in ("finished", "failed"), "not left queued or started"
        if state.status == "failed":
            assert state.error.startswith("lost:")
        else:
            assert built != {v[-1] for v in before.values()}, "finished: the new build"


# --- the embedded default -------------------------------------------------------------------


def test_the_embedded_default_opens_no_connection_at_all(
        app, client, auth, api_token, world, monkeypatch, job_runs) -> None:
    """No REDIS_URL: a job request runs in-process; not one socket connects anywhere."""
    assert not app.config.get("REDIS_URL")
    token = api_token("supervisor")
    auth.login("supervisor")
    connects: list[object] = []
    original = socket.socket.connect

    def refuse(self, address):
        connects.append(address)
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda s, a: connects.append(a) or 111)
    last = last_run(app)
    assert run_now(client, "build_compliance", period="2024-03").status_code == 302
    api = client.post("/api/v1/jobs/build_compliance", json={"period": "2024-03"},
                      headers=token)
    assert api.status_code == 202 and api.json["status"] == "finished"
    assert [s for _i, s, _e in runs_after(app, last)] == ["finished", "finished"]
    if db.engine.dialect.name == "sqlite":
        assert connects == [], f"connections opened: {connects}"
    else:  # PostgreSQL is the database, reached by libpq (not Python sockets): nothing else
        assert all(getattr(a, "__len__", None) and a[1] == 5432 for a in connects), connects
    with app.app_context():
        db.session.execute(delete(m.Compliance).where(m.Compliance.period == PERIOD))
        db.session.commit()


# --- a job failing mid-way --------------------------------------------------------------------


@contextmanager
def failing_county_insert(app) -> Iterator[None]:
    """The database refuses the county row: after the DELETE of the period's rows."""
    if db.engine.dialect.name == "postgresql":
        make = ["CREATE FUNCTION kl_fault_fail() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'disk full (test)'; END $$",
                "CREATE TRIGGER kl_fault_fail BEFORE INSERT ON compliance FOR EACH ROW "
                "WHEN (NEW.department_id IS NULL) EXECUTE FUNCTION kl_fault_fail()"]
        drop = ["DROP TRIGGER kl_fault_fail ON compliance", "DROP FUNCTION kl_fault_fail()"]
    else:
        make = ["CREATE TRIGGER kl_fault_fail BEFORE INSERT ON compliance WHEN "
                "NEW.department_id IS NULL BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END"]
        drop = ["DROP TRIGGER kl_fault_fail"]
    with app.app_context():
        for statement in make:
            db.session.execute(text(statement))
        db.session.commit()
    try:
        yield
    finally:
        with app.app_context():
            db.session.rollback()
            for statement in drop:
                db.session.execute(text(statement))
            db.session.commit()


def test_a_job_failing_mid_way_keeps_the_previous_rows_and_shows_its_failure(
        app, client, auth, world, period_cleared, job_runs) -> None:
    with app.app_context():
        build_compliance.run(PERIOD)
    before, last = period_rows(app), last_run(app)
    auth.login("supervisor")
    with failing_county_insert(app):
        response = run_now(client, "build_compliance", period="2024-03")
    assert response.status_code == 302
    assert period_rows(app) == before, "the DELETE was rolled back with the failed INSERT"
    [(run_id, status, error)] = runs_after(app, last)
    assert status == "failed" and "disk full (test)" in error
    listing = client.get("/jobrunview/list/").get_data(as_text=True)
    assert "label-danger" in listing and "失败" in listing
    shown = client.get(f"/jobrunview/show/{run_id}").get_data(as_text=True)
    assert "disk full (test)" in shown


# --- the database unreachable or locked ------------------------------------------------------


@contextmanager
def database_unreachable(app) -> Iterator[None]:
    """Every new connection goes where no database is (a missing folder, a closed port);
    the pool is emptied first, so the driver's own error comes back."""
    with app.app_context():
        engine = db.engine
    closed_port, missing = free_port(), "/nonexistent-keyledger/none.db"

    def elsewhere(dialect, conn_rec, cargs, cparams):
        if engine.dialect.name == "postgresql":
            cparams.update(host="127.0.0.1", port=closed_port, connect_timeout=2)
        else:
            cargs[:] = [missing]
            cparams.pop("database", None)

    engine.dispose()
    event.listen(engine, "do_connect", elsewhere)
    try:
        yield
    finally:
        event.remove(engine, "do_connect", elsewhere)
        engine.dispose()


def _assert_503(response, api: bool = False) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 503, (response.status_code, response.request.path)
    assert "数据库暂时无法访问" in (response.json["message"] if api else body)
    assert "Traceback" not in body and "sqlite3" not in body and "psycopg" not in body
    assert "SELECT" not in body and "INSERT" not in body
    if api:
        assert response.json["message"].startswith("数据库暂时无法访问")


def test_database_unreachable_gives_a_chinese_503_and_no_traceback(
        app, client, auth, api_token, world) -> None:
    token = api_token("staff_a")
    login_token = csrf_token(client, "/login/")
    auth.login("staff_a")
    with database_unreachable(app):
        for url in ("/", "/taskview/list/", "/feedbackview/list/", "/my/ledger/"):
            _assert_503(client.get(url))
        _assert_503(client.get("/api/v1/task/", headers=token), api=True)
        auth.logout()
        _assert_503(client.post("/login/", data={"username": "staff_a", "csrf_token":
                                                 login_token, "password": "Ledger#2026"}))
    auth.logout()
    auth.login("staff_a")  # and back: the portal works again
    assert client.get("/taskview/list/").status_code == 200


@contextmanager
def locked_sqlite(app, how: str) -> Iterator[sqlite3.Connection]:
    """Another connection holds the database file: BEGIN EXCLUSIVE (nobody reads or writes)
    or BEGIN IMMEDIATE (others read, nobody else writes)."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute(f"BEGIN {how}")
    if how == "EXCLUSIVE":
        holder.execute("UPDATE job_run SET status = status WHERE id < 0")  # the lock, now
    try:
        yield holder
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def hidden_inputs(html: str) -> dict[str, str]:
    """The hidden fields of a page's form (the CSRF token, a version…), as a browser sends."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' in tag:
            name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
            if name:
                found[name.group(1)] = value.group(1) if value else ""
    return found


@pytest.mark.parametrize("how", ["EXCLUSIVE", "IMMEDIATE"])
def test_a_feedback_saved_while_the_database_file_is_locked_is_refused_then_saved(
        app, client, auth, world, how) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("a database file: SQLite only")
    auth.login("staff_a")
    task = world.a["task"]
    token = csrf_token(client, "/my/ledger/")
    form = {"csrf_token": token, "progress": f"锁库测试 {how}", "percent_complete": "50"}
    edit_url = f"/feedbackview/edit/{world.a['feedback']}"
    edit_form = {**hidden_inputs(client.get(edit_url).get_data(as_text=True)),
                 "progress": "锁库时修改", "percent_complete": "41", "review_status": "submitted",
                 "reported_on": "2026-05-20", "task": str(task)}
    before = table_counts(app)
    with locked_sqlite(app, how):
        refused = client.post(f"/my/ledger/{task}/feedback", data=form)
        edit = client.post(edit_url, data=edit_form)
    _assert_503(refused)
    assert "本次提交的内容没有保存" in refused.get_data(as_text=True)
    assert edit.status_code == 503, edit.get_data(as_text=True)[:300]
    assert table_counts(app) == before
    with app.app_context():
        assert db.session.get(m.Feedback, world.a["feedback"]).progress != "锁库时修改"
        db.session.rollback()

    saved = client.post(f"/my/ledger/{task}/feedback", data=form)
    assert saved.status_code == 302
    after = table_counts(app)
    assert after["feedback"] == before["feedback"] + 1
    with app.app_context():
        db.session.execute(delete(m.Feedback).where(m.Feedback.progress == form["progress"]))
        db.session.commit()
