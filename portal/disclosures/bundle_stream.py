"""Streaming a ready bundle: a ZIP written as it is sent, from the members' stored copies.

Every member's delivery row (of its own grant, naming the bundle) is committed before the first
byte leaves, and completed with the SHA-256 of what was sent once its last byte has gone; the
memory used is one chunk, whatever the number of members.
"""
from __future__ import annotations

import hashlib
import zipfile
from datetime import datetime

import sqlalchemy as sa
from flask import Response, current_app, stream_with_context

from ..core import storage as files
from ..core.http import content_disposition
from ..core.models import utcnow
from ..extensions import db
from .copies import copy_filename
from .models import Bundle, Delivery, Grant

CHUNK = 256 * 1024


class _Sink:
    """What zipfile writes to: kept until the response takes it. No tell(), so zipfile
    writes as to a pipe (sizes after each member's data)."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


def _names(grants: list[Grant]) -> list[str]:
    """Each member's name in the ZIP: its file's name, made unique."""
    seen: dict[str, int] = {}
    names = []
    for grant in grants:
        name = copy_filename(grant)
        count = seen.get(name.lower(), 0)
        seen[name.lower()] = count + 1
        if count:
            stem, dot, ext = name.rpartition(".")
            name = f"{stem} ({count + 1}).{ext}" if dot and stem else f"{name} ({count + 1})"
        names.append(name)
    return names


def revoked_text(release_id: int, left_out: list[tuple[Grant, str]]) -> str:
    lines = [f"These files of release {release_id} are not in this bundle:", ""]
    lines += [f"- {grant.record.filename}: {reason}" for grant, reason in left_out]
    return "\n".join(lines) + "\n"


def send_bundle(bundle: Bundle, members: list[Grant], left_out: list[tuple[Grant, str]], *,
                ip: str, user_agent: str, tracking_number: str) -> Response:
    now = utcnow()
    rows = [{"grant_id": g.id, "ip": ip, "user_agent": user_agent[:400], "copy_sha256": g.copy_sha256,
             "bundle_id": bundle.id, "at": now} for g in members]
    delivery_ids = []
    for start in range(0, len(rows), 1000):
        delivery_ids += db.session.scalars(sa.insert(Delivery).returning(Delivery.id, sort_by_parameter_order=True),
                                           rows[start:start + 1000]).all()
    plan = [(name, g.copy_key, g.copy_size, delivery_id)
            for name, g, delivery_id in zip(_names(members), members, delivery_ids)]
    extra = revoked_text(bundle.release_id, left_out) if left_out else None
    db.session.commit()  # the rows exist before any byte is sent
    files.committed()
    backend = files.storage()
    stamp = now.timetuple()[:6]

    def generate():
        sink = _Sink()
        sent: dict[int, tuple[str, int]] = {}
        error = None
        try:
            with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
                for name, key, size, delivery_id in plan:
                    digest, count = hashlib.sha256(), 0
                    info = zipfile.ZipInfo(name, date_time=stamp)
                    info.file_size = size
                    with backend.open(key) as src, archive.open(info, "w", force_zip64=size >= 2 ** 31) as dst:
                        while chunk := src.read(CHUNK):
                            dst.write(chunk)
                            digest.update(chunk)
                            count += len(chunk)
                            if sink.size >= CHUNK:
                                yield sink.drain()
                    sent[delivery_id] = (digest.hexdigest(), count)
                    yield sink.drain()
                if extra is not None:
                    archive.writestr(zipfile.ZipInfo("REVOKED.txt", date_time=stamp), extra)
            yield sink.drain()
        except GeneratorExit:
            error = f"the client went away after {len(sent)} of {len(plan)} files"
            raise
        except Exception as exc:
            error = f"the bundle stopped after {len(sent)} of {len(plan)} files: {exc}"
            current_app.logger.error("bundle %s: %s", bundle_id, error)
            raise
        finally:
            _finish([(d, size) for _, _, size, d in plan], sent, error)

    bundle_id = bundle.id
    response = Response(stream_with_context(generate()), mimetype="application/zip", direct_passthrough=True)
    response.headers["Content-Disposition"] = content_disposition(
        f"release-{bundle.release_id}-{tracking_number}.zip")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Bundle-Id"] = str(bundle_id)
    return response


def _finish(deliveries: list[tuple[int, int]], sent: dict[int, tuple[str, int]], error: str | None) -> None:
    db.session.rollback()
    finished: datetime = utcnow()
    rows = []
    for delivery_id, size in deliveries:
        digest, count = sent.get(delivery_id, (None, 0))
        done = digest is not None and count == size
        rows.append({"id": delivery_id, "sha256": digest, "bytes_sent": count, "completed": done,
                     "finished_at": finished,
                     "error": None if done else (error or "not sent") + " (sent in a bundle)"})
    for start in range(0, len(rows), 1000):
        db.session.execute(sa.update(Delivery), rows[start:start + 1000])
    db.session.commit()


def deliver_bundle(actor, release_id: int, *, ip: str, user_agent: str) -> Response:
    """The actor's bundle of the release, streamed; raises NotFound, Gone, Conflict or
    bundles.BundlePreparing (202 with its progress)."""
    from .bundles import ready_bundle
    bundle, members, left_out = ready_bundle(actor, release_id)
    return send_bundle(bundle, members, left_out, ip=ip, user_agent=user_agent,
                       tracking_number=members[0].record.request.tracking_number)
