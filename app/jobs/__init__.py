"""Background jobs on RQ: a registry, the run record, and the queue they go to.

With REDIS_URL set, jobs go to Redis and run in `rq worker` processes; without it (the
embedded default) the same functions run in-process through RQ on a shared fakeredis.
"""

from app.jobs.runner import (
    JOBS,
    QUEUE,
    QueueUnavailable,
    abandon,
    connection,
    enqueue,
    execute,
    parse_args,
    queue,
)

__all__ = ["JOBS", "QUEUE", "QueueUnavailable", "abandon", "connection", "enqueue", "execute",
           "parse_args", "queue"]
