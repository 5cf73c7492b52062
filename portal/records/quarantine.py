"""Quarantine: every stored file waits for a virus scan before it may leave.

A blob is `pending` from its upload until the scanner judges it: `clean` may be released,
`infected` never, and `error` (the scanner is down or failed) is held and tried again by the
worker. With SCANNER=none files are `not_scanned` and released, and the admin pages say so.
"""
from __future__ import annotations

from datetime import timedelta
from typing import BinaryIO, Iterable

import sqlalchemy as sa
from flask import current_app

from .. import audit, mail
from ..auth.models import Role, User
from ..core import storage as files
from ..core.errors import Conflict
from ..core.models import utcnow
from ..extensions import db
from ..scanning import Scanner, ScannerError, get_scanner
from ..storage import StorageError
from .models import Attachment, Blob, Record, ScanStatus

HELD = (ScanStatus.pending, ScanStatus.error)


def scanner() -> Scanner:
    ext = current_app.extensions
    if "portal.scanner" not in ext:
        ext["portal.scanner"] = get_scanner(current_app.config)
    return ext["portal.scanner"]


def admit(blob: Blob, stream: BinaryIO) -> None:
    """A newly stored blob enters quarantine; small files are scanned at once, large ones by the worker."""
    engine = scanner()
    if not engine.scans:
        blob.scan_status, blob.scanner = ScanStatus.not_scanned, engine.name
        return
    blob.scan_status, blob.scan_after = ScanStatus.pending, utcnow()
    if blob.size <= current_app.config["SCAN_INLINE_MAX_BYTES"]:
        stream.seek(0)
        scan(blob, stream)


def scan(blob: Blob, stream: BinaryIO) -> ScanStatus:
    """Judge one blob from its bytes; audit the verdict; tell admins about malware."""
    engine = scanner()
    blob.scanner, blob.scan_attempts = engine.name, blob.scan_attempts + 1
    try:
        verdict = engine.scan(stream)
    except ScannerError as exc:
        return _failed(blob, str(exc))
    blob.scanned_at, blob.scan_after = utcnow(), None
    blob.scan_status = ScanStatus.infected if verdict.infected else ScanStatus.clean
    blob.scan_detail = verdict.signature
    db.session.flush()
    audit.record("system", "blob.scan", f"blob:{blob.id}",
                 {"sha256": blob.sha256, "status": blob.scan_status.value, "signature": verdict.signature,
                  "scanner": engine.name})
    if verdict.infected:
        _tell_admins(blob)
    return blob.scan_status


def _failed(blob: Blob, error: str) -> ScanStatus:
    """Held, and retried later with a growing pause (at most an hour)."""
    first = blob.scan_status != ScanStatus.error
    pause = min(current_app.config["SCAN_RETRY_SECONDS"] * 2 ** min(blob.scan_attempts - 1, 10), 3600)
    blob.scan_status, blob.scan_detail = ScanStatus.error, error[:500]
    blob.scan_after = utcnow() + timedelta(seconds=pause)
    db.session.flush()
    if first:  # one audit row per outage, not one per retry
        audit.record("system", "blob.scan_error", f"blob:{blob.id}", {"sha256": blob.sha256, "error": error[:500]})
    return blob.scan_status


def _uses(blob: Blob) -> list[str]:
    """Where the file was uploaded, for people: 'record memo.pdf on 2026-000012'."""
    rows = db.session.execute(sa.select(Record.filename, Record.request_id).where(Record.blob_id == blob.id)).all()
    rows += db.session.execute(sa.select(Attachment.filename, Attachment.request_id)
                               .where(Attachment.blob_id == blob.id)).all()
    base = current_app.config["BASE_URL"]
    return [f"  - {name} ({base}/requests/{rid})" for name, rid in rows]


def _tell_admins(blob: Blob) -> None:
    admins = db.session.scalars(sa.select(User).where(User.role == Role.admin, User.active.is_(True),
                                                      User.email_verified_at.is_not(None))).all()
    body = (f"The virus scanner found {blob.scan_detail} in an uploaded file (SHA-256 {blob.sha256}).\n"
            f"It is kept in quarantine and can never be released or downloaded.\n\nUploaded as:\n"
            + "\n".join(_uses(blob) or ["  (not attached yet)"])
            + f"\n\nThe quarantine page: {current_app.config['BASE_URL']}/admin/quarantine\n")
    for admin in admins:
        mail.send(admin.email, "Malware found in an upload: held in quarantine", body)


def scan_due(limit: int = 20) -> int:
    """The worker's turn: scan pending blobs and retry failed scans whose time has come. Commits
    after each blob, so a slow scan holds no other row."""
    if not scanner().scans:
        return 0  # held files stay held: turning scanning off does not let them through
    seen: list[int] = []  # each blob once per turn, however short its retry pause
    for _ in range(limit):
        stmt = (sa.select(Blob).where(Blob.scan_status.in_(HELD), Blob.id.not_in(seen),
                                      sa.or_(Blob.scan_after.is_(None), Blob.scan_after <= utcnow()))
                .order_by(Blob.scan_after, Blob.id).limit(1))
        if db.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        blob = db.session.scalar(stmt)
        if blob is None:
            break
        try:
            with files.storage().open(blob.key) as stream:
                scan(blob, stream)
        except StorageError as exc:
            _failed(blob, f"the file store cannot be read: {exc}")
        seen.append(blob.id)
        db.session.commit()
    return len(seen)


def check_releasable(records: Iterable[Record]) -> None:
    """Refuse, naming the files, anything the scanner has not cleared."""
    infected = [f"{r.filename} ({r.blob.scan_detail})" for r in records if r.blob.scan_status == ScanStatus.infected]
    if infected:
        raise Conflict("Malware was found in " + ", ".join(infected) + ". These files are kept in quarantine and "
                       "can never be released.", fields={"record_ids": "infected"})
    held = [r.filename for r in records if not r.blob.scan_status.releasable]
    if held:
        raise Conflict("These files are in quarantine until the virus scan clears them: " + ", ".join(held)
                       + ". Try again once the scan is done.", fields={"record_ids": "quarantined"})


def requeue_unscanned(actor: User | str) -> int:
    """After turning scanning on: files stored unscanned go back to quarantine for their scan."""
    count = db.session.execute(sa.update(Blob).where(Blob.scan_status == ScanStatus.not_scanned)
                               .values(scan_status=ScanStatus.pending, scan_after=utcnow())).rowcount
    audit.record(actor, "blob.requeue_unscanned", "blobs", {"count": count})
    return count


def report() -> dict:
    """What the admin quarantine page shows."""
    counts = dict(db.session.execute(sa.select(Blob.scan_status, sa.func.count()).group_by(Blob.scan_status)).all())
    held = db.session.scalars(sa.select(Blob).where(Blob.scan_status.in_((*HELD, ScanStatus.infected)))
                              .order_by(Blob.id.desc()).limit(200)).all()
    ids = [b.id for b in held]
    records = db.session.scalars(sa.select(Record).where(Record.blob_id.in_(ids))).all() if ids else []
    attachments = db.session.scalars(sa.select(Attachment).where(Attachment.blob_id.in_(ids))).all() if ids else []
    uses: dict[int, list] = {}
    for item in [*records, *attachments]:
        uses.setdefault(item.blob_id, []).append(item)
    engine = scanner()
    return {"scanner": engine.name, "scans": engine.scans, "unscanned": counts.get(ScanStatus.not_scanned, 0),
            "counts": {s: counts.get(s, 0) for s in ScanStatus}, "held": held, "uses": uses}
