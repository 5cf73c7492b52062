"""Telling recipients that a download link was withdrawn: by e-mail at once, and on their Notices page.

A withdrawal outside a clawback campaign asks nothing of the recipient; it says which files, why, and
that the link no longer works. (A campaign sends its own notice, which asks for an answer.)
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import current_app

from .. import mail
from ..auth.models import User
from ..disclosures.models import Grant
from ..extensions import db
from ..record_requests.models import RecordRequest
from ..records.models import Record


def tell_recipients(grants: list[Grant], reason: str) -> int:
    """One message to each account that lost a link (public downloads have nobody to tell)."""
    cfg = current_app.config
    by_person: dict[int, list[Grant]] = defaultdict(list)
    for g in grants:
        if g.recipient_id is not None:
            by_person[g.recipient_id].append(g)
    people = {}
    ids = list(by_person)
    for start in range(0, len(ids), 1000):  # one query per thousand, not one per recipient
        chunk = ids[start:start + 1000]
        people.update({u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(chunk)))})
    for person_id, mine in by_person.items():
        person = people[person_id]
        files = "\n".join(f"  - {g.record.filename} (request {g.record.request.tracking_number})" for g in mine)
        mail.send(person.email, cfg["REVOKED_SUBJECT"], cfg["REVOKED_TEXT"].format(
            name=person.name, agency=cfg["AGENCY_NAME"], reason=reason, files=files,
            link=f"{cfg['BASE_URL']}/me/notices"))
    return len(by_person)


def withdrawn_for(user: User, limit: int = 200) -> list:
    """The user's withdrawn links, newest first: (revoked_at, reason, filename, tracking number)."""
    return db.session.execute(
        sa.select(Grant.revoked_at, Grant.revoked_reason, Record.filename, RecordRequest.tracking_number)
        .join(Record, Record.id == Grant.record_id).join(RecordRequest, RecordRequest.id == Record.request_id)
        .where(Grant.recipient_id == user.id, Grant.revoked_at.is_not(None))
        .order_by(Grant.revoked_at.desc(), Grant.id.desc()).limit(limit)).all()
