"""Page latencies through a real gunicorn, measured by bench/client.py in its own process."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKERS, THREADS = 2, 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/login/")
        return connection.getresponse().status == 200
    except OSError:
        return False


def start_gunicorn(env: dict[str, str], log: Path, workers: int = WORKERS
                   ) -> tuple[subprocess.Popen, int]:
    """`gunicorn -w 2 --threads 4` on a free port, serving bench/wsgi.py; ready to answer."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(THREADS),
               "-b", f"127.0.0.1:{port}", "--timeout", "300", "bench.wsgi:create_app()"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while not _answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise SystemExit(f"gunicorn did not start; see {log}")
        time.sleep(0.3)
    return process, port


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to gunicorn's process group (master and workers); SIGKILL if it lingers."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def measure(env: dict[str, str], plan: dict, log: Path) -> list[dict]:
    """Start gunicorn, run the client on the plan, stop gunicorn; the client's results."""
    process, port = start_gunicorn(env, log)
    try:
        client = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "client.py"), f"http://127.0.0.1:{port}",
             json.dumps(plan)], cwd=ROOT, env=env, stdout=subprocess.PIPE, check=True)
    finally:
        stop(process)
    return json.loads(client.stdout)
