"""Releases and grants: every copy that leaves is one recipient's own."""
from __future__ import annotations

import hashlib
import json
import secrets
from itertools import groupby
from operator import itemgetter
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from .. import audit, mail
from ..auth.models import Role, User
from ..auth.services import create_user, find_user, normalise_email
from ..core.errors import Conflict, Gone, Invalid, NotFound
from ..core.models import MAX_ID, utcnow
from ..extensions import db
from ..jobs import services as jobs
from ..record_requests.models import RecordRequest
from ..record_requests.services import get_managed
from ..records import quarantine
from ..records.models import Disposition, Record
from ..screening.holds import approve as approve_hold, check_release
from ..redaction.services import check_releasable
from ..watermark import derive
from .models import CopyState, Delivery, Grant, Release


def new_code() -> str:
    """A codeword for a new grant, unique among all grants."""
    key = current_app.config["WATERMARK_KEY"].encode()
    while True:
        code = derive(key, secrets.token_hex(16)).text
        if db.session.scalar(sa.select(Grant.id).where(Grant.code == code)) is None:
            return code


def new_codes(count: int) -> list[str]:
    """`count` codewords for new grants, unique among themselves and all grants: one query per
    thousand rather than one per grant."""
    key = current_app.config["WATERMARK_KEY"].encode()
    codes: set[str] = set()
    while len(codes) < count:
        fresh = {derive(key, secrets.token_hex(16)).text for _ in range(count - len(codes))} - codes
        for chunk in _chunks(sorted(fresh), 1000):
            fresh -= set(db.session.scalars(sa.select(Grant.code).where(Grant.code.in_(chunk))))
        codes |= fresh
    return list(codes)


def _chunks(items: list, size: int):
    return (items[i:i + size] for i in range(0, len(items), size))


def _insert_grants(release: Release, records: list[Record], people: list[User]) -> None:
    """Every recipient's grant of every record, in one INSERT per thousand rows: a release of
    9,000 photos to two recipients is 18,000 grants, made in well under a second."""
    days = current_app.config.get("GRANT_DAYS")
    now = utcnow()
    expires = now + timedelta(days=days) if days else None
    pairs = [(person, record) for person in people for record in records]
    rows = [{"release_id": release.id, "record_id": record.id, "recipient_id": person.id, "code": code,
             "granted_at": now, "expires_at": expires}
            for (person, record), code in zip(pairs, new_codes(len(pairs)))]
    for chunk in _chunks(rows, 1000):
        db.session.execute(sa.insert(Grant), chunk)
    db.session.expire(release, ["grants"])


# Audit rows list a release's records and grants up to this many; a larger release is
# summarised (count, id range, and a SHA-256 of the full list, which the grants table can be
# checked against) so one release of 9,000 photos does not write a megabyte into the chain.
AUDIT_LISTED = 200


def _summary(ids: list[int]) -> dict:
    return {"count": len(ids), "first": min(ids), "last": max(ids),
            "sha256": hashlib.sha256(json.dumps(ids).encode()).hexdigest()}


def _grants_for_audit(release: Release):
    grants = [[gid, rid, rec, code] for gid, rid, rec, code in db.session.execute(
        sa.select(Grant.id, Grant.recipient_id, Grant.record_id, Grant.code)
        .where(Grant.release_id == release.id).order_by(Grant.id))]
    if len(grants) <= AUDIT_LISTED:
        return grants
    return {"count": len(grants), "first": grants[0][0], "last": grants[-1][0],
            "sha256": hashlib.sha256(json.dumps(grants).encode()).hexdigest(),
            "listed_as": "[[grant id, recipient id, record id, code], ...] in grant id order"}


def _grant(release: Release, record: Record, recipient: User | None, label: str | None = None) -> Grant:
    days = current_app.config.get("GRANT_DAYS")
    grant = Grant(release=release, record=record, recipient=recipient, public_label=label,
                  code=new_code(), expires_at=utcnow() + timedelta(days=days) if days else None)
    db.session.add(grant)
    return grant


def _recipient(actor: User, email: str) -> User:
    """An added recipient: an existing account, or a new one that must confirm its address."""
    return _usable_address(email) or create_user(actor, email=normalise_email(email), name=email.split("@")[0],
                                                 password=None, role=Role.requester)


def _usable_address(email: str) -> User | None:
    """The account of an address that may receive files (None if it has none yet); Invalid otherwise."""
    try:
        normalise_email(email)
    except Invalid as exc:
        raise Invalid(f"{email.strip()[:100]} is not a valid e-mail address.",
                      fields={"recipients": "invalid"}) from exc
    user = find_user(email)
    if user is not None and not user.active:
        raise Invalid(f"{user.email} is deactivated and cannot receive files.", fields={"recipients": "inactive"})
    return user


def create_release(actor: User, request_id: int, record_ids: list[int], *,
                   recipients: list[str] = (), public: bool = False, row_order_free: bool = False,
                   content_marks: bool = False, approved_hold=None) -> Release:
    """Release records to the requester and `recipients`, each their own copy.

    Screening runs first: a flagged record raises ScreeningHold (409) and nothing is released,
    unless this is the approval of that hold (`approved_hold`).
    """
    req = get_managed(actor, request_id)
    ids = sorted({int(i) for i in record_ids})
    if not ids:
        raise Invalid("Choose at least one record to release.", fields={"record_ids": "empty"})
    in_range = [i for i in ids if 0 < i <= MAX_ID]  # a larger id would overflow the column: unknown
    records = list(db.session.scalars(sa.select(Record).where(Record.id.in_(in_range),
                                                             Record.request_id == req.id)))
    if len(records) != len(ids):
        raise Invalid("Some of those records are not part of this request.", fields={"record_ids": "unknown"})
    withheld = [r.filename for r in records if r.disposition == Disposition.withhold]
    if withheld:
        raise Conflict(f"Withheld records cannot be released: {', '.join(withheld)}.")
    quarantine.check_releasable(records)
    check_releasable(records)  # draft redactions, or a redacted copy that failed verification
    for email in recipients:  # before a hold keeps them: an address that cannot be used fails now
        if email and email.strip():
            _usable_address(email)
    if approved_hold is None:
        check_release(actor, req, records, list(recipients),
                      {"public": public, "row_order_free": row_order_free, "content_marks": content_marks})
    # Followers (requesters of duplicates merged into this request) receive the records too.
    followers = [f.user for f in req.followers if f.user.active]
    people = [req.requester, *followers] + [_recipient(actor, e) for e in recipients if e and e.strip()]
    people = list({u.id: u for u in people}.values())
    release = Release(request_id=req.id, released_by_id=actor.id, public=public,
                      row_order_free=row_order_free, content_marks=content_marks, records=records)
    db.session.add(release)
    db.session.flush()
    _insert_grants(release, records, people)
    audit.record(actor, "release.create", f"release:{release.id}",
                 {"request": req.tracking_number, "records": ids if len(ids) <= AUDIT_LISTED else _summary(ids),
                  "public": public, "recipients": [p.id for p in people],
                  "hold": approved_hold.id if approved_hold is not None else None,
                  "grants": _grants_for_audit(release)})
    for person in people:
        _tell_recipient(person, req, release)
    return release


def release_cleared_hold(hold) -> Release:
    """A release held only while the screen was still reading (OCR in the worker), which then
    found nothing: made as first asked, in the name of the person who asked."""
    from ..screening.models import HoldStatus
    actor = hold.requested_by
    release = create_release(actor, hold.request_id, hold.record_ids, recipients=hold.recipients,
                             approved_hold=hold, **hold.options)
    hold.status, hold.decided_at, hold.release_id = HoldStatus.cleared, utcnow(), release.id
    hold.reason = "The screen finished reading every file and found nothing to hold."
    audit.record("system", "hold.clear", f"hold:{hold.id}", {"release": release.id, "requested_by": actor.id})
    return release


def release_approved_hold(actor: User, hold_id: int, reason: str) -> Release:
    """A held release, approved by a second person (screening decides), made as it was asked for."""
    hold = approve_hold(actor, hold_id, reason)
    release = create_release(actor, hold.request_id, hold.record_ids, recipients=hold.recipients,
                             approved_hold=hold, **hold.options)
    hold.release_id = release.id
    return release


def _tell_recipient(user: User, req: RecordRequest, release: Release) -> None:
    base = current_app.config["BASE_URL"]
    names = "\n".join(f"  - {r.filename}" for r in release.records[:50])
    if len(release.records) > 50:
        names += f"\n  ... and {len(release.records) - 50:,} more"
    confirm = ("" if user.email_verified_at else
               "\nBefore you can download, confirm your e-mail address: use 'Forgot your password?' "
               f"at {base}/reset to set a password for your account.\n")
    mail.send(user.email, f"Records released: request {req.tracking_number}",
              f"Hello {user.name},\n\nRecords were released to you in response to request "
              f"{req.tracking_number}:\n{names}\n\nSign in to download them: {base}/me/files\n{confirm}\n"
              "Each file you download is your own copy: it carries a notice and a code that identify "
              "it as yours, and each download is logged. Your files page explains exactly what.\n")


# -- the recipient's side -------------------------------------------------------------------

def grant_for(actor: User, grant_id: int) -> Grant:
    """The actor's own grant; anyone else's is NotFound."""
    grant = db.session.get(Grant, grant_id)
    if grant is None or actor is None or grant.recipient_id != actor.id:
        raise NotFound("No such file.")
    return grant


def check_usable(grant: Grant) -> None:
    # The recipient reads these (on the page, in their language): the only service messages here
    # that are translated.
    if not grant.record.blob.scan_status.releasable:  # e.g. found infected by a later scan
        raise Gone(_("This file is held in quarantine by the virus scanner and cannot be downloaded."))
    if grant.revoked_at is not None:
        reason = grant.revoked_reason
        raise Gone(_("This file was withdrawn and can no longer be downloaded: %(reason)s", reason=reason)
                   if reason else _("This file was withdrawn and can no longer be downloaded."))
    if grant.expires_at is not None and grant.expires_at <= utcnow():
        raise Gone(_("The time to download this file has ended."))
    if grant.recipient is not None and grant.recipient.email_verified_at is None:
        raise Conflict(_("Confirm your e-mail address before downloading."))


class MyFile(NamedTuple):
    """One row of a recipient's files."""
    id: int
    record_id: int
    filename: str
    request_id: int
    tracking_number: str
    code: str
    granted_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str | None
    replaces_id: int | None  # a redacted replacement: the page says what was taken out
    release_id: int
    copy_content_type: str | None  # a ZIP: the file inside carries no mark of the recipient's
    deliveries: tuple = ()


class MyDelivery(NamedTuple):
    at: datetime
    ip: str | None
    completed: bool
    sha256: str | None
    copy_sha256: str | None
    bundle_id: int | None  # sent inside that bundle (the whole release as one ZIP)


# One query: each grant with its deliveries (a grant without any comes once, with NULLs), so the
# page costs one round trip at any size; grants_recipient_granted (migration 0011) gives the order.
# Columns, not entities: the entities' joined relationships (request, department, requester, blob)
# are not needed.
_MY_FILES = (
    sa.select(Grant.id, Grant.record_id, Record.filename, Record.request_id, RecordRequest.tracking_number,
              Grant.code, Grant.granted_at, Grant.expires_at, Grant.revoked_at, Grant.revoked_reason,
              Record.replaces_id, Grant.release_id, Grant.copy_content_type, Delivery.id.label("delivery_id"),
              Delivery.at, Delivery.ip, Delivery.completed, Delivery.sha256, Delivery.copy_sha256, Delivery.bundle_id)
    .join(Record, Record.id == Grant.record_id).join(RecordRequest, RecordRequest.id == Record.request_id)
    .outerjoin(Delivery, Delivery.grant_id == Grant.id)
    .where(Grant.recipient_id == sa.bindparam("recipient_id"))
    .order_by(Grant.granted_at.desc(), Grant.id.desc(), Delivery.id))


_DELIVERY_ID = len(MyFile._fields) - 1     # the columns before it are MyFile's, after it MyDelivery's


def my_grants(actor: User) -> list[MyFile]:
    """The actor's grants, newest first, each with its deliveries (oldest first)."""
    files = []
    rows = db.session.execute(_MY_FILES, {"recipient_id": actor.id})
    for _, group in groupby(rows, key=itemgetter(0)):  # a grant's rows are adjacent
        group = list(group)
        files.append(MyFile(*group[0][:_DELIVERY_ID], deliveries=tuple(
            MyDelivery(*row[_DELIVERY_ID + 1:]) for row in group if row[_DELIVERY_ID] is not None)))
    return files


class Preparing(Exception):
    """The copy is being made by the worker; ask again later."""

    retry_after = 5


def ready_copy(grant: Grant) -> Grant:
    """Make sure the grant's copy exists: made now, or queued for the worker (Preparing)."""
    from . import copies
    if grant.copy_state == CopyState.ready:
        return grant
    if copies.needs_job(grant):
        if grant.copy_state != CopyState.preparing:
            grant.copy_state = CopyState.preparing
            jobs.enqueue("make_copy", grant.id)
        raise Preparing()
    copies.make_copy(grant)
    return grant


# -- the public library ---------------------------------------------------------------------

def public_records() -> list[Record]:
    return list(db.session.scalars(
        sa.select(Record).join(Release.records).where(Release.public.is_(True))
        .order_by(Record.id.desc()).distinct().limit(500)))


def public_records_of(request_id: int) -> list[Record]:
    return list(db.session.scalars(
        sa.select(Record).join(Release.records).where(Release.public.is_(True), Release.request_id == request_id)
        .order_by(Record.id).distinct()))


def public_grant(record_id: int) -> Grant:
    """Each public download is its own anonymous grant, with its own mark and log row."""
    release = db.session.scalar(
        sa.select(Release).join(Release.records).where(Release.public.is_(True), Record.id == record_id)
        .order_by(Release.id.desc()).limit(1))
    if release is None:
        raise NotFound("No such public record.")
    record = db.session.get(Record, record_id)
    grant = _grant(release, record, None, label=secrets.token_hex(6))
    db.session.flush()
    return grant


def released_request_ids(request_ids: list[int]) -> set[int]:
    """Which of these requests have had records released (one query, for a list page)."""
    if not request_ids:
        return set()
    return set(db.session.scalars(sa.select(Release.request_id).distinct().where(Release.request_id.in_(request_ids))))
