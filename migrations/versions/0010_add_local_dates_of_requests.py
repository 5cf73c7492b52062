"""add local dates of requests

`received_on` and `closed_on`: the agency's local dates (AGENCY_TIMEZONE) of `received_at` and
`closed_at`, which the metrics count by, with covering indexes; filled here from the times. At a
million requests, converting a year of UTC times at every view of the metrics was most of their
cost (docs/benchmarks.md, "Scale"). The index that served metrics by `closed_at` becomes a narrow
`(closed_at, id)` one for the public log's order, and `(status, due_date, paused_on)` gains
`department_id`, so that overdue requests per department are counted from the index alone. Partial
indexes of open requests serve the open queue and its searches.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 07:00:00.000000

"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa
from flask import current_app


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_record_requests_closed_on_cover", ["closed_on", "received_on", "due_date", "status", "department_id"]),
    ("ix_record_requests_received_on_dept", ["received_on", "department_id"]),
    ("ix_record_requests_closed_at_id", ["closed_at", "id"]),
    ("ix_record_requests_status_due_cover", ["status", "due_date", "paused_on", "department_id"]),
]
# Open requests, a few percent of all: the open queue of every department in its order, and
# searches of open requests (the GIN index is PostgreSQL's; migration 0009 made the whole one).
OPEN = "status IN ('received', 'acknowledged', 'in_progress', 'awaiting_requester', 'extended')"
PG_OPEN_SEARCH = "ix_record_requests_open_search"
# Indexes these replace: metrics by closed_at; overdue requests without their department.
REPLACED = [
    ("ix_record_requests_closed_cover", ["closed_at", "received_at", "due_date", "status", "department_id"]),
    ("ix_record_requests_status_due", ["status", "due_date", "paused_on"]),
]


def _fill(zone: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(sa.text("UPDATE record_requests SET received_on = (received_at AT TIME ZONE :zone)::date, "
                           "closed_on = (closed_at AT TIME ZONE :zone)::date").bindparams(zone=zone))
        return
    tz = ZoneInfo(zone)

    def local_date(value):  # SQLite keeps naive UTC text and has no time-zone data
        if value is None:
            return None
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc).astimezone(tz).date().isoformat()
    bind.connection.dbapi_connection.create_function("portal_local_date", 1, local_date, deterministic=True)
    op.execute("UPDATE record_requests SET received_on = portal_local_date(received_at), "
               "closed_on = portal_local_date(closed_at)")


def upgrade():
    op.add_column("record_requests", sa.Column("received_on", sa.Date(), nullable=True))
    op.add_column("record_requests", sa.Column("closed_on", sa.Date(), nullable=True))
    _fill(current_app.config["AGENCY_TIMEZONE"])
    for name, columns in INDEXES:
        op.create_index(name, "record_requests", columns, unique=False)
    for name, _ in REPLACED:
        op.drop_index(name, table_name="record_requests")
    op.create_index("ix_record_requests_open_due_id", "record_requests", ["due_date", "id"], unique=False,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {PG_OPEN_SEARCH} ON record_requests USING gin (search_vector) WHERE {OPEN}")


def downgrade():
    op.execute(f"DROP INDEX IF EXISTS {PG_OPEN_SEARCH}")
    op.drop_index("ix_record_requests_open_due_id", table_name="record_requests")
    for name, columns in REPLACED:
        op.create_index(name, "record_requests", columns, unique=False)
    for name, _ in INDEXES:
        op.drop_index(name, table_name="record_requests")
    op.drop_column("record_requests", "closed_on")
    op.drop_column("record_requests", "received_on")
