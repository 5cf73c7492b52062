"""Who has a whole release: every recipient, how many of its files they hold and fetched, one by
one or in bundles. Three grouped queries whatever the release's size (9,000 photos to two
recipients is 18,000 grants; the page shows one row per recipient)."""
from __future__ import annotations

import sqlalchemy as sa

from ..auth.models import User
from ..core.errors import NotFound
from ..disclosures.models import Bundle, Delivery, Grant, Release
from ..extensions import db
from ..record_requests.models import RecordRequest
from .revocation import may_act_on


def release_recipients(actor: User, release_id: int) -> dict:
    release = db.session.get(Release, release_id)
    req = db.session.get(RecordRequest, release.request_id) if release is not None else None
    if req is None or not may_act_on(actor, req.department_id):  # another department's is not revealed
        raise NotFound("No such release.")
    people = {}
    for rid, email, name, grants, revoked in db.session.execute(
            sa.select(Grant.recipient_id, User.email, User.name, sa.func.count(Grant.id), sa.func.count(Grant.revoked_at))
            .outerjoin(User, User.id == Grant.recipient_id).where(Grant.release_id == release_id)
            .group_by(Grant.recipient_id, User.email, User.name).order_by(User.email)):
        people[rid] = {"user": {"id": rid, "email": email, "name": name}, "grants": grants, "revoked": revoked,
                       "files_delivered": 0, "deliveries": 0, "in_bundles": 0, "last_delivery": None, "bundles": []}
    for rid, files, deliveries, bundled, last in db.session.execute(
            sa.select(Grant.recipient_id, sa.func.count(sa.distinct(Grant.id)), sa.func.count(Delivery.id),
                      sa.func.count(Delivery.bundle_id), sa.func.max(Delivery.at))
            .join(Grant, Grant.id == Delivery.grant_id).where(Grant.release_id == release_id)
            .group_by(Grant.recipient_id)):
        people[rid].update(files_delivered=files, deliveries=deliveries, in_bundles=bundled,
                           last_delivery=last.isoformat() if last else None)
    for bundle in db.session.scalars(sa.select(Bundle).where(Bundle.release_id == release_id).order_by(Bundle.id)):
        people[bundle.recipient_id]["bundles"].append(
            {"id": bundle.id, "state": bundle.state.value, "done": bundle.done, "total": bundle.total,
             "created_at": bundle.created_at.isoformat()})
    records = db.session.scalar(sa.select(sa.func.count()).select_from(Release).join(Release.records)
                                .where(Release.id == release_id))
    return {"release_id": release.id, "request": {"id": req.id, "tracking_number": req.tracking_number},
            "released_at": release.released_at.isoformat(), "records": records, "recipients": list(people.values())}
