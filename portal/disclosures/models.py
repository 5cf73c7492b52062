"""Releases, grants (one recipient, one record, one codeword) and the recipient log."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.models import UTCDateTime, utcnow
from ..extensions import db
from ..records.models import Record


class Release(db.Model):
    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("record_requests.id"), index=True)
    released_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    public: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    row_order_free: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    content_marks: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())

    released_by: Mapped[User] = relationship()
    records: Mapped[list[Record]] = relationship(secondary="release_records", order_by=Record.id)
    grants: Mapped[list["Grant"]] = relationship(back_populates="release", order_by="Grant.id")


release_records = sa.Table(
    "release_records", db.metadata,
    sa.Column("release_id", sa.ForeignKey("releases.id"), primary_key=True),
    sa.Column("record_id", sa.ForeignKey("records.id"), primary_key=True),
)


class CopyState(str, enum.Enum):
    pending = "pending"        # not made yet; made on first download or by the worker
    preparing = "preparing"    # a worker job is making it
    ready = "ready"
    failed = "failed"


class Grant(db.Model):
    """The right of one recipient to one record's marked copy."""
    __tablename__ = "grants"
    __table_args__ = (sa.Index("ix_grants_record_recipient", "record_id", "recipient_id"),
                      # a recipient's files, newest first, read from the index in order
                      sa.Index("ix_grants_recipient_granted", "recipient_id", "granted_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("releases.id"), index=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("records.id"))
    # None for an anonymous public download; then `public_label` names it.
    recipient_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    public_label: Mapped[Optional[str]] = mapped_column(sa.String(64))
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    copy_state: Mapped[CopyState] = mapped_column(
        sa.Enum(CopyState, native_enum=False, create_constraint=False, length=16),
        server_default=CopyState.pending.value)
    copy_key: Mapped[Optional[str]] = mapped_column(sa.String(300))
    copy_sha256: Mapped[Optional[str]] = mapped_column(sa.String(64), index=True)
    copy_size: Mapped[Optional[int]] = mapped_column(sa.BigInteger)
    copy_content_type: Mapped[Optional[str]] = mapped_column(sa.String(100))
    copy_error: Mapped[Optional[str]] = mapped_column(sa.Text)

    release: Mapped[Release] = relationship(back_populates="grants")
    record: Mapped[Record] = relationship(lazy="joined")
    recipient: Mapped[Optional[User]] = relationship(lazy="joined")
    deliveries: Mapped[list["Delivery"]] = relationship(back_populates="grant", order_by="Delivery.id")


class Delivery(db.Model):
    """One download: written before the first byte leaves, completed after the last."""
    __tablename__ = "deliveries"
    __table_args__ = (sa.Index("ix_deliveries_grant_id_id", "grant_id", "id"),)  # a grant's log, in order

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(sa.ForeignKey("grants.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str] = mapped_column(sa.String(64))
    user_agent: Mapped[str] = mapped_column(sa.String(400), server_default="")
    copy_sha256: Mapped[str] = mapped_column(sa.String(64))        # the copy this delivery was of
    sha256: Mapped[Optional[str]] = mapped_column(sa.String(64))   # of the bytes actually sent
    bytes_sent: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    completed: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    error: Mapped[Optional[str]] = mapped_column(sa.Text)
    bundle_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("bundles.id"), index=True)  # sent in one

    grant: Mapped[Grant] = relationship(back_populates="deliveries")


class BundleState(str, enum.Enum):
    preparing = "preparing"    # the worker is making the copies it lacks
    ready = "ready"            # every member's copy exists: the ZIP is streamed from them
    stopped = "stopped"        # a member was revoked while it was prepared; the next request starts again
    failed = "failed"


class Bundle(db.Model):
    """One recipient's ZIP of every file of one release they hold. The ZIP itself is never
    stored: it is streamed from the members' own stored copies at each download."""
    __tablename__ = "bundles"
    __table_args__ = (sa.Index("ix_bundles_release_recipient", "release_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("releases.id"))
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    state: Mapped[BundleState] = mapped_column(
        sa.Enum(BundleState, native_enum=False, create_constraint=False, length=16),
        server_default=BundleState.preparing.value)
    done: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    total: Mapped[int] = mapped_column(sa.Integer, server_default="0")  # members live when it was asked for
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    error: Mapped[Optional[str]] = mapped_column(sa.Text)
