"""Filing requests (with an account, or by confirming an e-mail address), access, and events.

Services take an explicit actor, flush, and leave the commit to the caller. Every change writes an
audit row in the same transaction; every public event e-mails the requester after the commit.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from .. import audit, mail
from ..auth import services as accounts
from ..auth.models import Department, Role, User
from ..core import ratelimit
from ..core.errors import Forbidden, Invalid, NotFound
from ..core.models import utcnow
from ..extensions import db
from . import clock
from .models import RecordRequest, RequestDraft, RequestEvent, Status, TrackingCounter

MAX_TEXT = 20000
FORMATS = ("any", "electronic", "paper", "inspection")


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


@dataclass
class Filing:
    """What a requester asks for, checked once for both ways of filing."""
    department: Department
    title: str
    description: str
    date_from: date | None = None
    date_to: date | None = None
    preferred_format: str = "any"

    def check(self) -> "Filing":
        self.title = " ".join((self.title or "").split()) if isinstance(self.title, str) else ""
        self.description = (self.description or "").strip() if isinstance(self.description, str) else ""
        fields = {}
        if not 1 <= len(self.title) <= 200:
            fields["title"] = "1 to 200 characters"
        if not 1 <= len(self.description) <= MAX_TEXT:
            fields["description"] = "1 to 20,000 characters"
        if self.date_from and self.date_to and self.date_from > self.date_to:
            fields["date_to"] = "the end of the range is before its start"
        if self.preferred_format not in FORMATS:
            fields["preferred_format"] = "one of " + ", ".join(FORMATS)
        if fields:
            raise Invalid("Please give a title and a description of the records you want.", fields=fields)
        return self


def file_request(actor: User, filing: Filing) -> RecordRequest:
    if actor.email_verified_at is None:
        raise Forbidden("Please confirm your e-mail address before filing a request: we write to "
                        "you at each step, and send records only to a confirmed address.")
    filing.check()
    now = utcnow()
    req = RecordRequest(tracking_number=next_tracking_number(now.year), department=filing.department,
                        requester=actor, title=filing.title, description=filing.description,
                        date_from=filing.date_from, date_to=filing.date_to,
                        preferred_format=filing.preferred_format, status=Status.received, received_at=now,
                        extension_days=0, paused_days=0, published=True)
    law = clock.law_of(req)
    clock.start(req, clock.local_date(now), law.initial_days)
    req.events.append(RequestEvent(kind="filed", at=now, actor=actor, public=True,
                                   body="Request received."))
    db.session.add(req)
    db.session.flush()
    audit.record(actor, "request.file", f"request:{req.id}",
                 {"tracking_number": req.tracking_number, "department": filing.department.slug})
    mail.send(actor.email, f"Request {req.tracking_number} received",
              f"Hello {actor.name},\n\nWe received your records request \"{req.title}\" for "
              f"{filing.department.name}. Its tracking number is {req.tracking_number}.\n\n"
              f"Under {law.name} ({law.citation}) the {law.first_deadline} is due by "
              f"{req.due_date.isoformat()}. We will write to you at each step.\n\n"
              f"Follow it here: {_link(req)}\n")
    return req


def _link(req: RecordRequest) -> str:
    return f"{current_app.config['BASE_URL']}/requests/{req.id}"


# -- filing without an account: a magic link confirms the address ----------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_draft(filing: Filing, *, email: str, name: str, ip: str, limits) -> None:
    """Hold the request and e-mail a confirmation link. Same outcome whether or not the address
    has an account, so filing does not reveal who has one."""
    email, name = accounts.normalise_email(email), accounts.normalise_name(name)
    filing.check()
    ratelimit.check(f"draft:email:{email}", limits["DRAFT_LIMIT"])
    ratelimit.check(f"draft:ip:{ip}", limits["DRAFT_IP_LIMIT"])
    ratelimit.hit(f"draft:email:{email}")
    ratelimit.hit(f"draft:ip:{ip}")
    token = secrets.token_urlsafe(32)
    draft = RequestDraft(token_hash=_token_hash(token), email=email, name=name,
                         department=filing.department, title=filing.title,
                         description=filing.description, date_from=filing.date_from,
                         date_to=filing.date_to, preferred_format=filing.preferred_format)
    db.session.add(draft)
    db.session.flush()
    mail.send(email, "Confirm your records request",
              f"Hello {name},\n\nTo send your records request \"{filing.title}\" to "
              f"{filing.department.name}, confirm your e-mail address by opening this link:\n\n"
              f"{current_app.config['BASE_URL']}/requests/confirm/{token}\n\n"
              "The request is filed, and its clock starts, when you open the link. If you did not "
              "ask for this, ignore this message and nothing will be filed.\n")
    audit.record("anonymous", "request.draft", f"draft:{draft.id}",
                 {"email": email, "department": filing.department.slug, "ip": ip})


def confirm_draft(token: str, max_age: int) -> tuple[RecordRequest, User]:
    """File the held request under the confirmed address (a new password-less requester account
    when there is none). A second use of the link files nothing."""
    draft = db.session.scalar(sa.select(RequestDraft).where(
        RequestDraft.token_hash == _token_hash(token or "")).with_for_update())
    if draft is None or utcnow() - draft.created_at > timedelta(seconds=max_age):
        raise Invalid("This confirmation link is not valid or has expired. Please file the request again.")
    if draft.request_id is not None:
        req = db.session.get(RecordRequest, draft.request_id)
        return req, req.requester
    user = accounts.find_user(draft.email)
    if user is None:
        user = accounts.create_user(None, email=draft.email, name=draft.name, password=None,
                                    role=Role.requester, verified=True)
    elif not user.active:
        raise Invalid("This account is closed. Please contact the records office.")
    elif user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the link proves the address, as the account link would
        audit.record(user, "user.verify_email", f"user:{user.id}", {"via": "request link"})
    req = file_request(user, Filing(draft.department, draft.title, draft.description,
                                    draft.date_from, draft.date_to, draft.preferred_format))
    draft.request_id = req.id
    return req, user


# -- access -------------------------------------------------------------------------------------------

def can_view(actor: User | None, req: RecordRequest) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_admin or actor.id == req.requester_id:
        return True
    return actor.is_staff and actor.department_id == req.department_id


def can_manage(actor: User | None, req: RecordRequest) -> bool:
    """Staff of the request's department, or an admin."""
    return actor is not None and getattr(actor, "is_authenticated", False) and (actor.is_admin or (
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


def visible_events(actor: User, req: RecordRequest) -> list[RequestEvent]:
    return list(req.events) if can_manage(actor, req) else [e for e in req.events if e.public]


# -- events ---------------------------------------------------------------------------------------------

def add_event(actor: User | str, req: RecordRequest, kind: str, body: str = "", *, public: bool = True,
              data: dict | None = None, mail_subject: str | None = None) -> RequestEvent:
    """Append to the timeline, audit it, and e-mail the requester about public events that
    someone else caused."""
    user = actor if isinstance(actor, User) else None
    event = RequestEvent(kind=kind, at=utcnow(), actor=user, body=body, public=public, data=data)
    req.events.append(event)
    db.session.flush()
    audit.record(actor, f"request.{kind}", f"request:{req.id}",
                 {"event": event.id, "status": req.status.value, "public": public, **(data or {})})
    if public and (user is None or user.id != req.requester_id):
        notify_requester(req, mail_subject or f"Request {req.tracking_number}: {kind.replace('_', ' ')}",
                         body)
    return event


def notify_requester(req: RecordRequest, subject: str, body: str) -> None:
    """Mail only to a confirmed address: every delivery names a verified recipient."""
    who = req.requester
    if who.email_verified_at is None or not who.active:
        return
    due = ("The clock is paused while we wait for you." if req.paused
           else f"Due by: {req.due_date.isoformat()}" if req.due_date and not req.status.closed else "")
    mail.send(who.email, subject,
              f"Hello {who.name},\n\n{body.strip() or subject}\n\nRequest {req.tracking_number}: "
              f"{req.title}\nStatus: {req.status.label}\n{due}\n\nSee the whole request and reply: "
              f"{_link(req)}\n")


def notify_assignee(req: RecordRequest, subject: str, body: str) -> None:
    who = req.assignee
    if who is not None and who.active and who.email_verified_at is not None:
        mail.send(who.email, subject, f"{body}\n\n{req.tracking_number}: {req.title}\n{_link(req)}\n")


def check_text(body, name: str = "body", required: bool = True, limit: int = MAX_TEXT) -> str:
    text = body.strip() if isinstance(body, str) else None
    if text is None or (required and not text) or len(text) > limit:
        raise Invalid(f"Write 1 to {limit:,} characters.", fields={name: "invalid"})
    return text
