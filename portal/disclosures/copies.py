"""Making a grant's marked copy with the watermark engine, and keeping it in storage."""
from __future__ import annotations

import io
import logging
import tempfile
from dataclasses import dataclass
from typing import Any, Mapping

import sqlalchemy as sa
from flask import current_app

from .. import watermark
from ..clawback import fingerprints
from ..core import storage as files
from ..core.errors import Unprocessable
from ..core.models import utcnow
from ..extensions import db
from ..records.inspect import Limits, inspect
from ..storage import StoredObject
from ..watermark import Codeword, Stamp, WatermarkError, package
from .models import CopyState, Grant

ZIP_TYPE = "application/zip"
CSV_TYPE = "text/csv"
SELF_CHECK_MAX_BYTES = 256 * 1024
log = logging.getLogger(__name__)


def stamp_for(grant: Grant) -> Stamp:
    release = grant.release
    req_tracking = grant.record.request.tracking_number
    recipient = grant.recipient.name if grant.recipient else f"public download {grant.public_label}"
    return Stamp(codeword=Codeword.from_text(grant.code), recipient=recipient,
                 tracking_number=req_tracking, issued=grant.granted_at.date(),
                 portal_url=current_app.config["BASE_URL"], row_order_free=release.row_order_free,
                 content_marks=release.content_marks)


def copy_key(grant: Grant) -> str:
    return f"copies/grant-{grant.id}"


def needs_job(grant: Grant) -> bool:
    """The worker marks what would keep the recipient waiting: by bytes, and by what marking
    decodes (pixels, cells), which bytes say little about."""
    blob, cfg = grant.record.blob, current_app.config
    if blob.size > cfg["MARK_INLINE_MAX_BYTES"]:
        return True
    if blob.content_type.startswith("image/"):
        return (_pixels(blob) or 0) > cfg["MARK_INLINE_MAX_PIXELS"]
    if blob.content_type == CSV_TYPE:
        with files.storage().open(blob.key) as fh:
            return csv_cells(fh.read()) > cfg["MARK_INLINE_MAX_CELLS"]
    return False


def _pixels(blob) -> int | None:
    from PIL import Image
    try:
        with files.storage().open(blob.key) as fh, Image.open(fh) as im:  # the header only
            return im.width * im.height
    except Exception:  # unreadable here is unreadable to the marker too: it wraps, quickly
        return None


def csv_cells(data: bytes) -> int:
    """At least the cells a CSV holds (every delimiter the reader may pick counts), cheaply."""
    return sum(data.count(sep) for sep in (b",", b";", b"\t", b"|", b"\n")) + 1


@dataclass(frozen=True)
class CopyPlan:
    """What making one grant's copy needs, as plain values: a pool's process makes it
    without the app or the database (bundles.py)."""
    grant_id: int
    blob_key: str
    content_type: str
    size: int
    filename: str
    stamp: Stamp
    key: str


def plan_for(grant: Grant) -> CopyPlan:
    blob = grant.record.blob
    return CopyPlan(grant.id, blob.key, blob.content_type, blob.size, grant.record.filename,
                    stamp_for(grant), copy_key(grant))


def make_copy(grant: Grant) -> None:
    """Mark the grant's copy and store it under a key of its own. Deterministic."""
    keep_copy(grant, produce(plan_for(grant), files.storage(), current_app.config))


def keep_copy(grant: Grant, made: tuple[StoredObject, str]) -> None:
    stored, marked_type = made
    # Released now: a copy found later must lead back to this original (attribution); once per file.
    fingerprints.ensure_indexed(grant.record.blob, max_pixels=current_app.config["UPLOAD_MAX_PIXELS"])
    files.written(stored.key)  # removed again if the transaction that records it rolls back
    grant.copy_key, grant.copy_sha256, grant.copy_size = stored.key, stored.sha256, stored.size
    grant.copy_content_type, grant.copy_state, grant.copy_error = marked_type, CopyState.ready, None


def produce(plan: CopyPlan, backend, config: Mapping[str, Any]) -> tuple[StoredObject, str]:
    """Make and store the marked copy: (the stored object, its content type). No app, no database."""
    in_place = watermark.supported(plan.content_type) != "package"
    if not in_place or plan.size > config["MARK_IN_MEMORY_MAX_BYTES"]:
        # Only wrapped, or too large to mark in memory: the receipt ZIP, streamed.
        return _wrap_streaming(backend, plan), ZIP_TYPE
    with backend.open(plan.blob_key) as fh:
        original = fh.read()
    marked, marked_type = _mark_in_place(plan, original, config)
    return backend.put_at(plan.key, io.BytesIO(marked)), marked_type


def _mark_in_place(plan: CopyPlan, original: bytes, config: Mapping[str, Any]) -> tuple[bytes, str]:
    """The format's own marks; the receipt ZIP when they cannot carry the code.

    A small file may be too short for its format's marks (a three-line text has
    three whitespace bits), so copies are checked before they leave.
    """
    content_type, stamp = plan.content_type, plan.stamp
    try:  # the engine is pure: the limits as they stand now are checked here, before it parses
        inspect(io.BytesIO(original), content_type, Limits.from_config(config))
        if content_type == CSV_TYPE and csv_cells(original) > config["MARK_MAX_CELLS"]:
            raise Unprocessable(f"more than {config['MARK_MAX_CELLS']:,} cells to mark one by one")
        marked = watermark.mark(original, content_type, stamp)
    except (WatermarkError, Unprocessable) as exc:
        log.warning("grant %s: %s; wrapping in a ZIP", plan.grant_id, exc)
        return package.mark(original, stamp, plan.filename), ZIP_TYPE
    # A format with an exact check (PDF) is checked whatever its size: the check
    # walks the objects written, not the text. Others are read back only when small,
    # the only case where their marks may not fit.
    checked = watermark.has_exact_check(content_type) or len(original) <= SELF_CHECK_MAX_BYTES
    if checked and not watermark.verify(marked, original, content_type, stamp):
        log.warning("grant %s: the marks did not verify; wrapping in a ZIP", plan.grant_id)
        return package.mark(original, stamp, plan.filename), ZIP_TYPE
    return marked, content_type


def _wrap_streaming(backend, plan: CopyPlan) -> StoredObject:
    with tempfile.TemporaryFile() as out:
        with backend.open(plan.blob_key) as src:
            package.mark_stream(src, out, plan.filename, plan.stamp)
        out.seek(0)
        return backend.put_at(plan.key, out)


def copy_filename(grant: Grant) -> str:
    name = grant.record.filename
    if grant.copy_content_type == ZIP_TYPE and grant.record.blob.content_type != ZIP_TYPE:
        return f"{name}.zip"
    return name


def fail_copy(grant: Grant, error: str) -> None:
    grant.copy_state, grant.copy_error = CopyState.failed, f"{utcnow().isoformat()} {error}"[:2000]


def stored_keys():
    """The stored objects this area's rows name, for `flask storage check`: each recipient's
    marked copy."""
    for i, key, size, sha in db.session.execute(sa.select(Grant.id, Grant.copy_key, Grant.copy_size,
                                                          Grant.copy_sha256).where(Grant.copy_key.is_not(None))):
        yield key, {"table": "grants", "id": i, "what": "marked copy (remade on its next download)",
                    "size": size, "sha256": sha}
