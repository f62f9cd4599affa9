"""The benchmark's HTTP client, a process of its own: logs in, requests each page N times.

    python bench/client.py BASE_URL PLAN_JSON   (prints the results as JSON)

PLAN_JSON: {"requests": N, "warmup": W, "budget_s": S, "logins": {user: password},
            "pages": [{"name": ..., "path": ..., "user": ...}, ...]}
One keep-alive connection per login; requests go one after another, so each latency is
one request's time through gunicorn, from sending it to the last byte of the body.
"""

from __future__ import annotations

import http.client
import json
import re
import statistics
import sys
import time
from urllib.parse import urlencode, urlsplit

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class Session:
    """A logged-in browser: one connection, the session cookie."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None
                ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Accept-Language": "zh"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):  # idle keep-alive closed
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def login(self, username: str, password: str) -> None:
        status, _, page = self.request("GET", "/login/")
        match = TOKEN.search(page.decode())
        if status != 200 or not match:
            raise SystemExit(f"no login form at /login/ ({status})")
        form = {"username": username, "password": password,
                "csrf_token": match.group(1) or match.group(2)}
        status, headers, _ = self.request("POST", "/login/", urlencode(form))
        if status != 302 or "/login" in headers.get("location", ""):
            raise SystemExit(f"login of {username} failed ({status})")


def measure(session: Session, path: str, count: int, warmup: int, budget: float) -> dict:
    """Latencies (ms), status codes, statement counts and sizes of `count` requests; a page
    still running after `budget` seconds stops there (it misses any target by far)."""
    stop = time.monotonic() + budget
    for _ in range(warmup):
        session.request("GET", path)
        if time.monotonic() > stop:
            break
    latencies, statuses, statements, sizes = [], set(), set(), set()
    for _ in range(count):
        if latencies and time.monotonic() > stop + budget:
            break
        started = time.perf_counter()
        status, headers, body = session.request("GET", path)
        latencies.append(1000 * (time.perf_counter() - started))
        statuses.add(status)
        statements.add(int(headers.get("x-sql-count", -1)))
        sizes.add(len(body))
    latencies.sort()
    count = len(latencies)
    return {"requests": count, "median_ms": statistics.median(latencies),
            "p95_ms": latencies[max(0, round(0.95 * count) - 1)], "max_ms": latencies[-1],
            "statuses": sorted(statuses), "statements": sorted(statements),
            "bytes": max(sizes)}


def main() -> None:
    base, plan = sys.argv[1], json.loads(sys.argv[2])
    sessions: dict[str, Session] = {}
    for user, password in plan["logins"].items():
        sessions[user] = Session(base)
        sessions[user].login(user, password)
    results = []
    for page in plan["pages"]:
        result = measure(sessions[page["user"]], page["path"], plan["requests"], plan["warmup"],
                         plan.get("budget_s", 300))
        results.append({"name": page["name"], "path": page["path"], "user": page["user"]}
                       | result)
        print(f"  {page['name']:<28} median {result['median_ms']:7.1f} ms  p95 "
              f"{result['p95_ms']:7.1f} ms  statements {result['statements']}  "
              f"status {result['statuses']}", file=sys.stderr, flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
