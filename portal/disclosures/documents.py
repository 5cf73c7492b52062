"""Each record of a request and where it stands: scanned, screened (what was found), redacted,
released to whom, downloaded, revoked. Read for the staff request page's documents panel, in a
fixed number of queries whatever the number of records.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ..auth.models import User
from ..extensions import db
from ..records import services as records
from ..records.models import Record
from ..screening.models import ScreeningResult
from .models import Delivery, Grant


@dataclass
class Document:
    record: Record
    screened: bool = False
    flagged: bool = False
    found: list[str] = field(default_factory=list)      # what the latest screen found, in words
    redacted_versions: list[Record] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)  # who it was released to
    downloads: int = 0
    live: int = 0
    revoked: int = 0

    @property
    def released(self) -> bool:
        return bool(self.recipients)


def _found(result: dict) -> list[str]:
    out = [f"{m.get('kind', 'match')}: {m.get('term') or m.get('text') or ''}".rstrip(": ")
           for m in result.get("matches", [])]
    out += [f.get("kind", "finding").replace("_", " ") for f in result.get("findings", [])]
    return list(dict.fromkeys(out))


def documents_of(actor: User, request_id: int) -> list[Document]:
    rows = records.list_for(actor, request_id)  # authorises (the request's managers only)
    docs = {r.id: Document(r) for r in rows}
    by_blob: dict[int, list[Document]] = {}
    for d in docs.values():
        by_blob.setdefault(d.record.blob_id, []).append(d)
        if d.record.replaces_id in docs:
            docs[d.record.replaces_id].redacted_versions.append(d.record)
    if not docs:
        return []
    latest = sa.select(sa.func.max(ScreeningResult.id)).where(ScreeningResult.blob_id.in_(by_blob)) \
        .group_by(ScreeningResult.blob_id)
    for result in db.session.scalars(sa.select(ScreeningResult).where(ScreeningResult.id.in_(latest))):
        for d in by_blob[result.blob_id]:
            d.screened, d.flagged, d.found = True, result.flagged, _found(result.result or {})
    mine = sa.select(Grant.id).where(Grant.record_id.in_(docs))
    downloads = (sa.select(Delivery.grant_id, sa.func.count().label("n")).where(Delivery.grant_id.in_(mine))
                 .group_by(Delivery.grant_id).subquery())
    grants = db.session.execute(
        sa.select(Grant.record_id, Grant.revoked_at, sa.func.coalesce(User.name, Grant.public_label),
                  sa.func.coalesce(downloads.c.n, 0))
        .outerjoin(User, User.id == Grant.recipient_id).outerjoin(downloads, downloads.c.grant_id == Grant.id)
        .where(Grant.record_id.in_(docs)).order_by(Grant.id))
    for record_id, revoked_at, who, n in grants:
        d = docs[record_id]
        if who not in d.recipients:
            d.recipients.append(who)
        d.downloads += n
        d.revoked += revoked_at is not None
        d.live += revoked_at is None
    return list(docs.values())
