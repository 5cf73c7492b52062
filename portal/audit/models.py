"""The append-only, hash-chained audit log."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import UTCDateTime
from ..extensions import db

GENESIS = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    # The admin page filtered by actor, newest first.
    __table_args__ = (sa.Index("ix_audit_entries_actor_and_id", "actor", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"), index=True)
    actor: Mapped[str] = mapped_column(sa.String(320))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200), index=True)
    data: Mapped[str] = mapped_column(sa.Text, server_default="{}")
    # Which audit key signed the entry (portal.audit.keys.key_id): keys rotate, old ones verify.
    key_id: Mapped[str] = mapped_column(sa.String(16), server_default="")
    # Unique: two entries can never claim the same predecessor, so the chain cannot fork.
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class AuditHead(db.Model):
    """The chain's newest entry, so that removing entries from the end is noticed too."""
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(sa.Integer)
    last_hash: Mapped[str] = mapped_column(sa.String(64))


# The database itself refuses to change or remove an entry.
_SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END",
]
_PG_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
    "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()",
]
_SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_entries_no_update",
                "DROP TRIGGER IF EXISTS audit_entries_no_delete"]
_PG_DROP = ["DROP TRIGGER IF EXISTS audit_entries_no_change ON audit_entries",
            "DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries",
            "DROP FUNCTION IF EXISTS audit_entries_append_only()"]


def trigger_ddl(dialect: str, drop: bool = False) -> list[str]:
    if dialect == "postgresql":
        return _PG_DROP if drop else _PG_TRIGGERS
    if dialect == "sqlite":
        return _SQLITE_DROP if drop else _SQLITE_TRIGGERS
    raise RuntimeError(f"no append-only triggers for {dialect}")


@sa.event.listens_for(AuditEntry.__table__, "after_create")
def _create_triggers(target, connection, **kw):
    for statement in trigger_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


@sa.event.listens_for(AuditHead.__table__, "after_create")
def _create_head(target, connection, **kw):
    connection.execute(target.insert().values(id=1, last_id=0, last_hash=GENESIS))
