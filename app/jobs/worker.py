"""The worker classes of `rq worker -w … keyledger`; an entry point: the only module of
app/jobs/ that builds the app.

- `KeyLedgerSimpleWorker` (the README's): builds the app once and runs every job in its own
  process, with the app, the connection pool, SQLAlchemy's statement cache and the imported
  modules warm across jobs: the per-job overhead is a queue round trip (bench/horse.py).
  A job's time-out stops it by SIGALRM in the same process; a worker killed mid-job (out of
  memory, SIGKILL) is found by another worker's clean-up and its run recorded failed.
- `KeyLedgerWorker`: RQ's forking worker. Each job runs in a forked work-horse, which starts
  with fresh database connections and cold caches; a job that exhausts memory takes only its
  work-horse down, and the worker records the run failed at once.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, has_app_context
from rq import Queue, SimpleWorker, Worker
from rq.job import Job

from app.extensions import db
from app.jobs import timetable
from app.jobs.runner import abandon, execute

_WORKER_APP: Flask | None = None


def worker_app() -> Flask:
    """The app of a worker process, built once (a forked work-horse inherits it)."""
    global _WORKER_APP
    if _WORKER_APP is None:
        from app import create_app

        _WORKER_APP = create_app()
    return _WORKER_APP


def cron_tick() -> list[int]:
    """The function `rq cron` queues every few minutes (see app/jobs/cron.py)."""
    with worker_app().app_context():
        return timetable.tick()


def run_failed(job: Job, connection: Any, kind: type, value: BaseException,
               trace: Any) -> None:
    """RQ's failure callback of every run (app/jobs/runner.py): a run that ended failed
    without recording it (abandoned by a worker that died with its work-horse) is recorded
    failed now, and its schedule claim given back. A no-op for a run already recorded."""
    if not job.args:
        return
    why = f"the queue reports the job failed ({kind.__name__}): run it again"
    if has_app_context():  # embedded: the web process's own app
        abandon(job.args[0], why)
        return
    with worker_app().app_context():
        abandon(job.args[0], why)


def _dispose_pool_in_child() -> None:
    """SQLAlchemy's recipe: a forked child must not reuse the parent's connections."""
    with worker_app().app_context():
        db.engine.dispose(close=False)


class _AppJobs:
    """Each job runs inside the worker's app (its configuration, database and session)."""

    def perform_job(self, job: Job, queue: Queue) -> bool:
        with worker_app().app_context():
            return super().perform_job(job, queue)  # type: ignore[misc]


class KeyLedgerSimpleWorker(_AppJobs, SimpleWorker):
    """An RQ worker that runs its jobs in its own process, the app built once and kept warm."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        worker_app()
        super().__init__(*args, **kwargs)


class KeyLedgerWorker(_AppJobs, Worker):
    """An RQ worker whose jobs run in forked work-horses sharing one app built before."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        worker_app()
        os.register_at_fork(after_in_child=_dispose_pool_in_child)
        super().__init__(*args, **kwargs)

    def handle_work_horse_killed(self, job: Job, retpid: int, ret_val: int,
                                 rusage: Any) -> None:
        """A work-horse killed mid-job (SIGKILL, out of memory) cannot record its run: the
        worker records it failed; the job's transaction was rolled back, nothing was kept."""
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        if job.func_name == f"{execute.__module__}.{execute.__name__}" and job.args:
            with worker_app().app_context():
                abandon(job.args[0], f"work-horse terminated unexpectedly (wait status "
                                     f"{ret_val}); nothing of this run was kept: run it again")
