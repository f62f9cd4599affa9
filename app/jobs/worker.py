"""`rq worker -w app.jobs.worker.KeyLedgerWorker keyledger`: builds the app once per worker
process; each forked work-horse gets fresh database connections."""

from __future__ import annotations

import os

from rq import Worker

from . import worker_app


def _dispose_pool_in_child() -> None:
    """SQLAlchemy's recipe: a forked child must not reuse the parent's connections."""
    from ..extensions import db

    app = worker_app()
    with app.app_context():
        db.engine.dispose(close=False)


class KeyLedgerWorker(Worker):
    """An RQ worker whose jobs share one app built before forking."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        worker_app()
        os.register_at_fork(after_in_child=_dispose_pool_in_child)
        super().__init__(*args, **kwargs)
