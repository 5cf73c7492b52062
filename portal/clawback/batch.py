"""Attributing a whole collection of found files (a website's 9,000 photos) in one go.

The ZIP is checked against the upload limits and stored; the worker reads it member by member
through the same `attribution.attribute` a single file goes through (one Attribution row and
audit entry each), committing its progress as it goes; the stored ZIP is removed when done.
"""
from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app

from ..core import pdftable
from .. import audit
from ..auth.models import User
from ..core import ratelimit
from ..core import storage as files
from ..core.errors import Forbidden, NotFound, PortalError, UnsupportedType
from ..core.export import safe_cell
from ..core.models import utcnow
from ..extensions import db
from ..jobs import services as jobs
from ..records.bulk import is_zip, member_name
from ..records.inspect import Limits, inspect
from .attribution import attribute
from .models import AttributionBatch, AttributionBatchFile, BatchStatus

PROGRESS_EVERY = 25


def _admin(actor: User) -> None:
    if not actor.is_admin:
        raise Forbidden("Only an administrator may attribute found copies.")


def start(actor: User, stream: BinaryIO, filename: str | None) -> AttributionBatch:
    _admin(actor)
    limit = current_app.config["ATTRIBUTION_LIMIT"]
    ratelimit.check(f"attribution:user:{actor.id}", limit)  # a batch counts as one attribution
    ratelimit.hit(f"attribution:user:{actor.id}")
    if not is_zip(stream):
        raise UnsupportedType("Send the found files as one ZIP archive.")
    inspect(stream, "application/zip", Limits.from_config(current_app.config))
    total = sum(not info.is_dir() for info in zipfile.ZipFile(stream).infolist())
    stream.seek(0)
    stored = files.storage().put(stream, prefix="batches", max_size=current_app.config["MAX_CONTENT_LENGTH"])
    files.written(stored.key)
    batch = AttributionBatch(actor_id=actor.id, filename=(filename or "")[:255], archive_key=stored.key, total=total)
    db.session.add(batch)
    db.session.flush()
    audit.record(actor, "attribution.batch", f"attribution_batch:{batch.id}",
                 {"files": total, "sha256": stored.sha256, "size": stored.size})
    jobs.enqueue("attribute_batch", batch.id)
    return batch


def get(actor: User, batch_id: int) -> AttributionBatch:
    _admin(actor)
    batch = db.session.get(AttributionBatch, batch_id)
    if batch is None:
        raise NotFound("No such batch.")
    return batch


def done_count(batch: AttributionBatch) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AttributionBatchFile)
                             .where(AttributionBatchFile.batch_id == batch.id))


def batch_json(batch: AttributionBatch) -> dict:
    return {"id": batch.id, "status": batch.status.value, "done": done_count(batch), "total": batch.total,
            "error": batch.error, "files": [{"name": f.name, **json.loads(f.result)} for f in batch.files]}


@jobs.handler("attribute_batch")
def run(batch_id: int) -> None:
    batch = db.session.get(AttributionBatch, batch_id)
    if batch is None or batch.status != BatchStatus.running:
        return
    actor, already = batch.actor, done_count(batch)  # a retried job goes on where it stopped
    with tempfile.TemporaryFile() as local:
        with files.storage().open(batch.archive_key) as src:
            while chunk := src.read(1 << 20):
                local.write(chunk)
        local.seek(0)
        members = [i for i in zipfile.ZipFile(local).infolist() if not i.is_dir()]
        archive = zipfile.ZipFile(local)
        for position, info in enumerate(members):
            if position < already:
                continue
            db.session.add(_one(actor, batch.id, position, archive, info))
            if (position + 1) % PROGRESS_EVERY == 0:
                db.session.commit()
    key = batch.archive_key
    batch.status, batch.finished_at, batch.archive_key = BatchStatus.done, utcnow(), None
    db.session.commit()
    files.storage().delete(key)


@jobs.handler("attribute_batch:failed")
def failed(batch_id: int) -> None:
    batch = db.session.get(AttributionBatch, batch_id)
    if batch is not None:
        batch.status, batch.finished_at = BatchStatus.failed, utcnow()
        batch.error = "the worker could not read every file; the results so far are kept"


def _one(actor: User, batch_id: int, position: int, archive: zipfile.ZipFile,
         info: zipfile.ZipInfo) -> AttributionBatchFile:
    name = member_name(info.filename)
    row = AttributionBatchFile(batch_id=batch_id, position=position, name=name)
    try:
        with archive.open(info) as member:
            savepoint = db.session.begin_nested()
            try:
                result = attribute(actor, member)
            except BaseException:
                savepoint.rollback()
                raise
            savepoint.commit()
    except PortalError as exc:
        row.result = json.dumps({"exact": False, "matches": [], "error": exc.message})
        return row
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
        row.result = json.dumps({"exact": False, "matches": [], "error": f"cannot be read from the ZIP: {exc}"})
        return row
    row.attribution_id, row.exact = result["id"], result["exact"]
    row.result = json.dumps({"exact": result["exact"], "matches": result["matches"], "sha256": result["sha256"],
                             "notes": result["notes"], "attribution_id": result["id"]})
    return row


# -- the report for counsel ---------------------------------------------------------------

def by_recipient(batch: AttributionBatch) -> list[tuple[str, int, list[str]]]:
    """(recipient e-mail, files found that are theirs, those files' names), most first."""
    found: dict[str, list[str]] = {}
    for f in batch.files:
        for m in json.loads(f.result).get("matches", []):
            found.setdefault(m["recipient"]["email"] if m.get("recipient") else "public download", []).append(f.name)
    return sorted(((who, len(names), names) for who, names in found.items()), key=lambda x: (-x[1], x[0]))


def report_csv(batch: AttributionBatch) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["file", "exact copy", "recipient", "grant", "request", "confidence", "evidence", "note"])
    for f in batch.files:
        result = json.loads(f.result)
        note = result.get("error") or " ".join(result.get("notes", []))
        if not result.get("matches"):
            w.writerow([safe_cell(v) for v in [f.name, result.get("exact", False), "", "", "", "", "",
                                               note or "no mark that verifies"]])
        for m in result.get("matches", []):
            w.writerow([safe_cell(v) for v in [
                f.name, result["exact"], (m.get("recipient") or {}).get("email", ""), m.get("grant_id"),
                m.get("tracking_number", ""), m.get("confidence", ""), " | ".join(m.get("evidence", [])), note]])
    return out.getvalue()


REPORT_COLUMNS = [pdftable.Column("Found file", 170), pdftable.Column("Recipient", 170),
                  pdftable.Column("Copy (grant, request)", 110), pdftable.Column("Evidence", 262)]


def report_pdf(batch: AttributionBatch, agency: str) -> bytes:
    """The batch for counsel: which recipient's copies were found, how many, with the evidence."""
    rows = []
    for i, f in enumerate(batch.files):
        result = json.loads(f.result)
        matches = result.get("matches") or []
        if not matches:
            rows.append(pdftable.Row([f.name, "No mark that verifies", "", ""], shaded=i % 2 == 1))
        for m in matches:
            who = (m.get("recipient") or {}).get("email", "public download")
            copy = f"grant {m.get('grant_id')}\nrequest {m.get('tracking_number', '')}" + (
                "\nexact copy" if result.get("exact") else "")
            rows.append(pdftable.Row([f.name, who, copy, "\n".join(m.get("evidence", [])[:6])], shaded=i % 2 == 1))
    attributed = sum(1 for f in batch.files if json.loads(f.result).get("matches"))
    heading = [("Batch", f"{batch.id}: {batch.filename or 'found files'}, {batch.total} file(s)"),
               ("Submitted", f"{batch.created_at:%Y-%m-%d %H:%M} UTC by {batch.actor.email}; status "
                             f"{batch.status.value}"),
               ("Attributed", f"{attributed} file(s) carry a mark that verifies; the portal never guesses"),
               ("By recipient", "; ".join(f"{who}: {count}" for who, count, _names in by_recipient(batch)) or "none")]
    return pdftable.render(pdftable.Report(title=f"Attribution of found files, batch {batch.id}", heading=heading,
                                           columns=REPORT_COLUMNS, rows=rows,
                                           footer=f"{agency} - attribution batch {batch.id}",
                                           empty="The batch holds no files."))
