"""Sending a marked copy: the delivery row is committed before the first byte leaves.

Copies stream through the portal on every backend (no presigned redirect), so a
revocation takes effect on the very next request and no storage URL ever exists
outside the portal. A download already in flight stops too: the stream reads the grant's
`revoked_at` again every DOWNLOAD_RECHECK_BYTES (and every DOWNLOAD_RECHECK_SECONDS on a slow
link), one indexed read of one row in a transaction of its own, and ends the body once it is set.
"""
from __future__ import annotations

import hashlib
import time

import sqlalchemy as sa
from flask import Response, current_app, stream_with_context

from ..core import storage as files
from ..core.http import content_disposition
from ..core.models import utcnow
from ..extensions import db
from ..storage import StorageError
from .copies import copy_filename
from .models import Delivery, Grant

CHUNK = 256 * 1024


def start_delivery(grant: Grant, *, ip: str, user_agent: str) -> Delivery:
    delivery = Delivery(grant=grant, ip=ip, user_agent=user_agent[:400], copy_sha256=grant.copy_sha256)
    db.session.add(delivery)
    db.session.commit()  # the row exists before any byte is sent
    files.committed()    # and so does the copy it names: a later rollback must not remove it
    return delivery


def _finish(delivery_id: int, sent: int, digest: str, completed: bool, error: str | None) -> None:
    db.session.rollback()
    row = db.session.get(Delivery, delivery_id)
    row.bytes_sent, row.sha256, row.completed = sent, digest, completed
    row.finished_at, row.error = utcnow(), error
    db.session.commit()


_REVOKED = sa.select(Grant.revoked_at).where(Grant.id == sa.bindparam("grant_id"))


def _revoked(grant_id: int) -> bool:
    """Whether the grant was revoked since the download began: one indexed read on a pooled
    connection of its own, returned at once (a long download holds no connection, no snapshot
    and no lock). A quarter of the ORM session's cost, which matters 256 times a GiB."""
    with db.engine.connect() as conn:
        return conn.execute(_REVOKED, {"grant_id": grant_id}).scalar() is not None


def send_copy(grant: Grant, *, ip: str, user_agent: str) -> Response:
    """Open the copy, log the delivery, and stream it. Storage failures become a logged error."""
    backend = files.storage()
    opened = backend.open(grant.copy_key)
    stream = opened.__enter__()  # opened before the row: a missing object is a clean error
    try:
        delivery = start_delivery(grant, ip=ip, user_agent=user_agent)
    except Exception:
        opened.__exit__(None, None, None)
        raise
    delivery_id, size, grant_id = delivery.id, grant.copy_size, grant.id
    every_bytes = current_app.config["DOWNLOAD_RECHECK_BYTES"]
    every_seconds = current_app.config["DOWNLOAD_RECHECK_SECONDS"]

    def generate():
        digest, sent, error = hashlib.sha256(), 0, None
        checked_bytes, checked_at = 0, time.monotonic()
        try:
            while chunk := stream.read(CHUNK):
                if sent - checked_bytes >= every_bytes or time.monotonic() - checked_at >= every_seconds:
                    if _revoked(grant_id):
                        error = f"revoked during download after {sent} bytes"
                        current_app.logger.warning("delivery %s: %s", delivery_id, error)
                        return  # the body ends short of its Content-Length: the client sees a cut
                    checked_bytes, checked_at = sent, time.monotonic()
                digest.update(chunk)
                sent += len(chunk)
                yield chunk
        except StorageError as exc:
            error = f"storage failed after {sent} bytes: {exc}"
            current_app.logger.error("delivery %s: %s", delivery_id, error)
            raise
        except GeneratorExit:
            error = f"the client went away after {sent} bytes"
            raise
        finally:
            opened.__exit__(None, None, None)
            done = error is None and sent == size
            _finish(delivery_id, sent, digest.hexdigest(), done,
                    error or (None if done else f"sent {sent} of {size} bytes"))

    response = Response(stream_with_context(generate()), mimetype=grant.copy_content_type,
                        direct_passthrough=True)
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = content_disposition(copy_filename(grant))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Delivery-Id"] = str(delivery_id)
    return response
