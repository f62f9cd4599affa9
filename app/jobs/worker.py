"""`rq worker -w app.jobs.worker.KeyLedgerWorker keyledger`: builds the app once per worker
process; each forked work-horse gets fresh database connections."""

from __future__ import annotations

import os

from rq import Worker
from rq.job import Job

from . import abandon, execute, worker_app


def _dispose_pool_in_child() -> None:
    """SQLAlchemy's recipe: a forked child must not reuse the parent's connections."""
    from ..extensions import db

    app = worker_app()
    with app.app_context():
        db.engine.dispose(close=False)


class KeyLedgerWorker(Worker):
    """An RQ worker whose jobs share one app built before forking."""

    def __init__(self, *args, **kwargs) -> None:
        worker_app()
        os.register_at_fork(after_in_child=_dispose_pool_in_child)
        super().__init__(*args, **kwargs)

    def handle_work_horse_killed(self, job: Job, retpid: int, ret_val: int,
                                 rusage: object) -> None:
        """A work-horse killed mid-job (SIGKILL, out of memory) cannot record its run: the
        worker records it failed; the job's transaction was rolled back, nothing was kept."""
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        if job.func_name == f"{execute.__module__}.{execute.__name__}" and job.args:
            with worker_app().app_context():
                abandon(job.args[0], f"work-horse terminated unexpectedly (wait status "
                                     f"{ret_val}); nothing of this run was kept: run it again")
