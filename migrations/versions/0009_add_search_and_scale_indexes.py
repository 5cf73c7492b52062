"""add search and scale indexes

Full-text search for the staff queue (PostgreSQL: a stored tsvector column with a GIN index, and
GIN over requesters' names; SQLite: FTS5 tables kept by triggers), and the indexes that the queue,
the requester's page, the recipients of a file, the audit log and the metrics need at a city's
volume (reviewed with EXPLAIN ANALYZE at 1,000,000 requests: docs/benchmarks.md, "Scale").

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Plain indexes, on both databases (also declared in the models).
INDEXES = [
    ("ix_record_requests_requester_id_id", "record_requests", ["requester_id", "id"]),
    # The queue's default order (due date, undated last, then id), whole and per department.
    ("ix_record_requests_due_id", "record_requests", ["due_date", "id"]),
    ("ix_record_requests_dept_due_id", "record_requests", ["department_id", "due_date", "id"]),
    # Metrics: closed in the last twelve months, read from the index alone.
    ("ix_record_requests_closed_cover", "record_requests",
     ["closed_at", "received_at", "due_date", "status", "department_id"]),
    ("ix_record_requests_received_dept", "record_requests", ["received_at", "department_id"]),
    # Who may be assigned: admins, and staff of some departments (the queue, every page).
    ("ix_users_role_department", "users", ["role", "department_id"]),
    ("ix_records_blob_id_id", "records", ["blob_id", "id"]),
    ("ix_deliveries_grant_id_id", "deliveries", ["grant_id", "id"]),
    ("ix_audit_entries_actor_and_id", "audit_entries", ["actor", "id"]),
]
# Indexes these replace (a prefix of the new one serves every query the old one did).
REPLACED = [
    ("ix_record_requests_requester_id", "record_requests", ["requester_id"]),
    ("ix_record_requests_received_at", "record_requests", ["received_at"]),
    ("ix_records_blob_id", "records", ["blob_id"]),
    ("ix_deliveries_grant_id", "deliveries", ["grant_id"]),
]

PG_UP = [
    "ALTER TABLE record_requests ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('english', title || ' ' || description)) STORED",
    "CREATE INDEX ix_record_requests_search_vector ON record_requests USING gin (search_vector)",
    "CREATE INDEX ix_users_name_search ON users USING gin (to_tsvector('simple', name))",
    # LIKE 'prefix%' on e-mail addresses, whatever the database's collation.
    "CREATE INDEX ix_users_email_pattern ON users (email text_pattern_ops)",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS ix_users_email_pattern",
    "DROP INDEX IF EXISTS ix_users_name_search",
    "DROP INDEX IF EXISTS ix_record_requests_search_vector",
    "ALTER TABLE record_requests DROP COLUMN IF EXISTS search_vector",
]

SQLITE_UP = [
    "CREATE VIRTUAL TABLE record_requests_fts USING fts5(title, description, "
    "content='record_requests', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER record_requests_fts_ai AFTER INSERT ON record_requests BEGIN "
    "INSERT INTO record_requests_fts(rowid, title, description) "
    "VALUES (new.id, new.title, new.description); END",
    "CREATE TRIGGER record_requests_fts_ad AFTER DELETE ON record_requests BEGIN "
    "INSERT INTO record_requests_fts(record_requests_fts, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); END",
    "CREATE TRIGGER record_requests_fts_au AFTER UPDATE OF title, description ON record_requests BEGIN "
    "INSERT INTO record_requests_fts(record_requests_fts, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); "
    "INSERT INTO record_requests_fts(rowid, title, description) "
    "VALUES (new.id, new.title, new.description); END",
    "INSERT INTO record_requests_fts(record_requests_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE users_fts USING fts5(name, content='users', content_rowid='id', "
    "tokenize='unicode61')",
    "CREATE TRIGGER users_fts_ai AFTER INSERT ON users BEGIN "
    "INSERT INTO users_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER users_fts_ad AFTER DELETE ON users BEGIN "
    "INSERT INTO users_fts(users_fts, rowid, name) VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER users_fts_au AFTER UPDATE OF name ON users BEGIN "
    "INSERT INTO users_fts(users_fts, rowid, name) VALUES ('delete', old.id, old.name); "
    "INSERT INTO users_fts(rowid, name) VALUES (new.id, new.name); END",
    "INSERT INTO users_fts(users_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS users_fts_au", "DROP TRIGGER IF EXISTS users_fts_ad",
    "DROP TRIGGER IF EXISTS users_fts_ai", "DROP TABLE IF EXISTS users_fts",
    "DROP TRIGGER IF EXISTS record_requests_fts_au", "DROP TRIGGER IF EXISTS record_requests_fts_ad",
    "DROP TRIGGER IF EXISTS record_requests_fts_ai", "DROP TABLE IF EXISTS record_requests_fts",
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    for name, table, _ in REPLACED:
        op.drop_index(name, table_name=table)
    dialect = op.get_bind().dialect.name
    for statement in PG_UP if dialect == "postgresql" else SQLITE_UP if dialect == "sqlite" else []:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in PG_DOWN if dialect == "postgresql" else SQLITE_DOWN if dialect == "sqlite" else []:
        op.execute(statement)
    for name, table, columns in REPLACED:
        op.create_index(name, table, columns, unique=False)
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
