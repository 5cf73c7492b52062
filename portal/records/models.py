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


class Blob(db.Model):
    """One stored file. Its identity is its SHA-256: identical uploads share it."""
    __tablename__ = "blobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    backend: Mapped[str] = mapped_column(sa.String(16))
    key: Mapped[str] = mapped_column(sa.String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Disposition(str, enum.Enum):
    release = "release"
    withhold = "withhold"


class Record(db.Model):
    """A responsive record attached to a request."""
    __tablename__ = "records"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("record_requests.id"), index=True)
    blob_id: Mapped[int] = mapped_column(sa.ForeignKey("blobs.id"), index=True)
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
