"""Browser tests: Debian's Chromium against the portal served on a random loopback port.

The portal gets an app and a database of its own (not the unit tests' session app): a
fresh SQLite file, or a fresh PostgreSQL database when DATABASE_URL says postgresql,
migrated and synced as `flask init` does, with the demo county of `flask seed-demo`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from tests.support import services

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# FIELD-NOTES "Browser tests": Debian's Chromium, headless, in a container. (It draws the
# date and month inputs in en-US whatever --lang, LANG or chromium-l10n say.)
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 768}


def _require_chromium() -> None:
    """Skip without Chromium on a newcomer's machine; fail under CI=true."""
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return
    message = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch options, with Debian's Chromium instead of a download."""
    _require_chromium()
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """A laptop screen, a Chinese browser in China's time zone, downloads allowed."""
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai", "accept_downloads": True}


def _portal(url: str):
    """The portal as `flask init` and `flask seed-demo` leave it, plus last month's reports."""
    from config import Config

    class E2EConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = None  # jobs run in-process, as `make demo` does
        SCHEDULER = False  # no background ticks changing the data under the test
        FAB_UPDATE_PERMS = False

    from flask_migrate import upgrade

    from app import create_app
    from app.cli import sync_permissions
    from app.seed.demo import seed_demo
    from tests.support import story

    application = create_app(E2EConfig)
    with application.app_context():
        upgrade(directory=application.extensions["migrate"].directory)
        sync_permissions()
        seed_demo()
        story.last_month_reports()
    return application


@pytest.fixture(scope="session")
def portal() -> Iterator[SimpleNamespace]:
    """The portal served by werkzeug on 127.0.0.1 and a random port, in a thread."""
    _require_chromium()
    url, cleanup = services.fresh_database("e2e")
    application = _portal(url)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-portal", daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_port}"
    yield SimpleNamespace(app=application, origin=origin, host=f"127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)
    from app.extensions import db

    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    cleanup()


@pytest.fixture(scope="session")
def base_url(portal: SimpleNamespace) -> str:
    """pytest-playwright's base URL: the portal (this also replaces the plugin's own
    fixture, a method that pytest 9 warns about)."""
    return portal.origin


@pytest.fixture(scope="module")
def shared() -> SimpleNamespace:
    """What one journey leaves for the next (the journeys tell one month's story)."""
    return SimpleNamespace()
