"""Records requests, their timeline, and the per-year tracking-number counter."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Department, User
from ..core.models import UTCDateTime, utcnow
from ..extensions import db


class Status(str, enum.Enum):
    received = "received"
    acknowledged = "acknowledged"
    in_progress = "in_progress"
    awaiting_requester = "awaiting_requester"
    extended = "extended"
    fulfilled = "fulfilled"
    partially_fulfilled = "partially_fulfilled"
    denied = "denied"
    no_responsive_records = "no_responsive_records"
    withdrawn = "withdrawn"

    @property
    def closed(self) -> bool:
        return self in CLOSED

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


CLOSED = {Status.fulfilled, Status.partially_fulfilled, Status.denied,
          Status.no_responsive_records, Status.withdrawn}


def _enum(cls, default):
    return mapped_column(sa.Enum(cls, native_enum=False, create_constraint=False, length=32),
                         server_default=default.value)


class RecordRequest(db.Model):
    __tablename__ = "record_requests"
    __table_args__ = (
        sa.Index("ix_record_requests_dept_status_due", "department_id", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    assignee_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[Status] = _enum(Status, Status.received)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_date: Mapped[Optional[date]] = mapped_column(sa.Date)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    department: Mapped[Department] = relationship(lazy="joined")
    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="joined")
    assignee: Mapped[Optional[User]] = relationship(foreign_keys=[assignee_id])
    events: Mapped[list["RequestEvent"]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="all, delete-orphan")


class RequestEvent(db.Model):
    """One step on a request's timeline; `public` ones are shown to the requester."""
    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("record_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text, server_default="")
    public: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.true())

    request: Mapped[RecordRequest] = relationship(back_populates="events")
    actor: Mapped[Optional[User]] = relationship()


class TrackingCounter(db.Model):
    """Last tracking number handed out per year; its row lock keeps numbers unique."""
    __tablename__ = "tracking_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(sa.Integer)
