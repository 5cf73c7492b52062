"""Sending digests and reminders once: each mail is queued with its sent-marker, whose unique key
refuses a second one for the same person, kind and day (another worker, or a second run)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from .. import audit, mail
from ..auth.models import Role, User
from ..core.models import utcnow
from ..extensions import db
from ..mail import deliver_pending_after_commit
from ..record_requests import clock
from ..record_requests import deadlines as dl
from . import services
from .models import DigestSent


def _sent(user_id: int, kind: str, ref: int, day: date) -> bool:
    return db.session.scalar(sa.select(DigestSent.id).where(
        DigestSent.user_id == user_id, DigestSent.kind == kind, DigestSent.ref == ref, DigestSent.day == day)) is not None


def _once(user: User, kind: str, day: date, subject: str, body: str, ref: int = 0) -> bool:
    """Queue the mail and its marker together, then commit; False when it was already sent."""
    try:
        with db.session.begin_nested():
            queued = mail.send(user.email, subject, body)
            db.session.add(DigestSent(user_id=user.id, kind=kind, ref=ref, day=day, mail_id=queued.id))
            db.session.flush()
    except IntegrityError:  # someone else sent it first
        return False
    audit.record("system", f"digest.{kind}", f"user:{user.id}", {"day": day.isoformat(), "ref": ref})
    db.session.commit()
    deliver_pending_after_commit()
    return True


def _link(req) -> str:
    return f"{current_app.config['BASE_URL']}/requests/{req.id}"


def _staff_body(user: User, digest: services.StaffDigest) -> str:
    parts = [f"Hello {user.name},\n\nYour records requests today:"]
    for title, rows in digest.sections():
        if rows:
            parts.append(f"{title} ({len(rows)}):\n" + "\n".join(
                f"  {r.tracking_number}  due {r.due_date.isoformat() if r.due_date else '-'}  {r.title}\n    {_link(r)}"
                for r in rows))
    parts.append(f"Your page of requests: {current_app.config['BASE_URL']}/staff/digest")
    return "\n\n".join(parts) + "\n"


def _admin_body(user: User, lines: list[services.DepartmentLine]) -> str:
    rows = "\n".join(f"  {line.department.name}: {line.open} open, {line.overdue} overdue, {line.due_soon} due soon, "
                     f"{line.unassigned} unassigned, {line.awaiting_requester} waiting on the requester"
                     for line in lines)
    return (f"Hello {user.name},\n\nOpen records requests by department today:\n\n{rows}\n\n"
            f"The queue: {current_app.config['BASE_URL']}/staff/requests\n")


def _reminder_body(req, by: date) -> str:
    what = (f"the fee estimate of {req.pending_fee.amount}" if req.pending_fee is not None
            else "our question about your request")
    return (f"Hello {req.requester.name},\n\nWe are still waiting for your answer to {what}. Please answer by "
            f"{by.isoformat()}; the clock of your request is paused until you do, and a request left without an "
            f"answer may be closed after that date.\n\nRequest {req.tracking_number}: {req.title}\n"
            f"Answer here: {_link(req)}\n")


def _recipients(query) -> list[User]:
    return list(db.session.scalars(query.where(User.active.is_(True), User.email_verified_at.is_not(None))
                                   .order_by(User.id)))


def send_all(on: date | None = None, *, digests: bool = True) -> dict:
    """Every digest and reminder of the day `on` (the agency's today by default), each at most
    once; without `digests`, only the requesters' reminders."""
    on = on or clock.today()
    counts = {"staff": 0, "admin": 0, "reminders": 0}
    if digests:
        _send_digests(on, counts)
    for req, by in services.reminders_due(on, current_app.config["REMINDER_DAYS_BEFORE"]):
        who = req.requester
        if who.active and who.email_verified_at is not None and not _sent(who.id, "respond_by", req.id, by):
            counts["reminders"] += _once(who, "respond_by", by, f"Request {req.tracking_number}: please answer by "
                                         f"{by.isoformat()}", _reminder_body(req, by), ref=req.id)
    return counts


def _send_digests(on: date, counts: dict) -> None:
    for user in _recipients(sa.select(User).where(User.role.in_([Role.staff, Role.admin]))):
        if _sent(user.id, "staff", 0, on):
            continue
        digest = services.staff_digest(user, on)
        if not digest.empty:
            counts["staff"] += _once(user, "staff", on, f"Your records requests on {on.isoformat()}",
                                     _staff_body(user, digest))
    lines = services.department_summary(on)
    if lines:
        for user in _recipients(sa.select(User).where(User.role == Role.admin)):
            if not _sent(user.id, "admin", 0, on):
                counts["admin"] += _once(user, "admin", on, f"Records requests by department on {on.isoformat()}",
                                         _admin_body(user, lines))


def send_if_due(now: datetime | None = None) -> dict | None:
    """The worker's daily turn: once the agency's clock passes DIGEST_HOUR. The markers make a
    repeat harmless; remembering the day only saves the queries. On a day the office is closed
    (weekend, federal holiday, closure day) staff and admins get no digest; requesters' reminders
    still go, since their dates do not wait."""
    cfg, ext = current_app.config, current_app.extensions
    now = (now or utcnow()).astimezone(ZoneInfo(cfg["AGENCY_TIMEZONE"]))
    if cfg["DIGEST_HOUR"] is None or now.hour < cfg["DIGEST_HOUR"] or ext.get("portal.digest_day") == now.date():
        return None
    done = send_all(now.date(), digests=dl.is_business_day(dl.law_for(None), now.date(), clock.closures()))
    ext["portal.digest_day"] = now.date()
    return done
