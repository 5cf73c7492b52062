"""Requests that belong together: a filing to several departments, a split, and merged duplicates."""
from __future__ import annotations

import sqlalchemy as sa

from .. import audit
from ..auth.models import Department, User
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.models import utcnow
from ..extensions import db
from . import clock, workflow
from .models import RecordRequest, RequestFollower, RequestGroup
from .services import Filing, add_event, can_manage, can_view, check_text, get_for, get_managed, new_request


def members(actor: User, group_id: int) -> tuple[RequestGroup, list[RecordRequest], int]:
    """The group's requests the actor may see, and how many others it has; NotFound when none."""
    group = db.session.get(RequestGroup, group_id)
    if group is None:
        raise NotFound("No such group of requests.")
    seen = [r for r in group.requests if can_view(actor, r)]
    if not seen:
        raise NotFound("No such group of requests.")
    return group, seen, len(group.requests) - len(seen)


def split(actor: User, request_id: int, departments: list[Department], reason: str) -> list[RecordRequest]:
    """Send the request also to other departments: one new tracked request each, for the same
    requester, received when the original was (the agency had it then), linked in one group."""
    text = check_text(reason, "reason", limit=2000)
    req = get_managed(actor, request_id)
    if req.status.closed:
        raise Conflict("Reopen a closed request before splitting it.")
    slugs = [d.slug for d in departments]
    if not departments:
        raise Invalid("Choose at least one other department.", fields={"departments": "required"})
    if req.department.slug in slugs or len(set(slugs)) != len(slugs):
        raise Invalid("Choose each other department once, not the request's own.", fields={"departments": "invalid"})
    if req.group is None:
        req.group = RequestGroup(created_by_id=actor.id)
    filing = Filing(req.department, req.title, req.description, req.date_from, req.date_to, req.preferred_format)
    made = [new_request(actor, filing, dept, received_at=req.received_at, group=req.group, requester=req.requester,
                        body=f"Split from request {req.tracking_number}: {dept.name} answers this part. {text}")
            for dept in departments]
    listing = "\n".join(f"  - {r.department.name}: request {r.tracking_number}, due by {r.due_date.isoformat()}"
                        for r in made)
    add_event(actor, req, "split", f"{text}\n\nYour request was also sent to:\n{listing}",
              data={"new": [r.tracking_number for r in made], "group": req.group.id},
              mail_subject=f"Request {req.tracking_number}: also sent to other departments")
    return made


def merge(actor: User, duplicate_id: int, into_id: int, reason: str) -> RecordRequest:
    """Close a duplicate, pointing at the request that survives. The duplicate's requester (and its
    followers) follow the surviving request: they see it and are e-mailed its public events."""
    text = check_text(reason, "reason", required=False, limit=2000)
    dup = get_managed(actor, duplicate_id)
    try:
        into = get_for(actor, into_id)
    except NotFound:
        raise Invalid("No request with that number that you may see.", fields={"into": "unknown"}) from None
    if not can_manage(actor, into):
        raise Forbidden("You may merge only into a request of your own department.")
    if into.id == dup.id:
        raise Invalid("A request cannot be merged into itself.", fields={"into": "same"})
    if into.status.closed:
        raise Conflict(f"Request {into.tracking_number} is closed: reopen it, or merge the other way.")
    workflow.apply(actor, dup.id, "merge")
    dup.duplicate_of = into
    clock.set_closed(dup, utcnow())
    moved = [dup.requester, *(f.user for f in dup.followers)]
    added = []
    for user in moved:
        if user.id != into.requester_id and not any(f.user_id == user.id for f in into.followers):
            into.followers.append(RequestFollower(user=user, reason="merged duplicate", via_request_id=dup.id))
            added.append(user.id)
    db.session.flush()
    add_event(actor, dup, "merge",
              f"This request asks for the same records as request {into.tracking_number}, so it is closed "
              f"as a duplicate of that one. You can follow request {into.tracking_number} in the portal, and "
              f"we will e-mail you each step of it, including any records released. {text}".strip(),
              data={"into": into.id, "into_tracking_number": into.tracking_number},
              mail_subject=f"Request {dup.tracking_number} merged into {into.tracking_number}")
    add_event(actor, into, "merged_in", f"Request {dup.tracking_number} was merged into this one. {text}".strip(),
              public=False, data={"duplicate": dup.id, "followers_added": added})
    audit.record(actor, "request.merge", f"request:{dup.id}",
                 {"into": into.id, "followers_added": added, "reason": text})
    return into


def duplicates_of(req: RecordRequest) -> list[RecordRequest]:
    return list(db.session.scalars(sa.select(RecordRequest).where(RecordRequest.duplicate_of_id == req.id)
                                   .order_by(RecordRequest.id)))
