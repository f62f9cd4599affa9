"""Without REDIS_URL (the embedded default) a queued job runs at once, in-process, and
its run is recorded as it is with Redis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, update

from app import jobs
from app import models as m
from app.extensions import db


@pytest.fixture
def statuses_kept(app) -> Iterator[None]:
    """refresh_status rewrites every row's status: put the shared world's back afterwards."""
    with app.app_context():
        tasks = [{"id": i, "status": s, "overdue_days": d} for i, s, d in db.session.execute(
            select(m.Task.id, m.Task.status, m.Task.overdue_days))]
        projects = [{"id": i, "status_color": c} for i, c in db.session.execute(
            select(m.Project.id, m.Project.status_color))]
        db.session.rollback()
    yield
    with app.app_context():
        for model, rows in ((m.Task, tasks), (m.Project, projects)):
            if rows:
                db.session.execute(update(model), rows)
        db.session.commit()


def test_without_redis_a_job_runs_inline_and_is_recorded(app, statuses_kept, job_runs) -> None:
    with app.app_context():
        assert not app.config.get("REDIS_URL")
        assert jobs.queue().is_async is False
        run = jobs.enqueue("refresh_status", jobs.parse_args("refresh_status", None))
        db.session.expire_all()
        run = db.session.get(m.JobRun, run.id)
        tasks = db.session.scalar(select(func.count()).select_from(m.Task))
        projects = db.session.scalar(select(func.count()).select_from(m.Project))
        assert (run.status, run.error) == ("finished", None)
        assert run.counts == {"tasks": tasks, "projects": projects}
        assert run.queued_at <= run.started_at <= run.finished_at and run.duration >= 0


def test_without_redis_a_failing_job_is_recorded_failed(app, job_runs, monkeypatch) -> None:
    def broken(as_of: dt.date) -> dict:
        raise RuntimeError(f"no data for {as_of}")

    monkeypatch.setitem(jobs.JOBS, "refresh_status", (broken, "as_of"))
    with app.app_context():
        run = jobs.enqueue("refresh_status", {"as_of": "2026-05-20"})
        db.session.expire_all()
        run = db.session.get(m.JobRun, run.id)
        assert run.status == "failed" and run.counts is None
        assert "RuntimeError: no data for 2026-05-20" in run.error
