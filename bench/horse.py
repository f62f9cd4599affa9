"""What a job costs beyond its own work, on each worker class (issue 19, item 4).

The same small job (`send_deliveries`: one query, nothing to send) is run `runs` times one
after another, in rounds that interleave the ways of running it:

- `in-process`: the embedded default, `enqueue` with no REDIS_URL (RQ on fakeredis, the job
  run inside `enqueue`);
- `forking`: one `rq worker -w app.jobs.worker.KeyLedgerWorker` (a work-horse forked per job);
- `simple`: one `rq worker -w app.jobs.worker.KeyLedgerSimpleWorker` (jobs in the worker's own
  process, the app and the connection pool warm).

A run's latency is its record's `finished_at - queued_at` (both written by the portal's own
clock, so polling does not enter it); the overhead of a worker class is its median latency
minus the in-process median of the same round.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from pathlib import Path

from app import models as m
from app.extensions import db
from bench import workers
from bench.concurrency import rss_kib

JOB = "send_deliveries"
CLASSES = {"forking": "app.jobs.worker.KeyLedgerWorker",
           "simple": "app.jobs.worker.KeyLedgerSimpleWorker"}


def _latency(run_id: int, budget: float = 60) -> float:
    """Seconds from queued to finished of one run, waiting for it to finish."""
    deadline = time.monotonic() + budget
    while True:
        run = db.session.get(m.JobRun, run_id)
        if run is not None and run.status in ("finished", "failed"):
            queued, finished, status = run.queued_at, run.finished_at, run.status
            db.session.rollback()
            if status == "failed":
                raise SystemExit(f"run {run_id} failed: see the job runs")
            return (finished - queued).total_seconds()
        db.session.rollback()
        if time.monotonic() > deadline:
            raise SystemExit(f"run {run_id} did not finish in {budget:.0f} s")
        time.sleep(0.005)


def _runs(app, redis_url: str | None, count: int, day: dt.date) -> list[float]:
    from app.jobs import enqueue

    app.config["REDIS_URL"] = redis_url
    try:
        return [_latency(enqueue(JOB, {"as_of": day.isoformat()}).id) for _ in range(count)]
    finally:
        app.config["REDIS_URL"] = None


def overhead(app, env: dict[str, str], logs: Path, runs: int = 20, rounds: int = 3) -> dict:
    """Median latency of each way of running the job, and the workers' overhead, per round."""
    import redis

    env = dict(env, REDIS_URL=workers.REDIS_URL)
    with redis.Redis.from_url(workers.REDIS_URL) as connection:
        if not connection.set(workers.LOCK, os.getpid(), nx=True, ex=3600):
            raise SystemExit(f"another benchmark uses {workers.REDIS_URL}")
    day = dt.date.today()
    result: dict = {"job": JOB, "runs": runs, "rounds": []}
    try:
        rss: dict[str, int | None] = {}
        for _round in range(rounds):
            medians = {"in-process": statistics.median(_runs(app, None, runs, day))}
            for name, path in CLASSES.items():
                processes = workers.start(1, env, logs, worker_class=path)
                try:
                    _runs(app, workers.REDIS_URL, 2, day)  # a first job warms what it may
                    medians[name] = statistics.median(_runs(app, workers.REDIS_URL, runs, day))
                    rss[name] = rss_kib(processes[0].pid)
                finally:
                    workers.stop(processes)
            result["rounds"].append({f"{k}_ms": v * 1000 for k, v in medians.items()})
        result["worker_rss_kib"] = rss  # after the last round's jobs
    finally:
        with redis.Redis.from_url(workers.REDIS_URL) as connection:
            connection.flushdb()
    for key in ("in-process_ms", "forking_ms", "simple_ms"):
        result[key] = statistics.median(r[key] for r in result["rounds"])
    for name in CLASSES:
        result[f"{name}_overhead_ms"] = statistics.median(
            r[f"{name}_ms"] - r["in-process_ms"] for r in result["rounds"])
    return result
