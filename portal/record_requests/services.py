"""Filing requests (with an account, or by confirming an e-mail address), access, and events.

Services take an explicit actor, flush, and leave the commit to the caller. Every change writes an
audit row in the same transaction; every public event e-mails the requester after the commit.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from .. import audit, mail
from ..auth import services as accounts
from ..auth.models import Department, Role, User
from ..core import ratelimit
from ..core.errors import Forbidden, Invalid, NotFound, TooManyAttempts
from ..core.models import utcnow
from ..extensions import db
from . import clock
from .models import (RecordRequest, RequestDraft, RequestEvent, RequestFollower, RequestGroup, Status,
                     TrackingCounter)

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
    also: list[Department] = field(default_factory=list)   # further departments: one request each

    @property
    def departments(self) -> list[Department]:
        return [self.department, *self.also]

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
        slugs = [d.slug for d in self.departments if d is not None]
        if len(set(slugs)) != len(slugs):
            fields["departments"] = "a department is named twice"
        elif len(slugs) > current_app.config["MAX_DEPARTMENTS_PER_FILING"]:
            fields["departments"] = f"at most {current_app.config['MAX_DEPARTMENTS_PER_FILING']}"
        if fields:
            raise Invalid("Please give a title and a description of the records you want.", fields=fields)
        return self


def file_request(actor: User, filing: Filing, *, limit: tuple[int, int] | None = None) -> RecordRequest:
    """File the request; to several departments, one tracked request each, linked in a group.
    Returns the first. `limit` (count, seconds): filings one person may make per window."""
    if actor.email_verified_at is None:
        raise Forbidden("Please confirm your e-mail address before filing a request: we write to "
                        "you at each step, and send records only to a confirmed address.")
    filing.check()
    if limit is not None:
        _filing_limit(actor, limit)
    now = utcnow()
    group = None
    if filing.also:
        group = RequestGroup(created_by_id=actor.id)
        db.session.add(group)
    reqs = [new_request(actor, filing, dept, received_at=now, group=group, body="Request received.")
            for dept in filing.departments]
    if group is not None:
        db.session.flush()
        audit.record(actor, "request.file_group", f"group:{group.id}",
                     {"requests": [r.tracking_number for r in reqs]})
    first = reqs[0]
    if group is None:
        law = clock.law_of(first)
        mail.send(actor.email, f"Request {first.tracking_number} received",
                  f"Hello {actor.name},\n\nWe received your records request \"{first.title}\" for "
                  f"{first.department.name}. Its tracking number is {first.tracking_number}.\n\n"
                  f"Under {law.name} ({law.citation}) the {law.first_deadline} is due by "
                  f"{first.due_date.isoformat()}. We will write to you at each step.\n\n"
                  f"Follow it here: {_link(first)}\n")
        return first
    lines = []
    for req in reqs:
        law = clock.law_of(req)
        lines.append(f"{req.department.name}: tracking number {req.tracking_number}. Under {law.name} "
                     f"({law.citation}) the {law.first_deadline} is due by {req.due_date.isoformat()}.\n"
                     f"  Follow it here: {_link(req)}")
    mail.send(actor.email, f"Your request to {len(reqs)} departments was received",
              f"Hello {actor.name},\n\nWe received your records request \"{first.title}\". Each department "
              "answers it separately, with its own tracking number and due date:\n\n" + "\n\n".join(lines)
              + f"\n\nFollow them together here: {current_app.config['BASE_URL']}/requests/groups/{group.id}\n\n"
              "We will write to you at each step.\n")
    return first


def new_request(actor: User, filing: Filing, department: Department, *, received_at, group=None,
                body: str, requester: User | None = None) -> RecordRequest:
    """One tracked request with its own number and clock (filing, or a split). No mail here."""
    req = RecordRequest(tracking_number=next_tracking_number(utcnow().year), department=department,
                        requester=requester or actor, title=filing.title, description=filing.description,
                        date_from=filing.date_from, date_to=filing.date_to,
                        preferred_format=filing.preferred_format, status=Status.received,
                        received_at=received_at, extension_days=0, paused_days=0, published=True, group=group)
    db.session.add(req)
    clock.start(req, clock.local_date(received_at), clock.law_of(req).initial_days)
    req.events.append(RequestEvent(kind="filed", at=utcnow(), actor=actor, public=True, body=body))
    db.session.flush()
    audit.record(actor, "request.file", f"request:{req.id}",
                 {"tracking_number": req.tracking_number, "department": department.slug,
                  "group": group.id if group is not None else None})
    return req


def _link(req: RecordRequest) -> str:
    return f"{current_app.config['BASE_URL']}/requests/{req.id}"


def _filing_limit(actor: User, limit: tuple[int, int]) -> None:
    bucket = f"filing:user:{actor.id}"
    try:
        ratelimit.check(bucket, limit)
    except TooManyAttempts as exc:
        raise TooManyAttempts(_("You have filed %(count)s requests in the last %(minutes)s minutes, the "
                                "most the portal accepts. Please wait before filing another, or add to one "
                                "of your open requests.", count=limit[0], minutes=limit[1] // 60),
                              retry_after=limit[1]) from exc
    ratelimit.hit(bucket)


# -- filing without an account: a magic link confirms the address ----------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_draft(filing: Filing, *, email: str, name: str, ip: str, limits) -> None:
    """Hold the request and e-mail a confirmation link. Same outcome whether or not the address
    has an account, so filing does not reveal who has one."""
    email, name = accounts.normalise_email(email), accounts.normalise_name(name)
    filing.check()
    ratelimit.take(f"draft:email:{email}", limits["DRAFT_LIMIT"])
    ratelimit.take(f"draft:ip:{ip}", limits["DRAFT_IP_LIMIT"])
    token = secrets.token_urlsafe(32)
    draft = RequestDraft(token_hash=_token_hash(token), email=email, name=name,
                         department=filing.department, title=filing.title,
                         description=filing.description, date_from=filing.date_from,
                         date_to=filing.date_to, preferred_format=filing.preferred_format,
                         other_departments=[d.slug for d in filing.also] or None)
    db.session.add(draft)
    db.session.flush()
    mail.send(email, "Confirm your records request",
              f"Hello {name},\n\nTo send your records request \"{filing.title}\" to "
              f"{', '.join(d.name for d in filing.departments)}, confirm your e-mail address by opening this link:\n\n"
              f"{current_app.config['BASE_URL']}/requests/confirm/{token}\n\n"
              "The request is filed, and its clock starts, when you open the link and press the button "
              "there. If you did not "
              "ask for this, ignore this message and nothing will be filed.\n")
    audit.record("anonymous", "request.draft", f"draft:{draft.id}",
                 {"email": email, "departments": [d.slug for d in filing.departments], "ip": ip})


def draft_of(token: str, max_age: int, *, lock: bool = False) -> RequestDraft:
    """The held request a confirmation link names, while the link is valid."""
    query = sa.select(RequestDraft).where(RequestDraft.token_hash == _token_hash(token or ""))
    draft = db.session.scalar(query.with_for_update() if lock else query)
    if draft is None or utcnow() - draft.created_at > timedelta(seconds=max_age):
        raise Invalid("This confirmation link is not valid or has expired. Please file the request again.")
    return draft


def confirm_draft(token: str, max_age: int) -> tuple[RecordRequest, User, bool]:
    """File the held request under the confirmed address (a new password-less requester account
    when there is none); the flag says whether this call filed it. A second use files nothing."""
    draft = draft_of(token, max_age, lock=True)
    if draft.request_id is not None:
        req = db.session.get(RecordRequest, draft.request_id)
        return req, req.requester, False
    user = accounts.find_user(draft.email)
    if user is None:
        user = accounts.create_user(None, email=draft.email, name=draft.name, password=None,
                                    role=Role.requester, verified=True)
    elif not user.active:
        raise Invalid("This account is closed. Please contact the records office.")
    elif user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the link proves the address, as the account link would
        audit.record(user, "user.verify_email", f"user:{user.id}", {"via": "request link"})
    also = [department_by_slug(slug) for slug in draft.other_departments or []]
    req = file_request(user, Filing(draft.department, draft.title, draft.description,
                                    draft.date_from, draft.date_to, draft.preferred_format, also))
    draft.request_id = req.id
    return req, user, True


# -- access -------------------------------------------------------------------------------------------

def can_view(actor: User | None, req: RecordRequest) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_admin or actor.id == req.requester_id:
        return True
    if actor.is_staff and actor.department_id == req.department_id:
        return True
    return is_follower(actor, req)


def is_follower(actor: User, req: RecordRequest) -> bool:
    return db.session.scalar(sa.select(RequestFollower.id).where(
        RequestFollower.request_id == req.id, RequestFollower.user_id == actor.id)) is not None


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
    """Mail the requester, and the followers (requesters of duplicates merged into this one).
    Only to confirmed addresses: every delivery names a verified recipient."""
    for who in [req.requester, *(f.user for f in req.followers)]:
        if who.email_verified_at is None or not who.active:
            continue
        follower = who.id != req.requester_id
        due = ("The clock is paused while we wait for the requester." if req.paused and follower
               else "The clock is paused while we wait for you." if req.paused
               else f"Due by: {req.due_date.isoformat()}" if req.due_date and not req.status.closed else "")
        why = ("\nYou receive this because your own request was merged into this one as a duplicate.\n"
               if follower else "")
        mail.send(who.email, subject,
                  f"Hello {who.name},\n\n{body.strip() or subject}\n\nRequest {req.tracking_number}: "
                  f"{req.title}\nStatus: {req.status.label}\n{due}\n{why}\n"
                  f"See the whole request{'' if follower else ' and reply'}: {_link(req)}\n")


def notify_assignee(req: RecordRequest, subject: str, body: str) -> None:
    who = req.assignee
    if who is not None and who.active and who.email_verified_at is not None:
        mail.send(who.email, subject, f"{body}\n\n{req.tracking_number}: {req.title}\n{_link(req)}\n")


def check_text(body, name: str = "body", required: bool = True, limit: int = MAX_TEXT) -> str:
    text = body.strip() if isinstance(body, str) else None
    if text is None or (required and not text) or len(text) > limit:
        raise Invalid(f"Write 1 to {limit:,} characters.", fields={name: "invalid"})
    return text
