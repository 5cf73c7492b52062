"""Stored files (blobs, named by SHA-256) and the responsive records that use them."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.models import UTCDateTime, utcnow
from ..extensions import db
from ..record_requests.models import RecordRequest


class ScanStatus(str, enum.Enum):
    not_scanned = "not_scanned"   # no scanner configured (SCANNER=none): released unscanned
    pending = "pending"           # in quarantine, waiting for its scan
    clean = "clean"
    infected = "infected"         # kept in quarantine for good
    error = "error"               # the scanner could not judge it: held, and retried

    @property
    def releasable(self) -> bool:
        return self in (ScanStatus.clean, ScanStatus.not_scanned)

    @property
    def label(self) -> str:
        return {"not_scanned": "not scanned (no scanner configured)", "pending": "in quarantine: waiting for the scan",
                "clean": "scanned: clean", "infected": "in quarantine: malware found",
                "error": "in quarantine: the scanner could not check it yet"}[self.value]


class Blob(db.Model):
    """One stored file. Its identity is its SHA-256: identical uploads share it, and its scan."""
    __tablename__ = "blobs"
    __table_args__ = (sa.Index("ix_blobs_scan_status_scan_after", "scan_status", "scan_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    backend: Mapped[str] = mapped_column(sa.String(16))
    key: Mapped[str] = mapped_column(sa.String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Files stored before scanning existed were released unscanned; they keep saying so.
    scan_status: Mapped[ScanStatus] = mapped_column(
        sa.Enum(ScanStatus, native_enum=False, create_constraint=False, length=16),
        default=ScanStatus.pending, server_default=ScanStatus.not_scanned.value)
    scan_detail: Mapped[Optional[str]] = mapped_column(sa.String(500))   # signature, or the error
    scanner: Mapped[Optional[str]] = mapped_column(sa.String(16))
    scanned_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    scan_attempts: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    scan_after: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)   # next try (pending, error)


class Disposition(str, enum.Enum):
    release = "release"
    withhold = "withhold"


class Record(db.Model):
    """A responsive record attached to a request."""
    __tablename__ = "records"
    __table_args__ = (sa.Index("ix_records_blob_id_id", "blob_id", "id"),)  # the records of a file

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("record_requests.id"), index=True)
    blob_id: Mapped[int] = mapped_column(sa.ForeignKey("blobs.id"))
    filename: Mapped[str] = mapped_column(sa.String(255))       # the uploader's name: metadata only
    disposition: Mapped[Disposition] = mapped_column(
        sa.Enum(Disposition, native_enum=False, create_constraint=False, length=16),
        server_default=Disposition.release.value)
    exemption: Mapped[Optional[str]] = mapped_column(sa.String(200))
    # A redacted replacement points at the withheld original it replaces.
    replaces_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("records.id"))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    blob: Mapped[Blob] = relationship(lazy="joined")
    request: Mapped[RecordRequest] = relationship()
    uploaded_by: Mapped[User] = relationship()
    replaces: Mapped[Optional["Record"]] = relationship(remote_side=[id])

    @property
    def sha256(self) -> str:
        return self.blob.sha256

    @property
    def content_type(self) -> str:
        return self.blob.content_type

    @property
    def size(self) -> int:
        return self.blob.size

    @property
    def scan_status(self) -> ScanStatus:
        return self.blob.scan_status


class Attachment(db.Model):
    """A file the requester adds to their request (an earlier letter, a form). Staff read it only
    once its scan allows."""
    __tablename__ = "request_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("record_requests.id"), index=True)
    blob_id: Mapped[int] = mapped_column(sa.ForeignKey("blobs.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    blob: Mapped[Blob] = relationship(lazy="joined")
    uploaded_by: Mapped[User] = relationship()
