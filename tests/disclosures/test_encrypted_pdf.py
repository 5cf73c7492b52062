"""PDFs encrypted only to restrict printing or copying are released as marked copies; a PDF that
needs a password is refused at upload with a message a person can act on."""
import io

import pikepdf
import pytest

from portal.core.errors import Unprocessable
from portal.disclosures import services
from portal.extensions import db
from portal.core.models import utcnow
from tests import factories as f
from tests.watermark import samples as ws


def _protected(user: str) -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(ws.pdf(3))) as doc:
        doc.save(out, encryption=pikepdf.Encryption(owner="owner", user=user,
                                                    allow=pikepdf.Permissions(extract=False, print_highres=False)))
    return out.getvalue()


def test_permissions_only_encryption_is_released_as_a_marked_pdf(client, ctx):
    _, staff, requester, req = f.scenario()
    data = _protected(user="")
    rec = f.upload(staff, req, data, filename="layoffs.pdf")
    assert rec.blob.size == len(data)                           # the record keeps its own bytes
    rel = services.create_release(staff, req.id, [rec.id])
    db.session.commit()
    grant = rel.grants[0]
    grant.recipient.email_verified_at = grant.recipient.email_verified_at or utcnow()
    db.session.commit()
    r = client.get(f"/api/v1/grants/{grant.id}/download", headers=f.token_for(grant.recipient))
    assert r.status_code == 200 and r.get_data()[:5] == b"%PDF-"     # not the receipt ZIP
    with pikepdf.open(io.BytesIO(r.get_data())) as doc:
        assert not doc.is_encrypted and len(doc.pages) == 3
        assert str(doc.docinfo["/PortalDisclosureCode"]) == grant.code


def test_a_pdf_that_needs_a_password_is_refused_plainly(client, ctx):
    _, staff, requester, req = f.scenario()
    with pytest.raises(Unprocessable) as err:
        f.upload(staff, req, _protected(user="secret"), filename="sealed.pdf")
    message = str(err.value)
    assert "password" in message and "BytesIO" not in message and "0x" not in message
