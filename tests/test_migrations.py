"""The migrations give exactly the models: autogenerate finds nothing to change."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_upgraded_database_matches_the_models(app):
    """The session's database was built by `upgrade` from empty (see conftest)."""
    from app.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
        tables = set(db.inspect(connection).get_table_names())
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
