"""One run of a job and date at a time (issue 14): the run's first statement takes the
`job_lock` row of its job and date and holds it until the job's transaction ends.

`INSERT … ON CONFLICT DO UPDATE` on the row is the lock on both databases: PostgreSQL
makes a second run wait for the first one's commit or rollback (a killed work-horse's
connection ends, and its lock with it), then run on what the first one wrote; SQLite takes
the file's write lock at once, so the second run waits for it (busy_timeout) instead of
reading first and failing on its write. A year's rebuild of twelve months still runs side
by side: each month is a lock of its own.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from app.domain import clock
from app.extensions import db

TAKE = text("INSERT INTO job_lock (name, held_since) VALUES (:name, :now) "
            "ON CONFLICT (name) DO UPDATE SET held_since = excluded.held_since")


def hold(job: str, day: dt.date) -> None:
    """Wait for, then hold until this transaction ends, the lock of `job` on `day`."""
    db.session.execute(TAKE, {"name": f"{job}:{day.isoformat()}", "now": clock.utcnow()})
