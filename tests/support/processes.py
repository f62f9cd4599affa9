"""Processes the job and fault tests start: `rq worker` and `rq` commands on the test
database, polling until they did something, free loopback ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition: Callable[[], object], timeout: float = 60,
             what: str | Callable[[], str] = "condition", every: float = 0.05) -> object:
    """Poll until `condition()` is truthy; its value. Fails the test after `timeout` s
    (`what` says what for; a callable is called then, to show the latest logs)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for "
                        f"{what() if callable(what) else what}")
        time.sleep(every)


def free_port() -> int:
    """A TCP port of the loopback nobody listens on (until someone does)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def python_path() -> str:
    """PYTHONPATH of a child process: the repository first, then what this process had
    (tests/support/on_date.sh puts its sitecustomize there)."""
    return os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)


def process_env(database_url: str, redis_url: str, instance: Path) -> dict[str, str]:
    """The environment of a worker or cron process on the test database and Redis.

    On PostgreSQL its sessions check every 0.1 s that their client is still there, so a
    killed work-horse's transaction is rolled back at once, even in a long statement."""
    if database_url.startswith("postgresql"):
        check = quote("-c client_connection_check_interval=100")
        database_url += ("&" if "?" in database_url else "?") + f"options={check}"
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url,
               KEYLEDGER_INSTANCE=str(instance), PYTHONPATH=python_path())
    env.pop("FAB_UPDATE_PERMS", None)
    return env


def rq_command(*args: str) -> list[str]:
    """The `rq` command of this interpreter's environment."""
    script = Path(sys.executable).with_name("rq")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "rq.cli", *args]


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A process of its own session (its group can be killed), its output into `log`."""
    with log.open("wb") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output,
                                stderr=subprocess.STDOUT, start_new_session=True)


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a worker's work-horse)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


SIMPLE = "app.jobs.worker.KeyLedgerSimpleWorker"  # the README's worker
FORKING = "app.jobs.worker.KeyLedgerWorker"  # a work-horse forked per job


class Workers:
    """`rq worker -w <worker class> keyledger` processes, and their logs."""

    def __init__(self, env: dict[str, str], logs: Path, worker_class: str = SIMPLE) -> None:
        self.env, self.logs, self.worker_class = env, logs, worker_class
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str) -> subprocess.Popen:
        command = rq_command("worker", "-w", self.worker_class, "--url",
                             self.env["REDIS_URL"], "-n", name, "keyledger")
        self.processes[name] = spawn(command, self.env, self.logs / f"{name}.log")
        return self.processes[name]

    def registered(self) -> set[str]:
        import redis
        from rq import Worker

        with redis.Redis.from_url(self.env["REDIS_URL"]) as connection:
            return {w.name for w in Worker.all(connection=connection)}

    def wait_ready(self, timeout: float = 120) -> None:
        wait_for(lambda: set(self.processes) <= self.registered(), timeout,
                 lambda: f"workers to register; logs:\n{self.log_text()}", every=0.2)

    def horse(self, name: str) -> int | None:
        """The pid of the work-horse the worker forked for its current job, if any."""
        found = children(self.processes[name].pid)
        return found[0] if found else None

    def log_text(self) -> str:
        return "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-3000:]
                         for p in sorted(self.logs.glob("*.log")))

    def stop(self) -> None:
        """Stop every worker: its horse first (a group of its own), then the worker."""
        for process in self.processes.values():
            for pid in children(process.pid):
                _kill_group(pid)
            _kill_group(process.pid)
            process.wait(timeout=30)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
