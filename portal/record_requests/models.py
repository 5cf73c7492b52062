"""Records requests, their timeline, and the per-year tracking-number counter."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Department, User
from ..core.models import UTCDateTime, local_date, utcnow
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
    duplicate = "duplicate"   # merged into another request (duplicate_of)

    @property
    def closed(self) -> bool:
        return self in CLOSED

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


CLOSED = {Status.fulfilled, Status.partially_fulfilled, Status.denied,
          Status.no_responsive_records, Status.withdrawn, Status.duplicate}
# The predicate of the indexes of open requests (a few percent of all): a query uses them when its
# own condition is this very text (queue.is_open() renders the same literals).
OPEN_PREDICATE = "status IN (" + ", ".join(f"'{s.value}'" for s in Status if s not in CLOSED) + ")"


def _local_day(context, column: str) -> date | None:
    """The insert default of received_on and closed_on: the local date of the row's time."""
    moment = context.get_current_parameters().get(column)
    return None if moment is None else local_date(moment)


def _enum(cls, default):
    return mapped_column(sa.Enum(cls, native_enum=False, create_constraint=False, length=32),
                         default=default, server_default=default.value)


class RecordRequest(db.Model):
    __tablename__ = "record_requests"
    __table_args__ = (
        sa.Index("ix_record_requests_dept_status_due", "department_id", "status", "due_date"),
        # With department_id: overdue per department (metrics) from the index alone.
        sa.Index("ix_record_requests_status_due_cover", "status", "due_date", "paused_on", "department_id"),
        sa.Index("ix_record_requests_received_dept", "received_at", "department_id"),
        sa.Index("ix_record_requests_due_id", "due_date", "id"),
        # Open requests in the queue's order: all departments' open queue, and its broad searches.
        sa.Index("ix_record_requests_open_due_id", "due_date", "id", postgresql_where=sa.text(OPEN_PREDICATE),
                 sqlite_where=sa.text(OPEN_PREDICATE)),
        sa.Index("ix_record_requests_dept_due_id", "department_id", "due_date", "id"),
        # The public log, newest closed first.
        sa.Index("ix_record_requests_closed_at_id", "closed_at", "id"),
        # The public log's page and its count from the index alone (status is checked in the index).
        sa.Index("ix_record_requests_published_closed", "published", "closed_at", "id", "status"),
        # Metrics: counted from the indexes alone, by local date.
        sa.Index("ix_record_requests_closed_on_cover", "closed_on", "received_on", "due_date", "status",
                 "department_id"),
        sa.Index("ix_record_requests_received_on_dept", "received_on", "department_id"),
        # The requester's page, newest first (and every lookup by requester).
        sa.Index("ix_record_requests_requester_id_id", "requester_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    assignee_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[Status] = _enum(Status, Status.received)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_date: Mapped[Optional[date]] = mapped_column(sa.Date)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # The agency's local dates of received_at and closed_at, which metrics count by (converting a
    # year of UTC times at every view cost more than the counting). Set on insert from the times;
    # clock.set_closed keeps closed_on; `flask requests recompute-local-dates` after a change of
    # AGENCY_TIMEZONE.
    received_on: Mapped[Optional[date]] = mapped_column(sa.Date, default=lambda ctx: _local_day(ctx, "received_at"))
    closed_on: Mapped[Optional[date]] = mapped_column(sa.Date, default=lambda ctx: _local_day(ctx, "closed_at"))
    date_from: Mapped[Optional[date]] = mapped_column(sa.Date)
    date_to: Mapped[Optional[date]] = mapped_column(sa.Date)
    preferred_format: Mapped[str] = mapped_column(sa.String(32), default="any", server_default="any")
    acknowledged_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # The statutory clock (see deadlines.py): due_date is recomputed from these, never shifted.
    clock_start: Mapped[Optional[date]] = mapped_column(sa.Date)
    clock_days: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    extension_days: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    paused_days: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    paused_on: Mapped[Optional[date]] = mapped_column(sa.Date)
    exemptions: Mapped[Optional[list]] = mapped_column(sa.JSON)
    # Closed requests appear in the public log unless staff keep one private, with a reason.
    published: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    private_reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    # One filing to several departments (or a split) links its requests in a group.
    group_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("request_groups.id"), index=True)
    duplicate_of_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("record_requests.id"), index=True)

    department: Mapped[Department] = relationship(lazy="joined")
    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="joined")
    assignee: Mapped[Optional[User]] = relationship(foreign_keys=[assignee_id])
    events: Mapped[list["RequestEvent"]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="all, delete-orphan")
    fees: Mapped[list["FeeEstimate"]] = relationship(
        back_populates="request", order_by="FeeEstimate.id", cascade="all, delete-orphan")
    group: Mapped[Optional["RequestGroup"]] = relationship(back_populates="requests")
    duplicate_of: Mapped[Optional["RecordRequest"]] = relationship(remote_side=[id])
    followers: Mapped[list["RequestFollower"]] = relationship(
        back_populates="request", order_by="RequestFollower.id", cascade="all, delete-orphan",
        foreign_keys="RequestFollower.request_id")

    @property
    def paused(self) -> bool:
        return self.paused_on is not None

    @property
    def pending_fee(self) -> Optional["FeeEstimate"]:
        return next((f for f in self.fees if f.status == FeeStatus.pending), None)


class RequestGroup(db.Model):
    """Requests filed together to several departments, or split from one: one page for the requester."""
    __tablename__ = "request_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    requests: Mapped[list[RecordRequest]] = relationship(back_populates="group", order_by="RecordRequest.id")


class RequestFollower(db.Model):
    """Someone besides the requester who sees a request and is e-mailed its public events: the
    requester of a duplicate merged into it."""
    __tablename__ = "request_followers"
    __table_args__ = (sa.UniqueConstraint("request_id", "user_id", name="uq_request_followers_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("record_requests.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(200))
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    via_request_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("record_requests.id"))

    request: Mapped[RecordRequest] = relationship(back_populates="followers", foreign_keys=[request_id])
    user: Mapped[User] = relationship(lazy="joined")


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
    data: Mapped[Optional[dict]] = mapped_column(sa.JSON)

    request: Mapped[RecordRequest] = relationship(back_populates="events")
    actor: Mapped[Optional[User]] = relationship()


class TrackingCounter(db.Model):
    """Last tracking number handed out per year; its row lock keeps numbers unique."""
    __tablename__ = "tracking_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(sa.Integer)


class FeeStatus(str, enum.Enum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    withdrawn = "withdrawn"


class FeeEstimate(db.Model):
    """A fee estimate; the clock is paused while it waits for the requester's answer."""
    __tablename__ = "fee_estimates"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("record_requests.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(sa.Integer)
    note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    status: Mapped[FeeStatus] = _enum(FeeStatus, FeeStatus.pending)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    responded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    request: Mapped[RecordRequest] = relationship(back_populates="fees")

    @property
    def amount(self) -> str:
        return f"{self.amount_cents // 100:,}.{self.amount_cents % 100:02d}"


class AgencyClosure(db.Model):
    """A day the agency is closed: no business day for any statutory clock."""
    __tablename__ = "agency_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, unique=True)
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))


class RequestDraft(db.Model):
    """A request filed without an account, held until its e-mail address is confirmed."""
    __tablename__ = "request_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    name: Mapped[str] = mapped_column(sa.String(200))
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    date_from: Mapped[Optional[date]] = mapped_column(sa.Date)
    date_to: Mapped[Optional[date]] = mapped_column(sa.Date)
    preferred_format: Mapped[str] = mapped_column(sa.String(32), default="any", server_default="any")
    # Further departments of a filing to several (slugs); department_id is the first.
    other_departments: Mapped[Optional[list]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    request_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("record_requests.id"))

    department: Mapped[Department] = relationship()
