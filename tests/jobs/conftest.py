"""Fixtures of the job tests: a dedicated Redis database, the session's database URL and
`rq worker` processes on both (job_runs, which cleans up what jobs wrote, is in
tests/conftest.py: the fault tests use it too)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.support import services
from tests.support.days import config
from tests.support.processes import FORKING, SIMPLE, Workers, free_port, process_env

# the jobs tests' own Redis database, flushed before and after each test; two suites run at
# once on one machine (SQLite and PostgreSQL side by side) each need their own
REDIS_DB = int(os.environ.get("KEYLEDGER_TEST_REDIS_DB", "13"))


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database of its own (skips without Redis; fails in CI), flushed around."""
    import redis

    parts = urlsplit(services.redis_url())
    url = urlunsplit(parts._replace(path=f"/{REDIS_DB}"))
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    yield url
    connection.flushdb()
    connection.close()


@pytest.fixture
def database_url(app) -> str:
    """The session database, which worker processes share (PostgreSQL or the SQLite file)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        services.require_postgres(url)
    return url


@pytest.fixture
def workers(request, app, database_url, redis_url, tmp_path) -> Iterator[Workers]:
    """Two worker processes on the session database and the test Redis: the README's
    KeyLedgerSimpleWorker, or with `@pytest.mark.forking` KeyLedgerWorker (a work-horse
    forked per job, which the test can kill)."""
    forking = request.node.get_closest_marker("forking") is not None
    instance = tmp_path / "instance"
    instance.mkdir()
    pool = Workers(process_env(database_url, redis_url, instance), tmp_path,
                   FORKING if forking else SIMPLE)
    for number in (1, 2):
        pool.start(f"kl-test-{number}-{os.getpid()}")
    try:
        pool.wait_ready()
        yield pool
    finally:
        pool.stop()


# --- real servers on loopback for the reminders: SMTP (aiosmtpd) and a group robot (HTTP)

class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], object]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [message for rcpt, message in self.messages if address in rcpt]


@pytest.fixture
def mailbox() -> Iterator[SimpleNamespace]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SimpleNamespace(inbox=inbox, port=controller.port)
    controller.stop()


class Robot:
    """A group robot on loopback: takes JSON posts, answers errcode 0 as WeCom does."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.port = free_port()
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key=test"

    def start(self) -> None:
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                robot.received.append(json.loads(self.rfile.read(length)))
                answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def about(self, title: str) -> list[dict]:
        return [body for body in self.received if title in body["text"]["content"]]


@pytest.fixture
def robot() -> Iterator[Robot]:
    server = Robot()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def channels(app, mailbox, robot) -> Iterator[None]:
    with config(app, MAIL_SERVER="127.0.0.1", MAIL_PORT=mailbox.port, MAIL_USE_TLS=False,
                MAIL_USERNAME=None, WEBHOOK_URL=robot.url):
        yield
