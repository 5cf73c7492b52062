"""Clawback campaigns: a request, never an order, to everyone who received a file in error."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.models import UTCDateTime, utcnow
from ..extensions import db


class NoticeStatus(str, enum.Enum):
    sent = "sent"
    acknowledged = "acknowledged"
    certified_deleted = "certified_deleted"
    contested = "contested"

    @property
    def label(self) -> str:
        return {"sent": "No answer yet", "acknowledged": "Acknowledged",
                "certified_deleted": "Certified deletion", "contested": "Contested"}[self.value]


class Clawback(db.Model):
    __tablename__ = "clawbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    respond_by: Mapped[date] = mapped_column(sa.Date)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_grants: Mapped[int] = mapped_column(sa.Integer, server_default="0")

    created_by: Mapped[User] = relationship()
    files: Mapped[list["ClawbackFile"]] = relationship(cascade="all, delete-orphan")
    notices: Mapped[list["Notice"]] = relationship(back_populates="clawback", order_by="Notice.id")

    @property
    def complete(self) -> bool:
        return all(n.status != NoticeStatus.sent for n in self.notices)


class ClawbackFile(db.Model):
    __tablename__ = "clawback_files"

    clawback_id: Mapped[int] = mapped_column(sa.ForeignKey("clawbacks.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(255))


class Notice(db.Model):
    __tablename__ = "clawback_notices"
    __table_args__ = (sa.UniqueConstraint("clawback_id", "recipient_id", name="uq_clawback_notices_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clawback_id: Mapped[int] = mapped_column(sa.ForeignKey("clawbacks.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[NoticeStatus] = mapped_column(
        sa.Enum(NoticeStatus, native_enum=False, create_constraint=False, length=24),
        server_default=NoticeStatus.sent.value)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    responded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    statement: Mapped[Optional[str]] = mapped_column(sa.Text)

    clawback: Mapped[Clawback] = relationship(back_populates="notices")
    recipient: Mapped[User] = relationship(lazy="joined")


class Attribution(db.Model):
    """Every attempt to attribute a found copy, kept with its result."""
    __tablename__ = "attributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    exact: Mapped[bool] = mapped_column(sa.Boolean)
    result: Mapped[str] = mapped_column(sa.Text)   # the JSON answer given


class BatchStatus(str, enum.Enum):
    running = "running"
    done = "done"
    failed = "failed"


class AttributionBatch(db.Model):
    """A ZIP of found files (a scraped collection) attributed by the worker, file by file."""
    __tablename__ = "attribution_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    status: Mapped[BatchStatus] = mapped_column(
        sa.Enum(BatchStatus, native_enum=False, create_constraint=False, length=16),
        server_default=BatchStatus.running.value)
    filename: Mapped[str] = mapped_column(sa.String(255), server_default="")
    archive_key: Mapped[Optional[str]] = mapped_column(sa.String(300))  # removed once every file is read
    total: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    error: Mapped[Optional[str]] = mapped_column(sa.Text)

    actor: Mapped[User] = relationship()
    files: Mapped[list["AttributionBatchFile"]] = relationship(order_by="AttributionBatchFile.position")


class AttributionBatchFile(db.Model):
    __tablename__ = "attribution_batch_files"

    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("attribution_batches.id"), primary_key=True)
    position: Mapped[int] = mapped_column(sa.Integer, primary_key=True)  # order in the ZIP
    name: Mapped[str] = mapped_column(sa.String(1000))
    attribution_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("attributions.id"))
    exact: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    result: Mapped[str] = mapped_column(sa.Text, server_default="{}")  # as POST /attributions answers


class FingerprintedBlob(db.Model):
    """A released original whose fingerprints are in the index (fingerprints.py), and by which version."""
    __tablename__ = "fingerprinted_blobs"

    blob_id: Mapped[int] = mapped_column(sa.ForeignKey("blobs.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(sa.Integer)
    keys: Mapped[int] = mapped_column(sa.Integer)
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Fingerprint(db.Model):
    """One lookup key of a released original: a text band of a page, or a byte of a picture hash."""
    __tablename__ = "fingerprints"
    __table_args__ = (sa.Index("ix_fingerprints_kind_key", "kind", "key"),)

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    blob_id: Mapped[int] = mapped_column(sa.ForeignKey("blobs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))          # text, page (a scanned page) or photo
    page: Mapped[int] = mapped_column(sa.Integer)            # page, text chunk or picture window
    key: Mapped[int] = mapped_column(sa.BigInteger)
    value: Mapped[Optional[int]] = mapped_column(sa.BigInteger)   # the whole picture hash
