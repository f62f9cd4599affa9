"""The migrations give exactly the models: autogenerate finds nothing to change."""

from __future__ import annotations

import datetime as dt
import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import SAWarning


def _not_the_expression_index(obj, name, kind, reflected, compare_to) -> bool:
    """PostgreSQL gives back ix_task_open_first's SQL in its own words (status IN (…) as
    = ANY (ARRAY[…])): it is compared by its SQL in the test instead."""
    return not (kind == "index" and name == "ix_task_open_first")


def test_upgraded_database_matches_the_models(app):
    """The session's database was built by `upgrade` from empty (see conftest)."""
    from app.extensions import db

    with app.app_context(), db.engine.connect() as connection, warnings.catch_warnings():
        # autogenerate compares no expression index (SQLAlchemy warns it skips reflecting
        # one): the one there is, ix_task_open_first, is checked by its SQL below
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based",
                                SAWarning)
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression",
                                UserWarning)
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": _not_the_expression_index})
        assert compare_metadata(context, db.metadata) == []
        tables = set(db.inspect(connection).get_table_names())
        if connection.dialect.name == "postgresql":
            made = connection.scalar(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_task_open_first'"))
        else:
            made = connection.scalar(text(
                "SELECT sql FROM sqlite_master WHERE name = 'ix_task_open_first'"))
    assert made is not None and "due_soon" in made and "deadline" in made
    assert {"ab_user", "ab_role", "ab_permission_view_role"} <= tables
    assert set(db.metadata.tables) <= tables


def test_department_tree_migration_keeps_units_at_the_top_and_gives_roles_their_scope():
    """0010 (issue 15): every existing unit stays at the top level; the built-in roles get
    today's behaviour (Admin, Supervisor, Leader 全部数据; DeptStaff 本单位), any other role
    no row (本单位); and it goes down again."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db
    from config import Config
    from tests.support import services

    url, cleanup = services.fresh_database("tree")

    class TreeConfig(Config):
        TESTING = True
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = None

    application = create_app(TreeConfig)
    try:
        with application.app_context():
            folder = application.extensions["migrate"].directory
            upgrade(directory=folder, revision="0009_job_locks")
            with db.engine.begin() as connection:
                for name in ("Admin", "Supervisor", "Leader", "DeptStaff", "乡镇填报员"):
                    connection.execute(text("INSERT INTO ab_role (name) VALUES (:n)"), {"n": name})
                connection.execute(text(
                    "INSERT INTO department (name, kind, active, created_on, changed_on) "
                    "VALUES ('住建局', 'department', :yes, :now, :now)"),
                    {"yes": True, "now": dt.datetime(2026, 12, 1)})
            upgrade(directory=folder, revision="0010_department_tree")
            with db.engine.connect() as connection:
                kinds = dict(connection.execute(text(
                    "SELECT ab_role.name, role_scope.kind FROM role_scope "
                    "JOIN ab_role ON ab_role.id = role_scope.role_id")).all())
                parents = connection.execute(text("SELECT parent_id FROM department")).all()
            assert kinds == {"Admin": "all", "Supervisor": "all", "Leader": "all",
                             "DeptStaff": "own"}
            assert parents == [(None,)]
            downgrade(directory=folder, revision="0009_job_locks")
            with db.engine.connect() as connection:
                assert "role_scope" not in db.inspect(connection).get_table_names()
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()


def test_escalation_migration_numbers_existing_notices_per_year_in_id_order():
    """0015 (issue 16): the 督办单 issued before it get 督办〔YEAR〕N号 per year in id order
    (other supervisions none), the year's counter goes on after them; and it goes down."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db
    from config import Config
    from tests.support import services

    url, cleanup = services.fresh_database("notices")

    class NoticeConfig(Config):
        TESTING = True
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = None

    application = create_app(NoticeConfig)
    now = dt.datetime(2026, 12, 1)
    try:
        with application.app_context():
            folder = application.extensions["migrate"].directory
            upgrade(directory=folder, revision="0014_circular_number")
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO department (id, name, kind, active, created_on, changed_on) "
                    "VALUES (1, '住建局', 'department', :yes, :now, :now)"),
                    {"yes": True, "now": now})
                connection.execute(text(
                    "INSERT INTO task (id, title, department_id, assigned_on, deadline, "
                    "original_deadline, cancelled, status, overdue_days, version, created_on, "
                    "changed_on) VALUES (1, '任务', 1, :d, :d, :d, :no, 'pending', 0, 1, :now, "
                    ":now)"), {"d": dt.date(2025, 1, 2), "no": False, "now": now})
                for pk, day, channel in [(5, dt.date(2026, 3, 1), "notice"),
                                         (6, dt.date(2025, 12, 30), "notice"),
                                         (7, dt.date(2026, 1, 9), "email"),
                                         (9, dt.date(2026, 1, 5), "notice")]:
                    connection.execute(text(
                        "INSERT INTO supervision (id, task_id, sent_on, channel, kind, message, "
                        "created_on, changed_on) VALUES (:id, 1, :day, :channel, 'manual', "
                        "'请办理', :now, :now)"), {"id": pk, "day": day, "channel": channel,
                                                   "now": now})
                connection.execute(text(
                    "INSERT INTO ab_user (id, first_name, last_name, username, active, email) "
                    "VALUES (1, '建', '国', 'u1', :yes, 'u1@example.gov.cn')"), {"yes": True})
                connection.execute(text(
                    "INSERT INTO notification (user_id, supervision_id, created_at, message) "
                    "VALUES (1, 5, :now, '请办理')"), {"now": now})
            upgrade(directory=folder, revision="0015_escalation")
            with db.engine.connect() as connection:
                kept = connection.execute(text("SELECT count(*) FROM notification")).scalar()
                numbers = connection.execute(text(
                    "SELECT id, doc_year, doc_seq FROM supervision ORDER BY id")).all()
                counters = connection.execute(text(
                    "SELECT year, last FROM notice_counter ORDER BY year")).all()
            assert [tuple(r) for r in numbers] == [(5, 2026, 1), (6, 2025, 1), (7, None, None),
                                                   (9, 2026, 2)]
            assert [tuple(r) for r in counters] == [(2025, 1), (2026, 2)]
            assert kept == 1  # no table rebuilt: nothing cascaded away
            downgrade(directory=folder, revision="0014_circular_number")
            with db.engine.connect() as connection:
                assert "notice_counter" not in db.inspect(connection).get_table_names()
                assert connection.execute(text("SELECT count(*) FROM supervision")).scalar() == 4
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()
