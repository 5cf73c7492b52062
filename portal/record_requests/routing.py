"""Who works on a request: assignment (one or many at once), transfer between departments, and
whether a closed request appears in the public log."""
from __future__ import annotations

import sqlalchemy as sa

from ..auth.models import Department, User
from ..core.errors import Conflict, Invalid
from ..extensions import db
from . import clock
from .models import RecordRequest
from .services import add_event, check_text, get_managed


def assignable(user: User | None, req: RecordRequest) -> bool:
    return user is not None and user.active and (user.is_admin or (
        user.is_staff and user.department_id == req.department_id))


def staff_for(department_ids: set[int]) -> list:
    """Who may be assigned requests of these departments, their staff and admins: (id, name) rows
    (every queue page lists them, so no entities)."""
    return list(db.session.execute(sa.select(User.id, User.name).where(
        User.active.is_(True),
        sa.or_(User.role == "admin",
               sa.and_(User.role == "staff", User.department_id.in_(department_ids))))
        .order_by(User.name)))


def assign(actor: User, request_id: int, assignee: User | None) -> RecordRequest:
    req = get_managed(actor, request_id)
    if assignee is not None and not assignable(assignee, req):
        raise Invalid(f"{assignee.name} does not work on {req.department.name}'s requests.",
                      fields={"assignee": "not staff of the department"})
    if req.assignee_id != (assignee.id if assignee else None):
        before = req.assignee.email if req.assignee else None
        req.assignee = assignee
        add_event(actor, req, "assign", f"Assigned to {assignee.name}." if assignee else "Unassigned.",
                  public=False, data={"from": before, "to": assignee.email if assignee else None})
    return req


def bulk_assign(actor: User, request_ids: list[int], assignee: User | None) -> int:
    """All or nothing: one request the actor may not manage refuses the whole batch."""
    if not request_ids:
        raise Invalid("Choose at least one request.", fields={"ids": "required"})
    for request_id in dict.fromkeys(request_ids):
        assign(actor, request_id, assignee)
    return len(set(request_ids))


def transfer(actor: User, request_id: int, department: Department, reason: str) -> RecordRequest:
    text = check_text(reason, "reason")
    req = get_managed(actor, request_id)
    if req.status.closed:
        raise Conflict("Reopen a closed request before transferring it.")
    if department.id == req.department_id:
        raise Invalid("The request is already with that department.", fields={"department": "same"})
    old = req.department
    req.department = department
    if req.assignee is not None and not assignable(req.assignee, req):
        req.assignee = None
    if old.law != department.law:
        clock.restart_for_law(req)
    add_event(actor, req, "transfer", f"Transferred from {old.name} to {department.name}. {text}",
              data={"from": old.slug, "to": department.slug, "due_date": req.due_date.isoformat()},
              mail_subject=f"Request {req.tracking_number} moved to {department.name}")
    return req


def set_published(actor: User, request_id: int, published: bool, reason: str = "") -> RecordRequest:
    """Closed requests are published by default; keeping one private needs a reason."""
    req = get_managed(actor, request_id)
    text = check_text(reason, "reason", required=not published, limit=2000)
    if req.published == published:
        return req
    req.published, req.private_reason = published, None if published else text
    add_event(actor, req, "publish" if published else "unpublish",
              "Shown in the public log." if published else f"Kept out of the public log: {text}",
              public=False)
    return req

