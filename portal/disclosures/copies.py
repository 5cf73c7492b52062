"""Making a grant's marked copy with the watermark engine, and keeping it in storage."""
from __future__ import annotations

import io
import tempfile

import sqlalchemy as sa
from flask import current_app

from .. import watermark
from ..core import storage as files
from ..core.errors import Unprocessable
from ..core.models import utcnow
from ..extensions import db
from ..records.inspect import Limits, inspect
from ..watermark import Codeword, Stamp, WatermarkError, package
from .models import CopyState, Grant

ZIP_TYPE = "application/zip"
CSV_TYPE = "text/csv"
SELF_CHECK_MAX_BYTES = 256 * 1024


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


def make_copy(grant: Grant) -> None:
    """Mark the grant's copy and store it under a key of its own. Deterministic."""
    blob = grant.record.blob
    backend = files.storage()
    stamp = stamp_for(grant)
    content_type = blob.content_type
    in_place = watermark.supported(content_type) != "package"
    if not in_place or blob.size > current_app.config["MARK_IN_MEMORY_MAX_BYTES"]:
        # Only wrapped, or too large to mark in memory: the receipt ZIP, streamed.
        marked_type, stored = ZIP_TYPE, _wrap_streaming(backend, grant, stamp)
    else:
        with backend.open(blob.key) as fh:
            original = fh.read()
        marked, marked_type = _mark_in_place(grant, original, content_type, stamp)
        stored = backend.put_at(copy_key(grant), io.BytesIO(marked))
    files.written(stored.key)  # removed again if the transaction that records it rolls back
    grant.copy_key, grant.copy_sha256, grant.copy_size = stored.key, stored.sha256, stored.size
    grant.copy_content_type, grant.copy_state, grant.copy_error = marked_type, CopyState.ready, None


def _mark_in_place(grant: Grant, original: bytes, content_type: str, stamp: Stamp) -> tuple[bytes, str]:
    """The format's own marks; the receipt ZIP when they cannot carry the code.

    A small file may be too short for its format's marks (a three-line text has
    three whitespace bits), so small copies are read back before they leave.
    """
    try:  # the engine is pure: the limits as they stand now are checked here, before it parses
        inspect(io.BytesIO(original), content_type, Limits.from_config(current_app.config))
        if content_type == CSV_TYPE and csv_cells(original) > current_app.config["MARK_MAX_CELLS"]:
            raise Unprocessable(f"more than {current_app.config['MARK_MAX_CELLS']:,} cells to mark one by one")
        marked = watermark.mark(original, content_type, stamp)
    except (WatermarkError, Unprocessable) as exc:
        current_app.logger.warning("grant %s: %s; wrapping in a ZIP", grant.id, exc)
        return package.mark(original, stamp, grant.record.filename), ZIP_TYPE
    if len(original) <= SELF_CHECK_MAX_BYTES:
        found = watermark.read(marked, original, content_type, [stamp.codeword])
        if not any(f.codeword == stamp.codeword for f in found):
            return package.mark(original, stamp, grant.record.filename), ZIP_TYPE
    return marked, content_type


def _wrap_streaming(backend, grant: Grant, stamp: Stamp):
    with tempfile.TemporaryFile() as out:
        with backend.open(grant.record.blob.key) as src:
            package.mark_stream(src, out, grant.record.filename, stamp)
        out.seek(0)
        return backend.put_at(copy_key(grant), out)


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
