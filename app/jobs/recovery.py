"""Runs the queue lost: a Redis restarted without persistence forgets its queued jobs, and a
worker that died with its work-horse leaves its job "started". Their runs would stay queued
or started forever, and a scheduled run would keep its claim so the day's job never ran
again. The schedule's tick calls this first: such runs are recorded failed, claims given back.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from sqlalchemy import select

from app import models as m
from app.domain import clock
from app.extensions import db
from app.jobs.runner import _finish, connection

logger = logging.getLogger(__name__)
LOST_AFTER = dt.timedelta(minutes=2)  # a run younger than this may still be on its way
GONE = (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


def recover_lost_runs(grace: dt.timedelta = LOST_AFTER) -> list[int]:
    """Record failed the queued or started runs whose RQ job is gone or dead; their ids.

    Embedded (no REDIS_URL) there is nothing to lose; with Redis down, nothing can be told
    (the runs stay as they are and the next tick looks again)."""
    if not current_app.config.get("REDIS_URL"):
        return []
    cutoff = clock.utcnow() - grace
    runs = db.session.scalars(select(m.JobRun).where(
        m.JobRun.status.in_(("queued", "started")), m.JobRun.queued_at <= cutoff)).all()
    lost = []
    try:
        redis = connection()
        for run in runs:
            why = _why_lost(run, redis)
            if why:  # recorded failed, its claim given back: the next tick queues it
                _finish(run.id, "failed", error=why)
                lost.append(run.id)
    except RedisError as error:
        db.session.rollback()
        logger.warning("lost runs not checked, the queue is unavailable: %s", error)
    if lost:
        logger.warning("runs %s were lost by the queue and are recorded failed", lost)
    return lost


def _why_lost(run: m.JobRun, redis: Redis) -> str | None:
    """Why the queue will never finish this run, or None while it still may."""
    job_id = f"keyledger-run-{run.id}"
    if not Job.exists(job_id, connection=redis):
        return ("lost: the queue no longer has this job (Redis restarted or was flushed); "
                "the job's transaction was kept whole or not at all: run it again")
    status = Job.fetch(job_id, connection=redis).get_status(refresh=False)
    if status in GONE:
        return f"lost: the queue reports the job {status}; run it again"
    return None
