"""What each digest and reminder says: pure reads over requests, no sending here."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..auth.models import Department, User
from ..core.models import utcnow
from ..extensions import db
from ..record_requests import clock
from ..record_requests.models import RecordRequest, RequestEvent, Status
from .models import DigestSent


REQUESTER_TURNS = ("message", "reply", "fee_accept", "fee_decline")  # the requester wrote: staff answer next


@dataclass
class StaffDigest:
    overdue: list[RecordRequest] = field(default_factory=list)
    due_soon: list[RecordRequest] = field(default_factory=list)
    new: list[RecordRequest] = field(default_factory=list)        # assigned to them since the last digest
    waiting: list[RecordRequest] = field(default_factory=list)    # their move: not acknowledged, or the requester wrote last

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.new or self.waiting)

    def sections(self) -> list[tuple[str, list[RecordRequest]]]:
        return [("Overdue", self.overdue), ("Due soon (within two business days)", self.due_soon),
                ("Newly assigned to you", self.new), ("Waiting on you", self.waiting)]


@dataclass
class DepartmentLine:
    department: Department
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    unassigned: int = 0
    awaiting_requester: int = 0


def last_sent(user_id: int, kind: str, before: date) -> datetime | None:
    return db.session.scalar(sa.select(sa.func.max(DigestSent.sent_at)).where(
        DigestSent.user_id == user_id, DigestSent.kind == kind, DigestSent.ref == 0, DigestSent.day < before))


def staff_digest(user: User, on: date, since: datetime | None = None) -> StaffDigest:
    """The user's open requests that need them, on the day `on`. `since` bounds "newly assigned":
    by default the last digest sent before that day, or the last 24 hours."""
    since = since or last_sent(user.id, "staff", on) or utcnow() - timedelta(days=1)
    reqs = db.session.scalars(sa.select(RecordRequest).where(
        RecordRequest.assignee_id == user.id, RecordRequest.status.in_(clock.OPEN_STATUSES))
        .order_by(RecordRequest.due_date, RecordRequest.id)).all()
    digest, closed_days = StaffDigest(), clock.closures()
    if not reqs:
        return digest
    ids = [r.id for r in reqs]
    assigned = {rid for rid, data in db.session.execute(
        sa.select(RequestEvent.request_id, RequestEvent.data).where(
            RequestEvent.request_id.in_(ids), RequestEvent.kind == "assign", RequestEvent.at >= since))
        if (data or {}).get("to") == user.email}
    last_public = sa.select(sa.func.max(RequestEvent.id)).where(
        RequestEvent.request_id.in_(ids), RequestEvent.public.is_(True)).group_by(RequestEvent.request_id)
    last = {rid: (kind, actor) for rid, kind, actor in db.session.execute(
        sa.select(RequestEvent.request_id, RequestEvent.kind, RequestEvent.actor_id)
        .where(RequestEvent.id.in_(last_public)))}
    for req in reqs:
        f = clock.flags(req, on, closed_days)
        if f.overdue:
            digest.overdue.append(req)
        elif f.due_soon:
            digest.due_soon.append(req)
        if req.id in assigned:
            digest.new.append(req)
        kind, actor = last.get(req.id, (None, None))
        if not req.paused and (req.status == Status.received or (kind in REQUESTER_TURNS and actor == req.requester_id)):
            digest.waiting.append(req)
    return digest


def department_summary(on: date) -> list[DepartmentLine]:
    lines = {d.id: DepartmentLine(d) for d in db.session.scalars(sa.select(Department).order_by(Department.name))}
    closed_days = clock.closures()
    for req in db.session.scalars(sa.select(RecordRequest).where(RecordRequest.status.in_(clock.OPEN_STATUSES))):
        line = lines[req.department_id]
        f = clock.flags(req, on, closed_days)
        line.open += 1
        line.overdue += f.overdue
        line.due_soon += f.due_soon
        line.unassigned += req.assignee_id is None
        line.awaiting_requester += req.paused
    return [line for line in lines.values() if line.open]


def reminders_due(on: date, days_before: int) -> list[tuple[RecordRequest, date]]:
    """Requests waiting on their requester whose respond-by date is within `days_before` days."""
    reqs = db.session.scalars(sa.select(RecordRequest).options(joinedload(RecordRequest.fees)).where(
        RecordRequest.status == Status.awaiting_requester, RecordRequest.paused_on.is_not(None))
        .order_by(RecordRequest.id)).unique().all()
    out = []
    for req in reqs:
        by = clock.respond_by(req)
        if by is not None and on <= by <= on + timedelta(days=days_before):
            out.append((req, by))
    return out
