"""Pages under 16 connections at once (issue 19, item 5): wrk against a real gunicorn.

For 1 and 2 gunicorn workers (`--threads 4` each, as `make demo` runs it) the page plan's
pages are each loaded by `wrk -t2 -c16 -d30s` (Debian's wrk, a C client in its own process:
the client is not what is measured) with a logged-in user's session cookie, after a warm-up
of 20 requests. Per page: requests per second, p50 / p95 / p99 latency (bench/wrk_report.lua),
and every answer must be 200. After each gunicorn's pages, the RSS of its web workers.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from bench import client, pages
from bench.workers import children

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS, SECONDS, WARMUP = 16, 30, 20


def rss_kib(pid: int) -> int | None:
    """Resident memory of a process (KiB), from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _wrk(url: str, cookie: str, seconds: int) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s",
               "-s", str(ROOT / "bench" / "wrk_report.lua"),
               "-H", f"Cookie: {cookie}", "-H", "Accept-Language: zh", url]
    output = subprocess.run(command, stdout=subprocess.PIPE, check=True, text=True).stdout
    report = json.loads(output.strip().splitlines()[-1])
    seconds_run = report["duration_us"] / 1e6
    return {"requests": report["requests"], "req_per_s": report["requests"] / seconds_run,
            "p50_ms": report["p50_us"] / 1000, "p95_ms": report["p95_us"] / 1000,
            "p99_ms": report["p99_us"] / 1000, "max_ms": report["max_us"] / 1000,
            "errors": report["socket_errors"], "not_200": report["not_200"]}


def measure(env: dict[str, str], plan: dict, logs: Path, counts: tuple[int, ...] = (1, 2),
            seconds: int = SECONDS) -> dict:
    """For each number of gunicorn workers: every page's figures and the workers' RSS."""
    if shutil.which("wrk") is None:
        raise SystemExit("bench/concurrency.py needs wrk: apt-get install wrk")
    result: dict = {"connections": CONNECTIONS, "seconds": seconds, "threads_per_worker":
                    pages.THREADS, "runs": []}
    for count in counts:
        process, port = pages.start_gunicorn(env, logs / f"gunicorn-{count}.log", count)
        base = f"http://127.0.0.1:{port}"
        try:
            sessions = {}
            for user, password in plan["logins"].items():
                sessions[user] = client.Session(base)
                sessions[user].login(user, password)
            run: dict = {"workers": count, "pages": []}
            for page in plan["pages"]:
                session = sessions[page["user"]]
                for _ in range(WARMUP):
                    status, _headers, _body = session.request("GET", page["path"])
                    if status != 200:
                        raise SystemExit(f"{page['path']} answered {status}")
                cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
                figures = _wrk(base + page["path"], cookie, seconds)
                run["pages"].append({"name": page["name"], "path": page["path"]} | figures)
                print(f"  {count} worker(s) {page['name']:<24} {figures['req_per_s']:6.1f} req/s"
                      f"  p50 {figures['p50_ms']:6.1f}  p95 {figures['p95_ms']:6.1f}  p99 "
                      f"{figures['p99_ms']:6.1f} ms  not 200: {figures['not_200']}",
                      file=sys.stderr, flush=True)
            run["web_worker_rss_kib"] = [rss_kib(pid) for pid in children(process.pid)]
            result["runs"].append(run)
        finally:
            pages.stop(process)
    return result
