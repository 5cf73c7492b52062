"""Releases and grants: every copy that leaves is one recipient's own."""
from __future__ import annotations

import secrets
from itertools import groupby
from operator import itemgetter
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app

from .. import audit, mail
from ..auth.models import Role, User
from ..auth.services import create_user, find_user, normalise_email
from ..core.driver import DriverQuery
from ..core.errors import Conflict, Gone, Invalid, NotFound
from ..core.models import MAX_ID, utcnow
from ..extensions import db
from ..jobs import services as jobs
from ..record_requests.models import RecordRequest
from ..record_requests.services import get_managed
from ..records import quarantine
from ..records.models import Disposition, Record
from ..screening.holds import check_release
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
    for person in people:
        for record in records:
            _grant(release, record, person)
    db.session.flush()
    audit.record(actor, "release.create", f"release:{release.id}",
                 {"request": req.tracking_number, "records": ids, "public": public,
                  "recipients": [p.id for p in people],
                  "hold": approved_hold.id if approved_hold is not None else None,
                  "grants": [[g.id, g.recipient_id, g.record_id, g.code] for g in release.grants]})
    for person in people:
        _tell_recipient(person, req, release)
    return release


def _tell_recipient(user: User, req: RecordRequest, release: Release) -> None:
    base = current_app.config["BASE_URL"]
    names = "\n".join(f"  - {r.filename}" for r in release.records)
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
    if not grant.record.blob.scan_status.releasable:  # e.g. found infected by a later scan
        raise Gone("This file is held in quarantine by the virus scanner and cannot be downloaded.")
    if grant.revoked_at is not None:
        raise Gone("This file was withdrawn and can no longer be downloaded"
                   + (f": {grant.revoked_reason}" if grant.revoked_reason else "."))
    if grant.expires_at is not None and grant.expires_at <= utcnow():
        raise Gone("The time to download this file has ended.")
    if grant.recipient is not None and grant.recipient.email_verified_at is None:
        raise Conflict("Confirm your e-mail address before downloading.")


class MyFile(NamedTuple):
    """One row of a recipient's files: plain values (hashable, so a rendered table can be reused)."""
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
    copy_content_type: str | None  # a ZIP: the file inside carries no mark of the recipient's
    deliveries: tuple = ()


class MyDelivery(NamedTuple):
    at: datetime
    ip: str | None
    completed: bool
    sha256: str | None
    copy_sha256: str | None


# Built once: the files page is read on every visit. One query: each grant with its deliveries
# (a grant without any comes once, with NULLs), so the page costs one round trip at any size.
# Plain rows through the driver, not entities: the entities' joined relationships (request,
# department, requester, blob) are not needed.
_MY_FILES = DriverQuery(
    sa.select(Grant.id, Grant.record_id, Record.filename, Record.request_id, RecordRequest.tracking_number,
              Grant.code, Grant.granted_at, Grant.expires_at, Grant.revoked_at, Grant.revoked_reason,
              Record.replaces_id, Grant.copy_content_type, Delivery.id.label("delivery_id"), Delivery.at, Delivery.ip, Delivery.completed,
              Delivery.sha256, Delivery.copy_sha256)
    .join(Record, Record.id == Grant.record_id).join(RecordRequest, RecordRequest.id == Record.request_id)
    .outerjoin(Delivery, Delivery.grant_id == Grant.id)
    .where(Grant.recipient_id == sa.bindparam("recipient_id"))
    .order_by(Grant.granted_at.desc(), Grant.id.desc(), Delivery.id))


def my_grants(actor: User) -> list[MyFile]:
    """The actor's grants, newest first, each with its deliveries (oldest first)."""
    return files_of(my_files_key(actor))


def my_files_key(actor: User) -> tuple[tuple, ...]:
    """The rows of the actor's files as the database driver returns them, unconverted (hashable:
    equal keys mean equal rows, so the files page is reused by this key)."""
    return tuple(_MY_FILES.raw(recipient_id=actor.id))


def files_of(key: tuple[tuple, ...]) -> list[MyFile]:
    """`my_files_key`'s rows as MyFiles."""
    files = []
    for _, group in groupby(_MY_FILES.convert(key), key=itemgetter(0)):  # a grant's rows are adjacent
        group = list(group)
        files.append(MyFile(*group[0][:12], deliveries=tuple(
            MyDelivery(*row[13:]) for row in group if row[12] is not None)))
    return files


# A row of _MY_FILES starts with MyFile's fields, in order.
_RECORD_ID, _REPLACES_ID = MyFile._fields.index("record_id"), MyFile._fields.index("replaces_id")


def replacements_in(key: tuple[tuple, ...]) -> list[int]:
    """The redacted replacements among `my_files_key`'s rows."""
    return [row[_RECORD_ID] for row in key if row[_REPLACES_ID] is not None]


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
