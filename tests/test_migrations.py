"""The migrations give exactly the models: autogenerate finds nothing to change."""

from __future__ import annotations

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
