"""Clawback campaigns: revoke at once, ask every recipient, record each answer."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from .. import audit, mail
from ..auth.models import User
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.models import utcnow
from ..disclosures.models import Grant
from ..extensions import db
from ..records.models import Blob, Record
from .models import Clawback, ClawbackFile, Notice, NoticeStatus
from .revocation import revoke_file

ACTIONS = {"acknowledge": NoticeStatus.acknowledged, "certify_deleted": NoticeStatus.certified_deleted,
           "contest": NoticeStatus.contested}


def _files(sha256s) -> list[Blob]:
    if not isinstance(sha256s, list) or not sha256s or not all(isinstance(s, str) for s in sha256s):
        raise Invalid("Choose at least one file (by SHA-256).", fields={"sha256s": "required"})
    wanted = {s.strip().lower() for s in sha256s}
    blobs = list(db.session.scalars(sa.select(Blob).where(Blob.sha256.in_(wanted))))
    if len(blobs) != len(wanted):
        raise Invalid("Some of those files were never uploaded.", fields={"sha256s": "unknown"})
    return blobs


def files_named(sha256s: list[str]) -> list[tuple[str, str]]:
    """(SHA-256, a file name) of the uploaded files among `sha256s`; unknown ones are left out."""
    wanted = {s.strip().lower() for s in sha256s if s and len(s.strip()) == 64}
    if not wanted:
        return []
    rows = db.session.execute(sa.select(Blob.sha256, sa.func.min(Record.filename)).join(Record, Record.blob_id == Blob.id)
                              .where(Blob.sha256.in_(wanted)).group_by(Blob.sha256).order_by(Blob.sha256)).all()
    return [(sha, name) for sha, name in rows]


def open_campaign(actor: User, *, sha256s, reason: str, respond_by: date) -> Clawback:
    if not actor.is_admin:
        raise Forbidden("Only an administrator may open a clawback campaign.")
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= 5000:
        raise Invalid("Explain why the files are being recalled.", fields={"reason": "required"})
    if not isinstance(respond_by, date) or respond_by <= utcnow().date():
        raise Invalid("The respond-by date must be in the future.", fields={"respond_by": "future date"})
    blobs = _files(sha256s)
    campaign = Clawback(reason=reason, respond_by=respond_by, created_by_id=actor.id)
    db.session.add(campaign)
    revoked = 0
    for blob in blobs:
        name = db.session.scalar(sa.select(Record.filename).where(Record.blob_id == blob.id).limit(1))
        campaign.files.append(ClawbackFile(sha256=blob.sha256, filename=name or blob.sha256[:12]))
        revoked += revoke_file(actor, blob.sha256, f"Clawback: {reason}", notify=False)
    campaign.revoked_grants = revoked
    grants = _grants_of(blobs)
    for user in {g.recipient_id: g.recipient for g in grants if g.recipient is not None}.values():
        notice = Notice(recipient=user)
        campaign.notices.append(notice)
    db.session.flush()
    audit.record(actor, "clawback.open", f"clawback:{campaign.id}",
                 {"files": [b.sha256 for b in blobs], "reason": reason, "respond_by": respond_by.isoformat(),
                  "notices": [[n.id, n.recipient_id] for n in campaign.notices], "revoked": revoked})
    for notice in campaign.notices:
        _send_notice(notice, [g for g in grants if g.recipient_id == notice.recipient_id])
    return campaign


def _grants_of(blobs: list[Blob]) -> list[Grant]:
    return list(db.session.scalars(sa.select(Grant).join(Grant.record)
                                   .where(Record.blob_id.in_([b.id for b in blobs])).order_by(Grant.id)))


def _delivery_lines(grants: list[Grant]) -> str:
    lines = []
    for g in grants:
        when = ", ".join(d.at.strftime("%Y-%m-%d %H:%M UTC") for d in g.deliveries) or "not downloaded"
        lines.append(f"  - {g.record.filename} (request {g.record.request.tracking_number}): {when}")
    return "\n".join(lines)


def _send_notice(notice: Notice, grants: list[Grant], reminder: bool = False) -> None:
    cfg = current_app.config
    campaign = notice.clawback
    subject = ("Reminder: " if reminder else "") + cfg["CLAWBACK_SUBJECT"]
    body = cfg["CLAWBACK_TEXT"].format(
        name=notice.recipient.name, agency=cfg["AGENCY_NAME"], reason=campaign.reason,
        files=_delivery_lines(grants), respond_by=campaign.respond_by.isoformat(),
        link=f"{cfg['BASE_URL']}/me/notices/{notice.id}")
    mail.send(notice.recipient.email, subject, body)


def notice_for(actor: User, notice_id: int) -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.recipient_id != actor.id:
        raise NotFound("No such notice.")
    return notice


def respond(actor: User, notice_id: int, action: str, statement: str | None) -> Notice:
    notice = notice_for(actor, notice_id)
    if action not in ACTIONS:
        raise Invalid("Choose acknowledge, certify_deleted or contest.", fields={"action": "invalid"})
    statement = (statement or "").strip()
    if len(statement) > 20000:
        raise Invalid("The statement is limited to 20,000 characters.", fields={"statement": "too long"})
    if action in ("certify_deleted", "contest") and not statement:
        raise Invalid("Please type your attestation or statement.", fields={"statement": "required"})
    if notice.status != NoticeStatus.sent and notice.status == ACTIONS[action]:
        raise Conflict("You have already answered this way.")
    notice.status, notice.responded_at, notice.statement = ACTIONS[action], utcnow(), statement or None
    audit.record(actor, "clawback.respond", f"notice:{notice.id}",
                 {"clawback": notice.clawback_id, "action": action, "statement": statement})
    return notice


def my_notices(actor: User) -> list[Notice]:
    return list(db.session.scalars(sa.select(Notice).where(Notice.recipient_id == actor.id)
                                   .order_by(Notice.id.desc())))


def get_campaign(actor: User, campaign_id: int) -> Clawback:
    if not actor.is_admin:
        raise Forbidden("Only an administrator may see clawback campaigns.")
    campaign = db.session.get(Clawback, campaign_id)
    if campaign is None:
        raise NotFound("No such campaign.")
    return campaign


def send_reminders(days_before: int = 3) -> int:
    """Remind unanswered recipients once, in the days before the respond-by date."""
    today = utcnow().date()
    due = db.session.scalars(
        sa.select(Notice).join(Notice.clawback)
        .where(Notice.status == NoticeStatus.sent, Notice.reminded_at.is_(None),
               Clawback.respond_by <= today + timedelta(days=days_before), Clawback.respond_by >= today)).all()
    grants_by_campaign: dict[int, list[Grant]] = {}  # one query per campaign, not per notice
    for notice in due:
        if notice.clawback_id not in grants_by_campaign:
            blobs = list(db.session.scalars(sa.select(Blob).where(
                Blob.sha256.in_([f.sha256 for f in notice.clawback.files]))))
            grants_by_campaign[notice.clawback_id] = _grants_of(blobs)
        grants = grants_by_campaign[notice.clawback_id]
        _send_notice(notice, [g for g in grants if g.recipient_id == notice.recipient_id], True)
        notice.reminded_at = utcnow()
        audit.record("system", "clawback.remind", f"notice:{notice.id}", {})
    return len(due)


def notice_json(n: Notice) -> dict:
    from ..api.util import iso
    return {"id": n.id, "clawback_id": n.clawback_id, "status": n.status.value, "reason": n.clawback.reason,
            "respond_by": n.clawback.respond_by.isoformat(),
            "files": [{"sha256": f.sha256, "filename": f.filename} for f in n.clawback.files],
            "responded_at": iso(n.responded_at), "statement": n.statement}


def campaign_json(c: Clawback) -> dict:
    from ..api.util import iso
    return {"id": c.id, "status": "complete" if c.complete else "open", "reason": c.reason,
            "respond_by": c.respond_by.isoformat(), "created_at": iso(c.created_at),
            "revoked_grants": c.revoked_grants,
            "files": [{"sha256": f.sha256, "filename": f.filename} for f in c.files],
            "notices": [{"id": n.id, "recipient": {"id": n.recipient.id, "email": n.recipient.email},
                         "status": n.status.value, "responded_at": iso(n.responded_at),
                         "statement": n.statement} for n in c.notices]}
