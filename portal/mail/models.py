"""Outgoing mail, queued in the same transaction as the change that caused it."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import UTCDateTime, utcnow
from ..extensions import db


class MailStatus(str, enum.Enum):
    pending = "pending"
    sent = "sent"
    failed = "failed"      # gave up after MAIL_MAX_ATTEMPTS; shown to admins


class OutgoingMail(db.Model):
    __tablename__ = "outgoing_mail"
    __table_args__ = (sa.Index("ix_outgoing_mail_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[MailStatus] = mapped_column(
        sa.Enum(MailStatus, native_enum=False, create_constraint=False, length=16),
        server_default=MailStatus.pending.value)
    attempts: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    last_error: Mapped[Optional[str]] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
