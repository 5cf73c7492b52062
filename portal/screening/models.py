"""Protected lists, stored screening results, and holds on flagged releases."""
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


class ProtectedList(db.Model):
    """A named list of terms that must never leave without a second look (an undercover roster)."""
    __tablename__ = "protected_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, server_default="")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User] = relationship()
    terms: Mapped[list["ProtectedTerm"]] = relationship(back_populates="list", order_by="ProtectedTerm.id",
                                                        cascade="all, delete-orphan")


class TermKind(str, enum.Enum):
    name = "name"
    serial = "serial"
    email = "email"
    phone = "phone"
    text = "text"


class ProtectedTerm(db.Model):
    __tablename__ = "protected_terms"
    __table_args__ = (sa.UniqueConstraint("list_id", "normalised", name="uq_protected_terms_list_normalised"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("protected_lists.id"), index=True)
    term: Mapped[str] = mapped_column(sa.String(300))
    normalised: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[TermKind] = mapped_column(
        sa.Enum(TermKind, native_enum=False, create_constraint=False, length=16),
        server_default=TermKind.text.value)
    added_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    list: Mapped[ProtectedList] = relationship(back_populates="terms")


class ListsRevision(db.Model):
    """One row. `token` changes with every change to any list: a stored result or a compiled
    matcher made under another token is stale, whichever server made it."""
    __tablename__ = "protected_lists_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    token: Mapped[str] = mapped_column(sa.String(32), server_default="initial")


class ScreeningResult(db.Model):
    """The screen of one stored file under one list revision and one detector setting."""
    __tablename__ = "screening_results"
    __table_args__ = (sa.UniqueConstraint("blob_id", "lists_token", "settings",
                                          name="uq_screening_results_blob_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    blob_id: Mapped[int] = mapped_column(sa.ForeignKey("blobs.id"), index=True)
    lists_token: Mapped[str] = mapped_column(sa.String(32))
    settings: Mapped[str] = mapped_column(sa.String(64))
    screened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    flagged: Mapped[bool] = mapped_column(sa.Boolean)
    # {"matches": [{kind, list, term, text, where, snippet}], "findings": [{kind, where, detail, holds}],
    #  "read": bool}
    result: Mapped[dict] = mapped_column(sa.JSON)


class HoldStatus(str, enum.Enum):
    open = "open"
    approved = "approved"
    dismissed = "dismissed"
    cleared = "cleared"      # held only while screening was in progress, which then found nothing


class Hold(db.Model):
    """A release that screening stopped: nothing was released until a second person decides."""
    __tablename__ = "screening_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("record_requests.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[HoldStatus] = mapped_column(
        sa.Enum(HoldStatus, native_enum=False, create_constraint=False, length=16),
        server_default=HoldStatus.open.value, index=True)
    record_ids: Mapped[list] = mapped_column(sa.JSON)
    recipients: Mapped[list] = mapped_column(sa.JSON)       # e-mail addresses beyond the requester
    options: Mapped[dict] = mapped_column(sa.JSON)          # public, row_order_free, content_marks
    matches: Mapped[list] = mapped_column(sa.JSON)          # per record: its matches and findings
    decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    release_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("releases.id"))

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])
    request: Mapped[RecordRequest] = relationship()
