"""Revocation at every scope: one grant, a release, a file everywhere, a recipient.

It takes effect on the very next request: downloads check the grant row every
time, and copies only ever stream through the portal.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from .. import audit
from ..auth.models import User
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.models import utcnow
from ..disclosures.models import Grant, Release
from ..extensions import db
from ..record_requests.models import RecordRequest
from ..records.models import Blob, Record
from . import withdrawals


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


def _revoke(actor: User, grants: list[Grant], reason: str, scope: str, subject: str, notify: bool = True) -> int:
    """Revoke those of `grants` still live when the update runs (not when they were read: a
    revocation made meanwhile by another request is not made again), and tell their recipients."""
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
    if notify and live:
        done = set(live)
        withdrawals.tell_recipients([g for g in grants if g.id in done], reason)
    return len(live)


def _grants_with_department(where) -> list[tuple[Grant, int]]:
    rows = db.session.execute(
        sa.select(Grant, RecordRequest.department_id).join(Grant.record).join(Record.blob)
        .join(RecordRequest, RecordRequest.id == Record.request_id).where(where)).all()
    return [(g, d) for g, d in rows]


# Each scope's grants, once the actor is allowed to act on them: the revocation and its preview
# (the confirmation page's "what will happen") read the same rows.

def _grant_scope(actor: User, grant_id: int) -> list[Grant]:
    rows = _grants_with_department(Grant.id == grant_id)
    if not rows or not may_act_on(actor, rows[0][1]):  # another department's grant is not revealed
        raise NotFound("No such grant.")
    _require(actor, {rows[0][1]})
    return [rows[0][0]]


def _release_scope(actor: User, release_id: int) -> tuple[Release, list[Grant]]:
    release = db.session.get(Release, release_id)
    req = db.session.get(RecordRequest, release.request_id) if release is not None else None
    if req is None or not may_act_on(actor, req.department_id):  # nor another department's release
        raise NotFound("No such release.")
    return release, list(release.grants)


def _file_scope(actor: User, sha256: str) -> list[Grant]:
    if not actor.is_staff:  # before the look-up: a held file and an unknown one answer alike
        _require(actor, set())
    _blob(sha256)  # NotFound for a file never uploaded
    rows = _grants_with_department(Blob.sha256 == sha256)
    _require(actor, {d for _, d in rows})
    return [g for g, _ in rows]


def _recipient_scope(actor: User, user_id: int) -> list[Grant]:
    rows = _grants_with_department(Grant.recipient_id == user_id)
    if not actor.is_admin:
        rows = [(g, d) for g, d in rows if may_act_on(actor, d)]
    _require(actor, {d for _, d in rows})
    return [g for g, _ in rows]


def revoke_grant(actor: User, grant_id: int, reason: str) -> Grant:
    reason = _reason(reason)
    grants = _grant_scope(actor, grant_id)
    _revoke(actor, grants, reason, "grant", f"grant:{grant_id}")
    return grants[0]


def revoke_release(actor: User, release_id: int, reason: str) -> int:
    reason = _reason(reason)
    release, grants = _release_scope(actor, release_id)
    release.public = False
    revoked = _revoke(actor, grants, reason, "release", f"release:{release_id}")
    if grants and not revoked:
        raise Conflict("This release is already revoked.")
    return revoked


def revoke_file(actor: User, sha256: str, reason: str, notify: bool = True) -> int:
    """Every grant of the file, across every request it went out in. A clawback campaign tells the
    recipients itself (`notify=False`): one message, its own."""
    reason = _reason(reason)
    sha256 = (sha256 or "").lower()
    grants = _file_scope(actor, sha256)
    for release in {g.release for g in grants}:
        release.public = False
    return _revoke(actor, grants, reason, "file", f"file:{sha256}", notify=notify)


def revoke_recipient(actor: User, user_id: int, reason: str) -> int:
    reason = _reason(reason)
    return _revoke(actor, _recipient_scope(actor, user_id), reason, "recipient", f"user:{user_id}")


@dataclass(frozen=True)
class Impact:
    """What a revocation would do: shown before it is confirmed."""
    links: int                 # live links that would stop
    recipients: list[str]      # who would lose access (names; a public download by its label)
    files: list[str]           # the files' names
    sha256s: list[str]         # and fingerprints (a clawback of the same files starts from them)
    public: bool = False       # a release in the public library would leave it
    request_id: int | None = None  # the release's request


def impact(actor: User, scope: str, key) -> Impact:
    """The same checks as the revocation itself (a 404 or 403 here too), nothing changed."""
    public, request_id = False, None
    if scope == "grant":
        grants = _grant_scope(actor, int(key))
    elif scope == "release":
        release, grants = _release_scope(actor, int(key))
        public, request_id = release.public, release.request_id
    elif scope == "file":
        grants = _file_scope(actor, str(key).lower())
        public = any(g.release.public for g in grants)
    elif scope == "recipient":
        grants = _recipient_scope(actor, int(key))
    else:
        raise NotFound("No such revocation.")
    live = [g for g in grants if g.revoked_at is None]
    people = {g.recipient_id or f"public:{g.public_label}":
              (g.recipient.name if g.recipient else f"public download {g.public_label}") for g in live}
    return Impact(links=len(live), recipients=sorted(people.values()),
                  files=sorted({g.record.filename for g in grants}), sha256s=sorted({g.record.sha256 for g in grants}),
                  public=public, request_id=request_id)


def _blob(sha256: str) -> Blob:
    blob = db.session.scalar(sa.select(Blob).where(Blob.sha256 == sha256))
    if blob is None:
        raise NotFound("No file with that SHA-256 was ever uploaded.")
    return blob
