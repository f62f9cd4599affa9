"""Fixtures only (helpers are in tests/support/): one app per session on a fresh database, a
small two-department world, logins, and cleanup of the rows a module or a job added."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

os.environ.setdefault("KEYLEDGER_INSTANCE", tempfile.mkdtemp(prefix="keyledger-test-"))

from config import Config
from tests.support import services
from tests.support.web import Auth
from tests.support.world import PASSWORD, build_world


@pytest.fixture(scope="session")
def app():
    url, cleanup = services.fresh_database("test")

    class TestConfig(Config):
        TESTING = True
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = None

    from app import create_app
    from app.cli import sync_permissions
    from app.extensions import db

    application = create_app(TestConfig)
    with application.app_context():
        from flask_migrate import upgrade

        upgrade(directory=application.extensions["migrate"].directory)
        sync_permissions()
        application.config["WORLD"] = build_world()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    cleanup()


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replace pytest-flask's: with an app context pushed for the whole test, Flask would
    share one `g` (and the logged-in user cached in it) between the client's requests."""
    yield


@pytest.fixture(scope="session")
def world(app):
    return app.config["WORLD"]


@pytest.fixture
def db_session(app):
    from app.extensions import db

    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def api_token(client):
    """A JWT for a user, as a REST client gets one."""

    def token(username: str, password: str = PASSWORD) -> dict[str, str]:
        response = client.post(
            "/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return {"Authorization": f"Bearer {response.json['access_token']}"}

    return token


@pytest.fixture(scope="module")
def leaves_no_rows(app):
    """Delete, after the module, every ledger row its tests added (fuzzers add rows that
    tie the world's meetings and projects across departments, which later tests assume
    apart). Security tables, sessions and the audit log are left as they are."""
    from app.extensions import db

    def kept(table) -> bool:  # job_lock, notice_counter: locks and counters, not the ledger's
        return table.name.startswith("ab_") or table.name in (
            "audit_log", "web_session", "login_generation", "login_log", "job_lock",
            "notice_counter", "role_scope")

    with app.app_context():
        tables = [t for t in db.metadata.sorted_tables if not kept(t)]
        before = {t.name: db.session.scalar(db.select(db.func.max(t.c.id))) or 0
                  for t in tables if "id" in t.c}
    yield
    with app.app_context():
        for table in reversed(tables):
            if "id" in table.c:
                db.session.execute(table.delete().where(table.c.id > before[table.name]))
                continue
            for column in table.c:  # a link table: links to a new row go with it
                (fk,) = column.foreign_keys
                target = fk.column.table.name
                if target in before:
                    db.session.execute(table.delete().where(column > before[target]))
        db.session.commit()


@pytest.fixture
def job_runs(app) -> Iterator[None]:
    """Delete the job runs a test recorded, so other tests see the table as it was."""
    from sqlalchemy import delete, func, select

    from app import models as m
    from app.extensions import db

    with app.app_context():
        last = db.session.scalar(select(func.max(m.JobRun.id))) or 0
        db.session.rollback()
    yield
    with app.app_context():
        db.session.execute(delete(m.JobRun).where(m.JobRun.id > last))
        db.session.commit()
