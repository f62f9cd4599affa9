"""KeyLedger 重点项目台账与督办系统."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from flask_appbuilder import AppBuilder

from app.domain import access_version, audit, locking, task_events, write_guard
from app.extensions import csrf, db, migrate
from config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: type | None = None) -> Flask:
    """Build the portal: database, security, views and APIs, commands."""
    app = Flask(__name__)
    app.config.from_object(config or Config)
    logging.basicConfig(level=app.config.get("LOG_LEVEL", logging.INFO))

    db.init_app(app)
    write_guard.init_app(app)  # the one door: every write checked against role and scope
    audit.init_app(app)  # the audit trail (留痕): every flush records its changes
    locking.init_app(app)  # no lost updates: edited rows are claimed by their version
    task_events.init_app()  # issue 16: who must act hears of a task assigned, returned, decided
    access_version.install()  # every change of who may do what moves the access version on
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)

    with app.app_context():
        appbuilder = AppBuilder(update_perms=app.config["FAB_UPDATE_PERMS"])
        appbuilder.init_app(app, db.session)
        from app import views

        views.register(appbuilder)
        for blueprint_name, blueprint in app.blueprints.items():
            if blueprint_name.endswith("Api") or blueprint_name in API_BLUEPRINTS:
                csrf.exempt(blueprint)

    from app import cli
    from app.files import backup
    from app.jobs import embedded
    from app.web import (
        access,
        accounts,
        errors,
        escalation_badge,
        headers,
        login_tie,
        notifications,
        sessions,
        times,
    )

    access.init_app(app)  # the one door: who acts in a request, for every read and write
    accounts.init_app(app)  # password policy, failed-login limits, session lifetime
    sessions.init_app(app)  # sessions on the server; logout, password changes end them all
    headers.init_app(app)  # CSP with nonces, X-Frame-Options and the other headers
    cli.init_app(app)
    backup.init_app(app)  # `flask backup OUT` / `flask restore IN` (SQLite; PostgreSQL: pg_dump)
    errors.init_app(app)
    times.init_app(app)  # one clock: every time shown in TIMEZONE, to the minute
    notifications.init_app(app)
    escalation_badge.init_app(app)  # the 督办 level badge of every page (issue 16)
    login_tie.init_app(app)  # an untied department login is told why it sees nothing
    embedded.init_app(app)  # embedded mode: the job schedule, from the first request on
    return app


# FAB's own JSON APIs authenticate by JWT, not by session cookie, so CSRF does not apply.
API_BLUEPRINTS = {"SecurityApi", "OpenApi", "MenuApi"}
