"""Uploading responsive records and requester attachments: streamed, typed by content, stored once
per SHA-256, and held in quarantine until scanned (quarantine.py)."""
from __future__ import annotations

import unicodedata
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..auth.models import User
from ..core import storage as files
from ..core.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge, Unavailable, UnsupportedType
from ..extensions import db
from ..record_requests.models import RecordRequest
from ..record_requests.services import can_manage, get_for, get_managed, notify_assignee
from ..screening.holds import record_replaced, record_withheld
from ..storage import StorageError
from ..storage import TooLarge as StorageTooLarge
from . import quarantine
from .models import Attachment, Blob, Disposition, Record
from .inspect import Limits, inspect
from .sniff import sniff

SNIFF_BYTES = 8192


def clean_filename(raw: str | None) -> str:
    """The uploader's name, kept as metadata only: no folders, no control characters."""
    name = unicodedata.normalize("NFKC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    return name[:255] or "file"


def store_blob(stream: BinaryIO, *, max_size: int) -> tuple[Blob, bool]:
    """Store a stream once per SHA-256; a second copy of the same bytes reuses the first (and its
    scan). True when the blob is new: the caller then admits it to quarantine."""
    head = stream.read(SNIFF_BYTES)
    content_type = sniff(head)
    if content_type is None:
        raise UnsupportedType("The portal does not accept this type of file.")
    stream.seek(0)
    inspect(stream, content_type, Limits.from_config(current_app.config))
    backend = files.storage()
    try:
        stored = backend.put(stream, prefix="blobs", max_size=max_size)
    except StorageTooLarge as exc:
        raise TooLarge(f"The file is larger than the limit of {max_size:,} bytes.") from exc
    existing = db.session.scalar(sa.select(Blob).where(Blob.sha256 == stored.sha256))
    if existing is not None:
        backend.delete(stored.key)
        return existing, False
    files.written(stored.key)
    blob = Blob(sha256=stored.sha256, size=stored.size, content_type=content_type,
                backend=backend.name, key=stored.key)
    db.session.add(blob)
    db.session.flush()
    return blob, True


def disposition_of(disposition: str | None, exemption: str | None) -> tuple[Disposition, str | None]:
    try:
        disp = Disposition(disposition or "release")
    except ValueError as exc:
        raise Invalid("The disposition is release or withhold.", fields={"disposition": "invalid"}) from exc
    exemption = (exemption or "").strip()[:200] or None
    if disp == Disposition.withhold and not exemption:
        raise Invalid("Cite the exemption that allows withholding.", fields={"exemption": "required"})
    return disp, exemption


def upload(actor: User, request_id: int, stream: BinaryIO, filename: str | None, *,
           disposition: str = "release", exemption: str | None = None,
           replaces_id: int | None = None, max_size: int) -> Record:
    req = get_managed(actor, request_id)
    disp, exemption = disposition_of(disposition, exemption)
    replaces = _replaced(actor, req, replaces_id) if replaces_id else None
    return add_record(actor, req, stream, clean_filename(filename), disp, exemption,
                      replaces=replaces, max_size=max_size)


def add_record(actor: User, req: RecordRequest, stream: BinaryIO, filename: str, disp: Disposition,
               exemption: str | None, *, replaces: Record | None = None, max_size: int) -> Record:
    """One stored, typed, quarantined record of a request the actor manages; filename already clean."""
    blob, new = _store(stream, max_size, filename)
    record = Record(request_id=req.id, blob=blob, filename=filename,
                    disposition=disp, exemption=exemption, replaces=replaces, uploaded_by_id=actor.id)
    db.session.add(record)
    db.session.flush()
    if new:  # after the record exists, so a malware report names it
        quarantine.admit(blob, stream)
    if replaces is not None:
        record_replaced(actor, replaces, record)
    audit.record(actor, "record.upload", f"record:{record.id}",
                 {"request": req.tracking_number, "sha256": blob.sha256, "size": blob.size,
                  "content_type": blob.content_type, "filename": record.filename,
                  "disposition": disp.value, "exemption": exemption,
                  "replaces": replaces.id if replaces else None, "scan_status": blob.scan_status.value})
    return record


def _store(stream: BinaryIO, max_size: int, filename: str | None) -> tuple[Blob, bool]:
    try:
        blob, new = store_blob(stream, max_size=max_size)
    except StorageError as exc:
        raise Unavailable("File storage cannot be reached right now; nothing was saved. "
                          "Please try again.") from exc
    if blob.size == 0:  # the caller's rollback removes what was stored
        raise Invalid(f"{clean_filename(filename)} is empty: there is nothing to release.", fields={"file": "empty"})
    return blob, new


# -- the requester's attachments ------------------------------------------------------------

def attach(actor: User, request_id: int, stream: BinaryIO, filename: str | None, *, max_size: int) -> Attachment:
    """The requester adds a file to their own open request; it is scanned like every upload."""
    req = get_for(actor, request_id)
    if actor.id != req.requester_id:
        raise Forbidden("Only the requester adds attachments to a request.")
    if req.status.closed:
        raise Conflict("This request is closed: files can no longer be added.")
    blob, new = _store(stream, max_size, filename)
    item = Attachment(request_id=req.id, blob=blob, filename=clean_filename(filename), uploaded_by_id=actor.id)
    db.session.add(item)
    db.session.flush()
    if new:
        quarantine.admit(blob, stream)
    audit.record(actor, "request.attach", f"request:{req.id}",
                 {"attachment": item.id, "sha256": blob.sha256, "size": blob.size, "filename": item.filename,
                  "content_type": blob.content_type, "scan_status": blob.scan_status.value})
    notify_assignee(req, f"{req.tracking_number}: the requester added a file", f"File: {item.filename}")
    return item


def attachments_of(actor: User, request_id: int) -> list[Attachment]:
    req = get_for(actor, request_id)
    if actor.id != req.requester_id and not can_manage(actor, req):
        return []
    return list(db.session.scalars(sa.select(Attachment).where(Attachment.request_id == req.id)
                                   .order_by(Attachment.id)))


def attachment_for(actor: User, attachment_id: int) -> Attachment:
    """An attachment its requester or the request's staff may read, once the scan allows."""
    item = db.session.get(Attachment, attachment_id)
    if item is None:
        raise NotFound("No such file.")
    req = get_for(actor, item.request_id)
    if actor.id != req.requester_id and not can_manage(actor, req):
        raise NotFound("No such file.")
    if not item.blob.scan_status.releasable:
        raise Conflict(f"{item.filename} is {item.blob.scan_status.label}; it cannot be opened.")
    return item


def _replaced(actor: User, req: RecordRequest, record_id: int) -> Record:
    original = db.session.get(Record, record_id)
    if original is None or original.request_id != req.id:
        raise Invalid("The record to replace is not part of this request.", fields={"replaces": "unknown"})
    if original.disposition != Disposition.withhold:
        original.disposition = Disposition.withhold
        original.exemption = original.exemption or "Replaced by a redacted version"
    return original    # its holds carry over to the replacement, or end (record_replaced)


def set_disposition(actor: User, record_id: int, disposition: str, exemption: str | None) -> Record:
    record = db.session.get(Record, record_id)
    if record is None:
        raise NotFound("No such record.")
    get_managed(actor, record.request_id)
    disp, exemption = disposition_of(disposition, exemption)
    record.disposition, record.exemption = disp, exemption
    if disp == Disposition.withhold:
        record_withheld(actor, record, "withheld")
    audit.record(actor, "record.disposition", f"record:{record.id}",
                 {"disposition": disp.value, "exemption": exemption})
    return record


def list_for(actor: User, request_id: int) -> list[Record]:
    req = get_managed(actor, request_id)
    return list(db.session.scalars(sa.select(Record).where(Record.request_id == req.id)
                                   .order_by(Record.id)))


def stored_keys():
    """The stored objects this area's rows name, for `flask storage check`: every upload
    (responsive records, redacted replacements, requester attachments, files in quarantine)."""
    for i, key, size, sha in db.session.execute(sa.select(Blob.id, Blob.key, Blob.size, Blob.sha256)):
        yield key, {"table": "blobs", "id": i, "what": "upload", "size": size, "sha256": sha}
