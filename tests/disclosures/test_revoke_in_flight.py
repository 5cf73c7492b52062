"""Revocation stops a download already in flight (issue 21, item 3)."""
from __future__ import annotations

import contextvars
import os

import sqlalchemy as sa
from flask.testing import FlaskClient

from portal.disclosures import services
from portal.disclosures.models import Delivery
from portal.extensions import db
from tests import factories as f

MIB = 1024 ** 2
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def test_revoking_a_grant_ends_its_download_in_flight_within_4_mib(client, ctx, app):
    app.config["MARK_INLINE_MAX_BYTES"] = 64 * MIB
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, MP4_HEAD + os.urandom(40 * MIB), filename="bodycam.mp4")
    grant = services.create_release(staff, req.id, [rec.id]).grants[0]
    db.session.commit()
    url, h = f"/api/v1/grants/{grant.id}/download", f.token_for(requester)
    staff_h = f.token_for(staff)

    def download_revoked_after_first_mib():
        r = FlaskClient.open(client, url, headers=h, buffered=False)
        assert r.status_code == 200
        received, chunks = 0, iter(r.response)
        while received < MIB:
            received += len(next(chunks))
        revoked = client.post(f"/api/v1/grants/{grant.id}/revoke", headers=staff_h,
                              json={"reason": "released in error"})
        assert revoked.status_code == 200
        at_revocation = received
        for chunk in chunks:
            received += len(chunk)
        r.close()
        return at_revocation, received, int(r.headers["Content-Length"])

    at_revocation, received, length = contextvars.Context().run(download_revoked_after_first_mib)
    assert length > 40 * MIB
    assert received - at_revocation <= 4 * MIB   # the stream stopped at its next check
    assert received < length                      # a short body: the client sees the cut
    db.session.expire_all()
    [d] = db.session.scalars(sa.select(Delivery)).all()
    assert not d.completed and d.bytes_sent == received
    assert d.error == f"revoked during download after {received} bytes"
    assert client.get(url, headers=h).status_code == 410   # and the next try is refused
