"""One release of hundreds of records to several recipients: every grant made in one call,
codes unique, and the audit row a summary that the grants table can be checked against."""
import hashlib
import json

import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.disclosures import services
from portal.disclosures.models import Grant
from portal.extensions import db
from tests import factories as f


def test_a_release_of_250_records_to_three_recipients(ctx, mailbox):
    _, staff, requester, req = f.scenario()
    ids = [f.upload(staff, req, f"record {i}\n".encode() * 3, filename=f"r/{i:04}.txt").id for i in range(250)]
    release = services.create_release(staff, req.id, ids, recipients=["a@example.org", "b@example.org"])
    f.commit()
    grants = list(db.session.scalars(sa.select(Grant).where(Grant.release_id == release.id).order_by(Grant.id)))
    assert len(grants) == 750 == len(release.grants)
    assert len({g.code for g in grants}) == 750
    assert {(g.recipient_id, g.record_id) for g in grants} == {
        (p, r) for p in {g.recipient_id for g in grants} for r in ids}
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "release.create"))
    detail = json.loads(entry.data)
    listed = [[g.id, g.recipient_id, g.record_id, g.code] for g in grants]
    assert detail["grants"]["count"] == 750
    assert detail["grants"]["sha256"] == hashlib.sha256(json.dumps(listed).encode()).hexdigest()
    assert detail["records"]["count"] == 250
    assert "... and 200 more" in mailbox.last_body("a@example.org")
