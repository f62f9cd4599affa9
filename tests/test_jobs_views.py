"""Jobs for people: the run records and "run now", the jobs API, 提醒, the embedded scheduler.

Without REDIS_URL (the tests' setting) a job runs inside the request that queues it, so a
run asked for here is finished when the answer comes back.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import delete, event, select

from app import jobs
from app import models as m
from app.extensions import db
from app.jobs import embedded, timetable
from tests.support.database import user_id
from tests.support.web import csrf_token

PERIOD = dt.date(2025, 1, 1)  # a month of its own: the world's rows are of 2026
CLOSED_PORT = "redis://127.0.0.1:1/0"


def runs(app) -> list[m.JobRun]:
    """Every run, newest first, detached from the session."""
    with app.app_context():
        found = db.session.scalars(select(m.JobRun).order_by(m.JobRun.id.desc())).all()
        db.session.expunge_all()
        return list(found)


def compliance_rows(app, period: dt.date = PERIOD) -> set[tuple]:
    with app.app_context():
        return set(db.session.execute(
            select(m.Compliance.id, m.Compliance.department_id, m.Compliance.built_at)
            .where(m.Compliance.period == period)).all())


@pytest.fixture
def period_rows(app):
    """The compliance rows the test builds for PERIOD, removed afterwards."""
    yield
    with app.app_context():
        db.session.execute(delete(m.Compliance).where(m.Compliance.period == PERIOD))
        db.session.commit()


def run_now(client, job: str, **data: str):
    token = csrf_token(client, "/")
    return client.post("/jobrunview/add", data={"job": job, "csrf_token": token, **data})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# --- 任务运行记录 and "run now" ---------------------------------------------------------


def test_run_now_as_supervisor_runs_the_job_and_lists_it(app, client, auth, world,
                                                         period_rows):
    auth.login("supervisor")
    response = run_now(client, "build_compliance", period="2025-01")
    assert response.status_code == 302 and response.location.endswith("/jobrunview/list/")
    run = runs(app)[0]
    assert (run.job, run.args, run.status) == ("build_compliance", {"period": "2025-01-01"},
                                               "finished")
    assert run.requested_by_fk == user_id(app, "supervisor")
    assert run.counts["rows"] == len(compliance_rows(app)) > 0
    page = text(client.get("/jobrunview/list/"))
    assert "已提交“考核表生成”（2025-01）" in page
    newest_first = page.index(f'/jobrunview/show/{run.id}"')  # the quote: 1 is not 15's
    assert newest_first < page.index(f'/jobrunview/show/{world.job_run}"')
    assert "考核表生成" in page and "已完成" in page and f"考核行 {run.counts['rows']}" in page
    show = text(client.get(f"/jobrunview/show/{run.id}"))
    assert "label-success" in show and "2025-01" in show


def test_run_now_with_a_bad_month_says_so_and_records_nothing(app, client, auth):
    auth.login("supervisor")
    before = len(runs(app))
    response = run_now(client, "build_compliance", period="2025-13")
    assert response.status_code == 422
    assert "“考核表生成”按月份运行，月份格式为“年-月”" in text(response)
    response = run_now(client, "refresh_status", as_of="2026-11")
    assert response.status_code == 422 and "按日期运行" in text(response)
    assert run_now(client, "no_such_job").status_code == 422
    assert len(runs(app)) == before


def test_run_now_needs_a_csrf_token(app, client, auth):
    auth.login("supervisor")
    before = len(runs(app))
    response = client.post("/jobrunview/add", data={"job": "refresh_status"})
    assert response.status_code == 400
    assert len(runs(app)) == before


def test_leader_reads_the_runs_but_cannot_run_a_job(app, client, auth, world):
    auth.login("leader")
    listing = client.get("/jobrunview/list/")
    assert listing.status_code == 200 and "考核表生成" in text(listing)
    assert 'action="/jobrunview/add"' not in text(listing)
    assert client.get(f"/jobrunview/show/{world.job_run}").status_code == 200
    finished = client.get("/jobrunview/list/?_flt_0_status=finished")
    assert f"/jobrunview/show/{world.job_run}" in text(finished)
    failed = client.get("/jobrunview/list/?_flt_0_status=failed")
    assert f"/jobrunview/show/{world.job_run}" not in text(failed)
    assert client.get("/jobrunview/list/?_flt_9_status=x").status_code == 200
    before = len(runs(app))
    assert client.get("/jobrunview/add").status_code == 403
    assert run_now(client, "refresh_status").status_code == 403
    assert client.get(f"/jobrunview/edit/{world.job_run}").status_code == 403
    assert len(runs(app)) == before


def test_staff_see_no_runs(app, client, auth, world):
    auth.login("staff_a")
    assert client.get("/jobrunview/list/").status_code == 403
    assert client.get(f"/jobrunview/show/{world.job_run}").status_code == 403
    assert run_now(client, "refresh_status").status_code == 403
    assert "/jobrunview/list/" not in text(client.get("/"))  # no menu entry either


# --- the REST API -----------------------------------------------------------------------


def test_api_queues_a_job_and_answers_its_state(app, client, api_token, period_rows):
    headers = api_token("supervisor")
    response = client.post("/api/v1/jobs/build_compliance", json={"period": "2025-01"},
                           headers=headers)
    assert response.status_code == 202, response.json
    assert response.json["status"] == "finished"
    run_id = response.json["id"]
    assert response.headers["Location"].endswith(f"/api/v1/jobs/{run_id}")
    state = client.get(f"/api/v1/jobs/{run_id}", headers=headers)
    assert state.status_code == 200
    assert set(state.json) == {"id", "job", "args", "status", "queued_at", "started_at",
                               "finished_at", "duration", "counts", "error"}
    assert state.json["job"] == "build_compliance"
    assert state.json["args"] == {"period": "2025-01-01"}
    assert state.json["counts"]["rows"] == len(compliance_rows(app))
    assert state.json["error"] is None and state.json["duration"] >= 0
    assert runs(app)[0].requested_by_fk == user_id(app, "supervisor")


@pytest.mark.parametrize(("role", "post", "get"), [
    ("admin", 202, 200), ("supervisor", 202, 200), ("leader", 403, 200), ("staff_a", 403, 403),
])
def test_api_access(app, client, api_token, world, period_rows, role, post, get):
    headers = api_token(role)
    before = len(runs(app))
    response = client.post("/api/v1/jobs/build_compliance", json={"period": "2025-01"},
                           headers=headers)
    assert response.status_code == post
    assert len(runs(app)) == before + (1 if post == 202 else 0)
    assert client.get(f"/api/v1/jobs/{world.job_run}", headers=headers).status_code == get


def test_api_needs_a_token(client, world):
    assert client.post("/api/v1/jobs/refresh_status", json={}).status_code == 401
    assert client.get(f"/api/v1/jobs/{world.job_run}").status_code == 401


@pytest.mark.parametrize(("job", "body", "status", "message"), [
    ("no_such_job", {}, 404, "没有名为“no_such_job”的任务"),
    ("build_compliance", {"period": "2025-13"}, 422, "按月份运行"),
    ("build_compliance", {"period": "202501"}, 422, "按月份运行"),
    ("build_compliance", {"as_of": "2025-01-05"}, 422, "按月份运行"),
    ("refresh_status", {"as_of": "2026-11"}, 422, "按日期运行"),
    ("refresh_status", {"as_of": 20261102}, 422, "按日期运行"),
    ("refresh_status", {"as_of": "1900-01-01"}, 422, "2000 年至 2099 年"),
    ("refresh_status", [1, 2], 400, "JSON 对象"),
])
def test_api_refuses_bad_requests_in_chinese(app, client, api_token, job, body, status,
                                             message):
    before = len(runs(app))
    response = client.post(f"/api/v1/jobs/{job}", json=body, headers=api_token("supervisor"))
    assert response.status_code == status
    assert message in response.json["message"]
    assert len(runs(app)) == before


def test_api_unknown_run_is_404(client, api_token):
    response = client.get("/api/v1/jobs/999999", headers=api_token("leader"))
    assert response.status_code == 404 and "没有这条任务运行记录" in response.json["message"]


@pytest.mark.filterwarnings("ignore:Multiple schemas resolved:UserWarning")  # ProjectApi's
def test_openapi_document_lists_the_jobs_api(client, api_token):
    response = client.get("/api/v1/_openapi", headers=api_token("supervisor"))
    assert response.status_code == 200
    paths = response.json["paths"]
    assert "post" in paths["/api/v1/jobs/{job}"]
    assert "get" in paths["/api/v1/jobs/{pk}"]
    assert "JobRunState" in response.json["components"]["schemas"]


def test_redis_down_answers_503_and_changes_nothing(app, client, auth, api_token, monkeypatch):
    with app.app_context():
        db.session.add(m.Compliance(period=PERIOD, department_id=None, tasks_open=7,
                                    built_at=dt.datetime(2025, 2, 1)))
        db.session.commit()
    try:
        before = compliance_rows(app)
        monkeypatch.setitem(app.config, "REDIS_URL", CLOSED_PORT)
        response = client.post("/api/v1/jobs/build_compliance", json={"period": "2025-01"},
                               headers=api_token("supervisor"))
        assert response.status_code == 503
        assert response.json == {"message": "任务队列暂不可用"}
        failed = runs(app)[0]
        assert failed.status == "failed" and failed.finished_at is not None
        assert "queue unavailable" in failed.error
        auth.login("supervisor")
        page = run_now(client, "build_compliance", period="2025-01")
        assert page.status_code == 503 and "任务队列暂不可用，请稍后再试" in text(page)
        assert runs(app)[0].status == "failed"
        assert compliance_rows(app) == before
    finally:
        with app.app_context():
            db.session.execute(delete(m.Compliance).where(m.Compliance.period == PERIOD))
            db.session.commit()


# --- 提醒 --------------------------------------------------------------------------------


@pytest.fixture
def notes(app):
    """One unread notification for staff_a and one for staff_b (theirs only, before)."""
    users = {name: user_id(app, name) for name in ("staff_a", "staff_b", "leader")}
    mine = m.Notification.user_id.in_(users.values())
    now = dt.datetime(2026, 11, 2, 1, 0)
    with app.app_context():
        db.session.execute(delete(m.Notification).where(mine))
        a = m.Notification(user_id=users["staff_a"], created_at=now, message="请报送任务A进展")
        b = m.Notification(user_id=users["staff_b"], created_at=now, message="请报送任务B进展")
        db.session.add_all([a, b])
        db.session.commit()
        ids = {"a": a.id, "b": b.id, **users}
    yield ids
    with app.app_context():
        db.session.execute(delete(m.Notification).where(mine))
        db.session.commit()


def read_at(app, pk: int) -> dt.datetime | None:
    with app.app_context():
        return db.session.get(m.Notification, pk).read_at


UNREAD_BADGE = re.compile(r'kl-unread-count">\s*(\d+)\s*<')


def test_staff_see_only_their_own_notifications(client, auth, notes):
    auth.login("staff_a")
    page = text(client.get("/notifications/"))
    assert "<strong>请报送任务A进展</strong>" in page
    assert "请报送任务B进展" not in page
    assert UNREAD_BADGE.findall(page) == ["1"]
    assert UNREAD_BADGE.findall(text(client.get("/taskview/list/"))) == ["1"]


def test_mark_read_marks_ones_own_only(app, client, auth, notes):
    auth.login("staff_a")
    token = csrf_token(client, "/notifications/")
    response = client.post(f"/notifications/{notes['a']}/read", data={"csrf_token": token})
    assert response.status_code == 302
    assert read_at(app, notes["a"]) is not None
    page = text(client.get("/notifications/"))
    assert "<strong>请报送任务A进展</strong>" not in page and "请报送任务A进展" in page
    assert UNREAD_BADGE.findall(page) == []
    response = client.post(f"/notifications/{notes['b']}/read", data={"csrf_token": token})
    assert response.status_code == 404
    assert read_at(app, notes["b"]) is None
    assert client.post(f"/notifications/{notes['a']}/read").status_code == 400  # no token


def test_mark_all_read_leaves_others_alone(app, client, auth, notes):
    with app.app_context():
        db.session.add(m.Notification(user_id=notes["staff_a"], message="第二条",
                                      created_at=dt.datetime(2026, 11, 3)))
        db.session.commit()
    auth.login("staff_a")
    assert UNREAD_BADGE.findall(text(client.get("/notifications/"))) == ["2"]
    token = csrf_token(client, "/notifications/")
    response = client.post("/notifications/read-all", data={"csrf_token": token})
    assert response.status_code == 302
    page = text(client.get("/notifications/"))
    assert "已将 2 条提醒标为已读" in page and UNREAD_BADGE.findall(page) == []
    assert read_at(app, notes["a"]) is not None and read_at(app, notes["b"]) is None


def test_leader_reads_notifications_but_marks_nothing(app, client, auth, notes):
    with app.app_context():
        note = m.Notification(user_id=notes["leader"], message="县长提醒",
                              created_at=dt.datetime(2026, 11, 3))
        db.session.add(note)
        db.session.commit()
        pk = note.id
    auth.login("leader")
    page = text(client.get("/notifications/"))
    assert "县长提醒" in page and UNREAD_BADGE.findall(page) == ["1"]
    token = csrf_token(client, "/notifications/")
    assert client.post(f"/notifications/{pk}/read", data={"csrf_token": token}).status_code == 403
    assert read_at(app, pk) is None


def test_unread_count_is_one_statement_per_page(app, client, auth, notes):
    auth.login("staff_a")
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    client.get("/taskview/list/")
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/taskview/list/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len([s for s in statements if "FROM notification" in s]) == 1


# --- the embedded scheduler --------------------------------------------------------------


@pytest.fixture
def fake_jobs(app, monkeypatch):
    """Every job replaced by one that notes its call, so the world stays as it is."""
    calls: list[tuple[str, dt.date]] = []
    for name, (_function, kind) in list(jobs.JOBS.items()):
        def fake(day: dt.date, name: str = name, requested_by: int | None = None) -> dict:
            calls.append((name, day))  # build_circular also takes who asked (its 签发人)
            return {"rows": 1}

        monkeypatch.setitem(jobs.JOBS, name, (fake, kind))
    yield calls
    with app.app_context():
        db.session.execute(delete(m.JobRun).where(m.JobRun.schedule_key.is_not(None)))
        db.session.commit()


SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_first_tick_runs_the_days_jobs_and_the_second_queues_nothing(app, fake_jobs):
    now = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    with app.app_context():
        first = timetable.tick(now)
        assert len(first) == 5
        done = db.session.scalars(select(m.JobRun).where(m.JobRun.id.in_(first))).all()
        assert {run.status for run in done} == {"finished"}
        assert {run.schedule_key for run in done} == {
            "refresh_status:2026-11-02", "send_reminders:2026-11-02", "escalate:2026-11-02",
            "build_compliance:2026-11-02", "build_compliance:previous:2026-11-02"}
        assert timetable.tick(now.replace(hour=9, minute=5)) == []
    assert sorted(fake_jobs) == [("build_compliance", dt.date(2026, 10, 1)),
                                 ("build_compliance", dt.date(2026, 11, 1)),
                                 ("escalate", dt.date(2026, 11, 2)),
                                 ("refresh_status", dt.date(2026, 11, 2)),
                                 ("send_reminders", dt.date(2026, 11, 2))]


def test_first_of_the_month_also_closes_last_month(app, fake_jobs):
    with app.app_context():
        assert timetable.tick(dt.datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI)) == []
        assert len(timetable.tick(dt.datetime(2026, 12, 1, 1, 5, tzinfo=SHANGHAI))) == 6
    assert ("build_circular", dt.date(2026, 11, 1)) in fake_jobs
    assert ("build_compliance", dt.date(2026, 11, 1)) in fake_jobs


class FakeThread:
    def is_alive(self) -> bool:
        return True


def serving_app(**config: object) -> Flask:
    """A bare app with the scheduler's start hook, for the start rules alone."""
    flask_app = Flask("scheduler-test")
    flask_app.config.update({"TESTING": False, "SCHEDULER": True, "REDIS_URL": None} | config)
    flask_app.add_url_rule("/", "index", lambda: "ok")
    embedded.init_app(flask_app)
    return flask_app


def test_scheduler_starts_once_on_the_first_request(monkeypatch):
    started: list[Flask] = []

    def start(flask_app: Flask) -> FakeThread:
        started.append(flask_app)
        return FakeThread()

    monkeypatch.setattr(timetable, "start_embedded", start)
    flask_app = serving_app()
    assert started == []  # building the app (as every `flask` command does) starts nothing
    threads = [threading.Thread(target=flask_app.test_client().get, args=("/",))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert flask_app.test_client().get("/").status_code == 200
    assert started == [flask_app]


@pytest.mark.parametrize("config", [
    {"TESTING": True}, {"REDIS_URL": CLOSED_PORT}, {"SCHEDULER": False},
])
def test_scheduler_stays_off_under_test_with_redis_or_when_disabled(monkeypatch, config):
    started: list[Flask] = []
    monkeypatch.setattr(timetable, "start_embedded", started.append)
    assert serving_app(**config).test_client().get("/").status_code == 200
    assert started == []


def test_the_test_app_runs_no_scheduler(app):
    assert not embedded.wanted(app)
    assert embedded.KEY not in app.extensions
