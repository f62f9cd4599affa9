"""The job runner: a registry of jobs, their run records, and the queue they go to."""


from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable

from flask import current_app, has_app_context
from rq import Callback, Queue
from sqlalchemy.exc import IntegrityError

from app import models as m
from app.domain import access, clock
from app.extensions import db
from app.jobs import (
    build_circular,
    build_compliance,
    escalate,
    refresh_status,
    send_deliveries,
    send_reminders,
)

logger = logging.getLogger(__name__)
QUEUE = "keyledger"
# RQ calls it wherever a job ends failed without our code seeing it (a job abandoned by a
# dead worker, found by another worker's clean-up): named, as the worker module builds the app
FAILED_CALLBACK = "app.jobs.worker.run_failed"

# job name -> (function, the argument it takes: "as_of" (a day) or "period" (a month))
JOBS: dict[str, tuple[Callable[..., dict], str]] = {
    "refresh_status": (refresh_status.run, "as_of"),
    "send_reminders": (send_reminders.run, "as_of"),
    "escalate": (escalate.run, "as_of"),
    "build_compliance": (build_compliance.run, "period"),
    "build_circular": (build_circular.run, "period"),
    "send_deliveries": (send_deliveries.run, "as_of"),
}
# the jobs that record who asked for them (the 签发人 of a circular): they take requested_by
BY_REQUEST = frozenset({"build_circular"})


class QueueUnavailable(Exception):
    """Redis cannot be reached: nothing was queued."""


def parse_args(job: str, value: str | dt.date | None) -> dict[str, str]:
    """The job's argument, checked: a day YYYY-MM-DD or a month YYYY-MM; today by default."""
    if job not in JOBS:
        raise ValueError(f"unknown job {job!r}")
    kind = JOBS[job][1]
    if value is None or value == "":
        day = clock.today()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = value if kind == "as_of" or len(value) > 7 else f"{value}-01"
        day = dt.date.fromisoformat(text)
    return {kind: (day.replace(day=1) if kind == "period" else day).isoformat()}


def connection():
    """Redis for REDIS_URL, else the process's one shared fakeredis."""
    url = current_app.config.get("REDIS_URL")
    if url:
        from redis import Redis

        return Redis.from_url(url, socket_connect_timeout=3)
    return _fake_redis()


_FAKE = None


def _fake_redis():
    global _FAKE
    if _FAKE is None:
        import fakeredis

        _FAKE = fakeredis.FakeStrictRedis(server=fakeredis.FakeServer())
    return _FAKE


def queue() -> Queue:
    embedded = not current_app.config.get("REDIS_URL")
    return Queue(QUEUE, connection=connection(), is_async=not embedded,
                 default_timeout=3600)


def enqueue(job: str, args: dict[str, str], requested_by: int | None = None,
            schedule_key: str | None = None) -> m.JobRun | None:
    """Record a run and queue it; None when `schedule_key` was claimed already."""
    run = m.JobRun(job=job, args=args, status="queued", queued_at=_now(),
                   requested_by_fk=requested_by, schedule_key=schedule_key)
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    try:
        queue().enqueue(execute, run.id, job_id=f"keyledger-run-{run.id}",
                        on_failure=Callback(FAILED_CALLBACK))
    except Exception as error:  # redis.ConnectionError and kin: nothing queued
        _finish(run.id, "failed", error="queue unavailable: " + str(error))
        raise QueueUnavailable(str(error)) from error
    db.session.refresh(run)
    return run


def execute(run_id: int) -> dict:
    """The RQ job: run one recorded job in an app context and record how it went."""
    if not has_app_context():  # a plain `rq worker`: use the worker class, which has the app
        raise RuntimeError("run jobs with `rq worker -w app.jobs.worker.KeyLedgerSimpleWorker`")
    return _execute(run_id)


def _execute(run_id: int) -> dict:
    run = db.session.get(m.JobRun, run_id)
    if run is None:  # queued against another database (a worker on the wrong DATABASE_URL)
        logger.error("job run %s is not in this worker's database: nothing run", run_id)
        return {}
    run.status, run.started_at = "started", _now()
    db.session.commit()
    function, kind = JOBS[run.job]
    started = time.monotonic()
    try:
        with access.acting_as(f"job:{run.job}"):  # the job is the actor of its changes
            extra = {"requested_by": run.requested_by_fk} if run.job in BY_REQUEST else {}
            counts = function(dt.date.fromisoformat(run.args[kind]), **extra)
    except Exception:
        db.session.rollback()
        _finish(run_id, "failed", duration=time.monotonic() - started,
                error=traceback.format_exc(limit=5))
        raise
    _finish(run_id, "finished", duration=time.monotonic() - started, counts=counts)
    return counts


def abandon(run_id: int, error: str) -> None:
    """A run whose process died before it could record how it went: failed, with why."""
    run = db.session.get(m.JobRun, run_id)
    if run is not None and run.status in ("queued", "started"):
        _finish(run_id, "failed", error=error)


def _finish(run_id: int, state: str, duration: float | None = None,
            counts: dict | None = None, error: str | None = None) -> None:
    """Record how a run ended. A run that did not succeed gives its schedule claim back,
    whatever ended it (an error, a killed work-horse, a lost queue), so the next tick
    queues the day's run again (issue 14)."""
    run = db.session.get(m.JobRun, run_id)
    run.status, run.finished_at, run.duration = state, _now(), duration
    run.counts, run.error = counts, error
    if state != "finished" and run.schedule_key is not None:
        run.error = f"{error or ''}\n(schedule claim {run.schedule_key} given back)".lstrip()
        run.schedule_key = None
    db.session.commit()


def _now() -> dt.datetime:
    return clock.utcnow()
