"""Filing and viewing requests. Deadlines, transitions and the queue build on this."""
from __future__ import annotations

import sqlalchemy as sa

from .. import audit
from ..auth.models import Department, User
from ..core.errors import Forbidden, Invalid, NotFound
from ..core.models import utcnow
from ..extensions import db
from .models import RecordRequest, RequestEvent, Status, TrackingCounter


def next_tracking_number(year: int) -> str:
    counter = db.session.scalar(sa.select(TrackingCounter).where(TrackingCounter.year == year)
                                .with_for_update())
    if counter is None:
        counter = TrackingCounter(year=year, last=0)
        db.session.add(counter)
    counter.last += 1
    db.session.flush()
    return f"{year}-{counter.last:06d}"


def department_by_slug(slug: str) -> Department:
    dept = db.session.scalar(sa.select(Department).where(Department.slug == (slug or "").strip()))
    if dept is None:
        raise Invalid("Choose a department.", fields={"department": "unknown"})
    return dept


def file_request(actor: User, *, department: Department, title: str, description: str) -> RecordRequest:
    title, description = (title or "").strip(), (description or "").strip()
    fields = {}
    if not 1 <= len(title) <= 200:
        fields["title"] = "1 to 200 characters"
    if not 1 <= len(description) <= 20000:
        fields["description"] = "1 to 20,000 characters"
    if fields:
        raise Invalid("Please give a title and a description of the records you want.", fields=fields)
    now = utcnow()
    req = RecordRequest(tracking_number=next_tracking_number(now.year), department=department,
                        requester=actor, title=title, description=description,
                        status=Status.received, received_at=now)
    req.events.append(RequestEvent(kind="filed", at=now, actor=actor, public=True,
                                   body="Request received."))
    db.session.add(req)
    db.session.flush()
    audit.record(actor, "request.file", f"request:{req.id}",
                 {"tracking_number": req.tracking_number, "department": department.slug})
    return req


def can_view(actor: User | None, req: RecordRequest) -> bool:
    if actor is None:
        return False
    if actor.is_admin or actor.id == req.requester_id:
        return True
    return actor.is_staff and actor.department_id == req.department_id


def can_manage(actor: User | None, req: RecordRequest) -> bool:
    """Staff of the request's department, or an admin."""
    return actor is not None and (actor.is_admin or (
        actor.is_staff and actor.department_id == req.department_id))


def get_for(actor: User, request_id: int) -> RecordRequest:
    """The request if the actor may see it; otherwise NotFound (existence is never revealed)."""
    req = db.session.get(RecordRequest, request_id)
    if req is None or not can_view(actor, req):
        raise NotFound("No such request.")
    return req


def get_managed(actor: User, request_id: int) -> RecordRequest:
    req = get_for(actor, request_id)
    if not can_manage(actor, req):
        raise Forbidden("Only staff of the request's department may do this.")
    return req
