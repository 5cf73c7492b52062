"""A corrected re-release: the redacted version goes to everyone who got the original, in one step."""
from __future__ import annotations

import sqlalchemy as sa

from .. import audit
from ..auth.models import User
from ..core.errors import Invalid, NotFound
from ..core.models import MAX_ID
from ..disclosures.models import Grant, Release
from ..disclosures.services import create_release
from ..extensions import db
from ..records.models import Disposition, Record
from .campaigns import get_campaign


def rerelease(actor: User, campaign_id: int, corrected_record_id: int) -> list[Release]:
    campaign = get_campaign(actor, campaign_id)
    corrected = db.session.get(Record, corrected_record_id) if 0 < corrected_record_id <= MAX_ID else None
    if corrected is None:
        raise NotFound("No such record.")
    original = corrected.replaces
    recalled = {f.sha256 for f in campaign.files}
    if original is None or original.blob.sha256 not in recalled:
        raise Invalid("Choose the corrected version of a recalled file (uploaded as its redacted replacement).",
                      fields={"record_id": "not a replacement of a recalled file"})
    if corrected.blob.sha256 in recalled:
        raise Invalid("The corrected version is the same file that was recalled.", fields={"record_id": "same file"})
    grants = db.session.scalars(sa.select(Grant).join(Grant.record).where(
        Record.blob_id == original.blob_id, Grant.recipient_id.is_not(None))).all()
    by_request: dict[int, tuple[Record, set[str]]] = {}
    for g in grants:
        _, emails = by_request.setdefault(g.record.request_id, (g.record, set()))
        emails.add(g.recipient.email)
    releases = []
    for request_id, (old, emails) in sorted(by_request.items()):
        record = corrected if request_id == corrected.request_id else _copy_into(actor, corrected, old)
        requester_email = old.request.requester.email
        releases.append(create_release(actor, request_id, [record.id],
                                       recipients=sorted(emails - {requester_email})))
    audit.record(actor, "clawback.rerelease", f"clawback:{campaign.id}",
                 {"corrected": corrected.id, "sha256": corrected.blob.sha256,
                  "releases": [r.id for r in releases]})
    return releases


def _copy_into(actor: User, corrected: Record, old: Record) -> Record:
    """The same corrected bytes as a record of another request that had the original."""
    record = Record(request_id=old.request_id, blob=corrected.blob, filename=corrected.filename,
                    disposition=Disposition.release, replaces=old, uploaded_by_id=actor.id)
    db.session.add(record)
    db.session.flush()
    return record
