"""The year's twelve build_compliance jobs on 1, 2, 4 real `rq worker` processes.

Workers are started as tests/support/processes.py starts them
(`rq worker -w app.jobs.worker.KeyLedgerSimpleWorker keyledger`, the README's; `start` takes
another class), registered before the clock starts; the twelve runs are queued with
app.jobs.enqueue, and the wall time runs from the first enqueue to the last run recorded
finished. Three rounds interleave 1, 2 and 4 workers; each line is its median.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from app import models as m
from app.extensions import db

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = "redis://127.0.0.1:6379/9"  # the benchmark's own Redis database
LOCK = "keyledger-bench:lock"


def _rq(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("rq")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "rq.cli", *args]


def start(count: int, env: dict[str, str], logs: Path,
          worker_class: str = "app.jobs.worker.KeyLedgerWorker") -> list[subprocess.Popen]:
    """`count` rq workers of `worker_class`, registered in Redis before this returns."""
    import redis
    from rq import Worker

    names = [f"bench-{count}-{i}-{os.getpid()}" for i in range(count)]
    processes = []
    for name in names:
        with (logs / f"{name}.log").open("wb") as log:
            processes.append(subprocess.Popen(
                _rq("worker", "-w", worker_class, "--url", REDIS_URL,
                    "-n", name, "keyledger"), cwd=ROOT, env=env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True))
    deadline = time.monotonic() + 120
    with redis.Redis.from_url(REDIS_URL) as connection:
        while not set(names) <= {w.name for w in Worker.all(connection=connection)}:
            if time.monotonic() > deadline:
                stop(processes)
                raise SystemExit(f"rq workers did not register; see {logs}")
            time.sleep(0.2)
    return processes


def stop(processes: list[subprocess.Popen]) -> None:
    """Warm shutdown (SIGTERM to each worker's group); all jobs are done by then."""
    for process in processes:
        _signal_group(process.pid, signal.SIGTERM)
    for process in processes:
        process.wait(timeout=60)


def _kill(processes: list[subprocess.Popen]) -> None:
    """SIGKILL each worker's group, work-horse included (a run past the budget)."""
    for process in processes:
        for pid in children(process.pid):
            _signal_group(pid, signal.SIGKILL)
        _signal_group(process.pid, signal.SIGKILL)
        process.wait(timeout=60)


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _signal_group(pid: int, number: int) -> None:
    try:
        os.killpg(pid, number)
    except ProcessLookupError:
        pass


def _rebuild_year(app, year: int, budget: float) -> float:
    """Queue the twelve months and wait for their runs; the wall time (s)."""
    from app.jobs import enqueue

    app.config["REDIS_URL"] = REDIS_URL
    try:
        started = time.perf_counter()
        ids = [enqueue("build_compliance", {"period": dt.date(year, month, 1).isoformat()}).id
               for month in range(1, 13)]
        while True:
            states = list(db.session.scalars(select(m.JobRun.status).where(
                m.JobRun.id.in_(ids))))
            db.session.rollback()
            if all(state in ("finished", "failed") for state in states):
                break
            if time.perf_counter() - started > budget:
                raise TimeoutError(f"the twelve runs took more than {budget:.0f} s")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        app.config["REDIS_URL"] = None
    if "failed" in states:
        raise SystemExit(f"{states.count('failed')} of the twelve runs failed")
    return elapsed


def scaling(app, env: dict[str, str], year: int, logs: Path,
            counts: tuple[int, ...] = (1, 2, 4), budget: float = 900,
            worker_class: str = "app.jobs.worker.KeyLedgerSimpleWorker") -> list[dict]:
    """Wall time of the year's rebuild on each number of workers (the median of three
    interleaved rounds), and the speed-up."""
    import redis

    env = dict(env, REDIS_URL=REDIS_URL)
    with redis.Redis.from_url(REDIS_URL) as connection:  # one benchmark at a time on db 9
        if not connection.set(LOCK, os.getpid(), nx=True, ex=3600):
            raise SystemExit(f"another benchmark (pid {connection.get(LOCK)}) uses {REDIS_URL}")
    try:
        return _scaling(app, env, year, logs, counts, budget, worker_class)
    finally:
        with redis.Redis.from_url(REDIS_URL) as connection:
            connection.flushdb()  # the lock with the rest


def _scaling(app, env: dict[str, str], year: int, logs: Path,
             counts: tuple[int, ...], budget: float, worker_class: str,
             rounds: int = 3) -> list[dict]:
    """`rounds` interleaved rounds over `counts` (1, 2, 4, 1, 2, 4, …); each count's median."""
    import statistics

    import redis

    walls: dict[int, list[float]] = {count: [] for count in counts}
    errors: dict[int, str] = {}
    for _round in range(rounds):
        for count in counts:
            if count in errors:
                continue
            with redis.Redis.from_url(REDIS_URL) as connection:  # all but the lock
                for key in connection.scan_iter("rq:*"):
                    connection.delete(key)
            processes = start(count, env, logs, worker_class)
            try:
                walls[count].append(_rebuild_year(app, year, budget))
            except TimeoutError as error:
                _kill(processes)
                errors[count] = str(error)
                continue
            stop(processes)
    results = []
    for count in counts:
        wall = statistics.median(walls[count]) if walls[count] else None
        results.append({"workers": count, "wall_s": wall, "rounds_s": walls[count],
                        **({"error": errors[count]} if count in errors else {})})
    for row in results:
        row["speedup"] = (results[0]["wall_s"] / row["wall_s"]
                          if row["wall_s"] and results[0]["wall_s"] else None)
    return results
