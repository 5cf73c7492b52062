"""`db upgrade` on an empty database yields exactly the models' schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db
from portal.record_requests.search import include_object


def test_migrations_match_models(ctx):
    # The app fixture's database was built by `flask db upgrade`, not create_all. The full-text
    # objects (tsvector column and GIN indexes, FTS5 tables) exist only in migration 0009.
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}), db.metadata)
    assert diff == []


def test_downgrade_then_upgrade(ctx):
    from flask_migrate import downgrade, upgrade
    downgrade(revision="base")
    with db.engine.connect() as conn:
        assert db.engine.dialect.has_table(conn, "users") is False
    upgrade()
    with db.engine.connect() as conn:
        assert db.engine.dialect.has_table(conn, "users") is True
