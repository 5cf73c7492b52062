"""Holds: a release with a flagged record is not made; a second person decides."""
from __future__ import annotations

import sqlalchemy as sa

from flask import current_app

from .. import audit, mail
from ..auth.models import Role, User
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.models import utcnow
from ..extensions import db
from ..record_requests.models import RecordRequest
from ..record_requests.services import can_manage
from ..records.models import Disposition, Record
from .models import Hold, HoldStatus
from .engine import ALWAYS_HOLD
from .services import full_screen_later, screen_records


class ScreeningHold(Conflict):
    """409 screening_hold. The hold must outlive the request's rollback, so `keep` writes it again."""
    code = "screening_hold"
    keeps = True

    def __init__(self, hold: Hold, write):
        self._write = write
        super().__init__(
            f"Screening flagged {len({m['record_id'] for m in hold.matches})} record(s); nothing was released. "
            "A second staff member or an administrator must approve the release, or remove or replace "
            "the flagged records.", hold_id=hold.id, matches=hold.matches)
        self.hold_id = hold.id

    def keep(self) -> None:
        hold = self._write()
        self.hold_id = self.extra["hold_id"] = hold.id


def check_release(actor: User, req: RecordRequest, records: list[Record], recipients: list[str],
                  options: dict) -> None:
    """Screen the records of a release about to be made; raise ScreeningHold if any is flagged."""
    screens = screen_records(records)
    flagged = [s for s in screens if s.flagged]
    faces = faces_item(actor, req, records, recipients)
    if not flagged and faces is None:
        return
    pending = sorted({s.record.blob_id for s in flagged
                      if any(f["kind"] in ALWAYS_HOLD for f in s.findings)})
    fields = dict(request_id=req.id, requested_by_id=actor.id,
                  record_ids=sorted(r.id for r in records),
                  recipients=sorted({e.strip().lower() for e in recipients if e and e.strip()}),
                  options=options, matches=[item for s in flagged for item in s.items()] + ([faces] if faces else []))

    def write() -> Hold:
        hold = Hold(**fields)
        db.session.add(hold)
        for blob_id in pending:     # again after the 409's rollback: the worker must screen them
            full_screen_later(blob_id)
        db.session.flush()
        audit.record(actor, "hold.create", f"hold:{hold.id}",
                     {"request": req.tracking_number, "records": fields["record_ids"],
                      "flagged": sorted({m["record_id"] for m in fields["matches"]}),
                      "kinds": sorted({m["kind"] for m in fields["matches"]}),
                      "recipients": fields["recipients"]})
        _ask_reviewers(actor, req, hold)
        return hold

    raise ScreeningHold(write(), write)


def _ask_reviewers(actor: User, req: RecordRequest, hold: Hold) -> None:
    """Tell the department's other staff that a release waits for a second look (no match details
    in mail: they are on the hold page, behind a login)."""
    base = current_app.config["BASE_URL"]
    reviewers = db.session.scalars(sa.select(User).where(
        User.role == Role.staff, User.department_id == req.department_id, User.active.is_(True),
        User.id != actor.id))
    for user in reviewers:
        mail.send(user.email, f"A release of request {req.tracking_number} is held for a second look",
                  f"Hello {user.name},\n\nThe pre-release screen held a release that {actor.name} asked for "
                  f"in request {req.tracking_number}. Nothing has been released. Please review it and "
                  f"approve it with a reason, or dismiss it:\n\n  {base}/staff/holds/{hold.id}\n")


def get_hold(actor: User, hold_id: int) -> Hold:
    """The hold if the actor manages its request; anyone else gets NotFound."""
    hold = db.session.get(Hold, hold_id)
    if hold is None or not can_manage(actor, db.session.get(RecordRequest, hold.request_id)):
        raise NotFound("No such hold.")
    return hold


def _open(hold: Hold) -> None:
    if hold.status != HoldStatus.open:
        raise Conflict(f"This hold was already {hold.status.value}.")


def approve(actor: User, hold_id: int, reason: str) -> Hold:
    """A second staff member of the department, or an admin, decides that what was held may go.

    The decision only: releasing is the disclosures area's (`release_approved_hold`, which calls
    this and then releases in the same transaction, naming the release on the hold)."""
    hold = get_hold(actor, hold_id)
    if actor.id == hold.requested_by_id:
        raise Forbidden("The person who asked for a release cannot approve it: a second person must look.")
    _open(hold)
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > 2000:
        raise Invalid("Say why the flagged records may be released (1 to 2,000 characters).",
                      fields={"reason": "required"})
    records = list(db.session.scalars(sa.select(Record).where(Record.id.in_(hold.record_ids))))
    if len(records) != len(hold.record_ids) or any(r.disposition == Disposition.withhold for r in records):
        raise Conflict("A held record was since withheld or removed; release again with the records as they are now.")
    hold.status, hold.decided_by_id, hold.decided_at, hold.reason = HoldStatus.approved, actor.id, utcnow(), reason
    audit.record(actor, "hold.approve", f"hold:{hold.id}", {"reason": reason, "requested_by": hold.requested_by_id})
    return hold


def dismiss(actor: User, hold_id: int, reason: str) -> Hold:
    """Staff drop the held release (to remove or replace a record and release again)."""
    hold = get_hold(actor, hold_id)
    _open(hold)
    reason = ((reason or "").strip() if isinstance(reason, str) else "")[:2000] or "Dismissed"
    hold.status, hold.decided_by_id, hold.decided_at, hold.reason = HoldStatus.dismissed, actor.id, utcnow(), reason
    audit.record(actor, "hold.dismiss", f"hold:{hold.id}", {"reason": reason})
    return hold


def faces_item(actor: User, req: RecordRequest, records: list[Record], recipients: list[str]) -> dict | None:
    """A release of many photos showing faces to anyone outside the agency is held: more than
    SCREENING_FACES_MAX such photos can never go out on one person's click."""
    from .services import faces_in
    limit = current_app.config["SCREENING_FACES_MAX"]
    photos = [r for r in records if r.content_type.startswith("image/")]
    if len(photos) <= limit or not _outsiders(req, recipients):
        return None
    counts = faces_in(list({r.blob_id: r.blob for r in photos}.values()))
    with_faces = [r for r in photos if counts[r.blob_id] > 0]
    if len(with_faces) <= limit:
        return None
    return {"record_id": with_faces[0].id, "filename": f"{len(with_faces)} photos", "kind": "faces",
            "where": "release", "holds": True, "face_record_ids": [r.id for r in with_faces],
            "detail": f"{len(with_faces)} photos show faces (the limit without a second look is {limit})"}


def _outsiders(req: RecordRequest, recipients: list[str]) -> bool:
    """Whether anyone the release goes to is outside the agency (not staff or an admin)."""
    from ..auth.services import find_user
    people = [req.requester] + [find_user(e) for e in recipients if e and e.strip()]
    return any(p is None or p.role not in (Role.staff, Role.admin) for p in people)


def recheck(hold: Hold) -> bool:
    """After the worker finished screening: True when nothing holds the release any more (the
    hold was only waiting for the screen); otherwise the hold's matches are brought up to date."""
    records = list(db.session.scalars(sa.select(Record).where(Record.id.in_(hold.record_ids))))
    screens = screen_records(records)
    items = [item for s in screens if s.flagged for item in s.items()]
    faces = [m for m in hold.matches if m["kind"] == "faces"]
    if not items and not faces:
        return True
    hold.matches = items + faces
    return False


def waiting_on(blob_id: int) -> list[Hold]:
    """Open holds that wait for the full screen of this file."""
    ids = set(db.session.scalars(sa.select(Record.id).where(Record.blob_id == blob_id)))
    return [h for h in db.session.scalars(sa.select(Hold).where(Hold.status == HoldStatus.open))
            if any(m["kind"] in ALWAYS_HOLD and m["record_id"] in ids for m in h.matches)]


def record_replaced(actor: User, original: Record, replacement: Record) -> None:
    """A held record was replaced (a redacted or cleaned copy): the hold carries over to the copy
    while the copy is still flagged, and ends only once the copy screens clean."""
    from .services import screen_record
    holds = [h for h in db.session.scalars(sa.select(Hold).where(
        Hold.request_id == original.request_id, Hold.status == HoldStatus.open)) if original.id in h.record_ids]
    if not holds:
        return
    screen = screen_record(replacement)
    if not screen.flagged:
        record_withheld(actor, original, f"replaced by {replacement.filename}, which screens clean; release again")
        return
    for hold in holds:
        hold.record_ids = sorted({replacement.id if i == original.id else i for i in hold.record_ids})
        hold.matches = [m for m in hold.matches if m["record_id"] != original.id] + screen.items()
        audit.record(actor, "hold.carry_over", f"hold:{hold.id}",
                     {"from": original.id, "to": replacement.id,
                      "kinds": sorted({m["kind"] for m in screen.items()})})


def record_withheld(actor: User, record: Record, why: str) -> None:
    """A held record was withheld or replaced: its open holds end, dismissed (nothing was released)."""
    for hold in db.session.scalars(sa.select(Hold).where(Hold.request_id == record.request_id,
                                                         Hold.status == HoldStatus.open)):
        if record.id in hold.record_ids:
            hold.status, hold.decided_by_id, hold.decided_at = HoldStatus.dismissed, actor.id, utcnow()
            hold.reason = f"{record.filename} was {why}."
            audit.record(actor, "hold.dismiss", f"hold:{hold.id}", {"reason": hold.reason, "record": record.id})


def open_holds(actor: User) -> list[Hold]:
    """Open holds in the requests the actor manages, oldest first."""
    query = sa.select(Hold).where(Hold.status == HoldStatus.open).order_by(Hold.id)
    if not actor.is_admin:
        query = query.join(RecordRequest, RecordRequest.id == Hold.request_id).where(
            RecordRequest.department_id == actor.department_id)
    return list(db.session.scalars(query.limit(500)))


def holds_of(request_id: int) -> list[Hold]:
    return list(db.session.scalars(sa.select(Hold).where(Hold.request_id == request_id).order_by(Hold.id.desc())))


def faces_sheet(actor: User, hold_id: int) -> bytes:
    """A contact sheet (PNG) of the photos showing faces that a hold names, for the person deciding."""
    from ..core import storage as files
    from .faces import contact_sheet
    hold = get_hold(actor, hold_id)
    ids = next((m.get("face_record_ids") for m in hold.matches if m["kind"] == "faces"), None)
    if not ids:
        raise NotFound("This hold names no photos showing faces.")
    photos = []
    for record in db.session.scalars(sa.select(Record).where(Record.id.in_(ids[:200])).order_by(Record.id)):
        with files.storage().open(record.blob.key) as fh:
            photos.append(fh.read())
    return contact_sheet(photos)


def screening_jobs(hold: Hold) -> dict[int, object]:
    """Per record waiting for the full screen: its worker job (state, attempts, last error)."""
    from ..jobs.models import Job
    from .services import FULL_SCREEN_JOB
    waiting = {m["record_id"] for m in hold.matches if m["kind"] in ALWAYS_HOLD}
    if not waiting:
        return {}
    blobs = dict(db.session.execute(sa.select(Record.id, Record.blob_id).where(Record.id.in_(waiting))).all())
    jobs = {j.ref: j for j in db.session.scalars(sa.select(Job).where(
        Job.kind == FULL_SCREEN_JOB, Job.ref.in_(blobs.values())).order_by(Job.id))}
    return {rid: jobs.get(blob_id) for rid, blob_id in blobs.items()}
