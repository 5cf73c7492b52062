"""Making a grant's marked copy with the watermark engine, and keeping it in storage."""
from __future__ import annotations

import io
import tempfile

from flask import current_app

from .. import watermark
from ..clawback import fingerprints
from ..core import storage as files
from ..core.errors import Unprocessable
from ..core.models import utcnow
from ..records.inspect import Limits, inspect
from ..watermark import Codeword, Stamp, WatermarkError, package
from .models import CopyState, Grant

ZIP_TYPE = "application/zip"
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
    return grant.record.blob.size > current_app.config["MARK_INLINE_MAX_BYTES"]


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
        # Released now: a copy found later must lead back to this original (attribution).
        fingerprints.ensure_indexed(blob, original, max_pixels=current_app.config["UPLOAD_MAX_PIXELS"])
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
