"""Revocation at every scope: one grant, a release, a file everywhere, a recipient.

It takes effect on the very next request: downloads check the grant row every
time, and copies only ever stream through the portal.
"""
from __future__ import annotations

import sqlalchemy as sa

from .. import audit
from ..auth.models import User
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.models import utcnow
from ..disclosures.models import Grant, Release
from ..extensions import db
from ..record_requests.models import RecordRequest
from ..records.models import Blob, Record


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= 2000:
        raise Invalid("Give the reason for the revocation (up to 2,000 characters).", fields={"reason": "required"})
    return reason


def may_act_on(actor: User, department_id: int) -> bool:
    """Admins everywhere; staff within their own department."""
    return actor.is_admin or (actor.is_staff and actor.department_id == department_id)


def _require(actor: User, department_ids: set[int]) -> None:
    if not actor.is_staff:
        raise Forbidden("Only staff and administrators may revoke.")
    if not all(may_act_on(actor, d) for d in department_ids):
        raise Forbidden("Staff may revoke only within their own department.")


def _revoke(actor: User, grants: list[Grant], reason: str, scope: str, subject: str) -> int:
    """Revoke those of `grants` still live when the update runs (not when they were read: a
    revocation made meanwhile by another request is not made again)."""
    ids = [g.id for g in grants if g.revoked_at is None]
    live: list[int] = []
    if ids:
        db.session.flush()
        live = sorted(db.session.scalars(
            sa.update(Grant).where(Grant.id.in_(ids), Grant.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_reason=reason).returning(Grant.id)
            .execution_options(synchronize_session=False)).all())
        for g in grants:
            db.session.expire(g, ["revoked_at", "revoked_reason"])
    audit.record(actor, "grant.revoke", subject, {"scope": scope, "reason": reason, "grants": live})
    return len(live)


def _grants_with_department(where) -> list[tuple[Grant, int]]:
    rows = db.session.execute(
        sa.select(Grant, RecordRequest.department_id).join(Grant.record).join(Record.blob)
        .join(RecordRequest, RecordRequest.id == Record.request_id).where(where)).all()
    return [(g, d) for g, d in rows]


def revoke_grant(actor: User, grant_id: int, reason: str) -> Grant:
    reason = _reason(reason)
    rows = _grants_with_department(Grant.id == grant_id)
    if not rows or not may_act_on(actor, rows[0][1]):  # another department's grant is not revealed
        raise NotFound("No such grant.")
    _require(actor, {rows[0][1]})
    _revoke(actor, [rows[0][0]], reason, "grant", f"grant:{grant_id}")
    return rows[0][0]


def revoke_release(actor: User, release_id: int, reason: str) -> int:
    reason = _reason(reason)
    release = db.session.get(Release, release_id)
    req = db.session.get(RecordRequest, release.request_id) if release is not None else None
    if req is None or not may_act_on(actor, req.department_id):  # nor another department's release
        raise NotFound("No such release.")
    release.public = False
    grants = list(release.grants)
    revoked = _revoke(actor, grants, reason, "release", f"release:{release_id}")
    if grants and not revoked:
        raise Conflict("This release is already revoked.")
    return revoked


def revoke_file(actor: User, sha256: str, reason: str) -> int:
    """Every grant of the file, across every request it went out in."""
    reason = _reason(reason)
    if not actor.is_staff:  # before the look-up: a held file and an unknown one answer alike
        _require(actor, set())
    sha256 = (sha256 or "").lower()
    _blob(sha256)  # NotFound for a file never uploaded
    rows = _grants_with_department(Blob.sha256 == sha256)
    _require(actor, {d for _, d in rows})
    for release in {g.release for g, _ in rows}:
        release.public = False
    return _revoke(actor, [g for g, _ in rows], reason, "file", f"file:{sha256}")


def revoke_recipient(actor: User, user_id: int, reason: str) -> int:
    reason = _reason(reason)
    rows = _grants_with_department(Grant.recipient_id == user_id)
    if not actor.is_admin:
        rows = [(g, d) for g, d in rows if may_act_on(actor, d)]
    _require(actor, {d for _, d in rows})
    return _revoke(actor, [g for g, _ in rows], reason, "recipient", f"user:{user_id}")


def _blob(sha256: str) -> Blob:
    blob = db.session.scalar(sa.select(Blob).where(Blob.sha256 == sha256))
    if blob is None:
        raise NotFound("No file with that SHA-256 was ever uploaded.")
    return blob
