"""Queue mail with the change; deliver it after the commit; retry what failed."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g

from ..core.models import utcnow
from ..extensions import db
from . import transport
from .models import MailStatus, OutgoingMail


def send(to: str, subject: str, body: str) -> OutgoingMail:
    """Queue a message in the caller's transaction; it leaves after the commit."""
    mail = OutgoingMail(to=to, subject=subject[:300], body=body)
    db.session.add(mail)
    db.session.flush()
    g.setdefault("pending_mail", []).append(mail.id)
    return mail


def _attempt(mail: OutgoingMail) -> bool:
    cfg = current_app.config
    msg = transport.build(cfg["MAIL_FROM"], mail.to, mail.subject, mail.body, mail.id)
    mail.attempts += 1
    try:
        if cfg.get("SMTP_URL"):
            transport.send_smtp(cfg["SMTP_URL"], msg)
        else:
            transport.write_outbox(cfg["OUTBOX_DIR"], msg, mail.id)
    except Exception as exc:  # any transport failure is retried, never raised to the user
        mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if mail.attempts >= cfg["MAIL_MAX_ATTEMPTS"]:
            mail.status = MailStatus.failed
        else:
            backoff = cfg["MAIL_RETRY_SECONDS"] * 2 ** (mail.attempts - 1)
            mail.next_attempt_at = utcnow() + timedelta(seconds=backoff)
        return False
    mail.status, mail.sent_at, mail.last_error = MailStatus.sent, utcnow(), None
    return True


# A message being sent is skipped by other workers for this long; if its sender died mid-send,
# it is retried after that (a message may then leave twice, never zero times).
SEND_LEASE_SECONDS = 300


def _claim(mail_id: int) -> OutgoingMail | None:
    """This message, if it is still due and no other worker or server is sending it.

    PostgreSQL: the row stays locked (FOR UPDATE SKIP LOCKED) until the send is committed.
    SQLite: a conditional UPDATE pushes its next attempt past the lease; only one writer wins.
    """
    due = (OutgoingMail.id == mail_id, OutgoingMail.status == MailStatus.pending,
           OutgoingMail.next_attempt_at <= utcnow())
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.scalar(sa.select(OutgoingMail).where(*due).with_for_update(skip_locked=True))
    taken = db.session.execute(
        sa.update(OutgoingMail).where(*due)
        .values(next_attempt_at=utcnow() + timedelta(seconds=SEND_LEASE_SECONDS))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not taken:
        return None
    mail = db.session.get(OutgoingMail, mail_id)
    db.session.refresh(mail)
    return mail


def _deliver(ids) -> int:
    sent = 0
    for mail_id in ids:
        mail = _claim(mail_id)
        if mail is not None:
            sent += _attempt(mail)
        db.session.commit()
    return sent


def deliver_pending_after_commit() -> int:
    """Deliver what this request queued. Called only after its transaction committed."""
    ids = g.pop("pending_mail", [])
    return _deliver(ids) if ids else 0


def deliver_due(limit: int = 100) -> int:
    """Deliver queued mail whose time has come (the worker's retry loop)."""
    ids = db.session.scalars(
        sa.select(OutgoingMail.id)
        .where(OutgoingMail.status == MailStatus.pending, OutgoingMail.next_attempt_at <= utcnow())
        .order_by(OutgoingMail.id).limit(limit)).all()
    return _deliver(ids)


def retry(mail_id: int) -> None:
    """An admin puts a failed message back in the queue."""
    mail = db.session.get(OutgoingMail, mail_id)
    if mail is not None and mail.status == MailStatus.failed:
        mail.status, mail.next_attempt_at = MailStatus.pending, utcnow()
