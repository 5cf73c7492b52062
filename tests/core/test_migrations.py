"""`db upgrade` on an empty database yields exactly the models' schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db


def test_migrations_match_models(ctx):
    # The app fixture's database was built by `flask db upgrade`, not create_all.
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                db.metadata)
    assert diff == []


def test_downgrade_then_upgrade(ctx):
    from flask_migrate import downgrade, upgrade
    downgrade(revision="base")
    with db.engine.connect() as conn:
        assert db.engine.dialect.has_table(conn, "users") is False
    upgrade()
    with db.engine.connect() as conn:
        assert db.engine.dialect.has_table(conn, "users") is True
