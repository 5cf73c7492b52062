import io

import pytest
import sqlalchemy as sa

from portal.core import storage as files
from portal.core.errors import Forbidden, Invalid, NotFound, TooLarge, UnsupportedType
from portal.extensions import db
from portal.records.models import Blob, Record
from portal.records.sniff import sniff
from tests import factories as f
from tests.disclosures import samples


def _keys(app):
    with app.app_context():
        return list(files.storage().iter_keys("blobs"))


@pytest.mark.parametrize("data, expected", [
    (samples.pdf(), "application/pdf"),
    (samples.png(), "image/png"),
    (samples.csv(), "text/csv"),
    (samples.text(), "text/plain"),
])
def test_type_is_decided_by_content(data, expected):
    assert sniff(data[:8192]) == expected


def test_upload_records_hash_size_and_type_not_the_name(ctx):
    _, staff, _, req = f.scenario()
    rec = f.upload(staff, req, samples.pdf(), filename="../../etc/passwd.txt")
    assert rec.content_type == "application/pdf"
    assert rec.filename == "passwd.txt"
    import hashlib
    assert rec.sha256 == hashlib.sha256(samples.pdf()).hexdigest() and rec.size == len(samples.pdf())
    assert "passwd" not in rec.blob.key


def test_identical_bytes_reuse_the_blob(ctx, app):
    dept, staff, requester, req = f.scenario()
    other = f.request_for(requester, dept, title="Another")
    a = f.upload(staff, req, samples.csv(), filename="a.csv")
    b = f.upload(staff, other, samples.csv(), filename="b.csv")
    assert a.blob_id == b.blob_id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Blob)) == 1
    assert len(_keys(app)) == 1


def test_refused_type_leaves_nothing(ctx, app):
    _, staff, _, req = f.scenario()
    with pytest.raises(UnsupportedType):
        f.upload(staff, req, samples.unknown_binary(), filename="x.bin")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Record)) == 0
    assert _keys(app) == []


def test_empty_file_is_refused_over_the_api_and_leaves_nothing(client, ctx, app):
    _, staff, _, req = f.scenario()
    r = client.post(f"/api/v1/requests/{req.id}/records", headers=f.token_for(staff),
                    data={"file": (io.BytesIO(b""), "blank.pdf")})
    assert r.status_code == 400 and r.get_json()["error"]["fields"] == {"file": "empty"}
    assert "empty" in r.get_json()["error"]["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Blob)) == 0
    assert _keys(app) == []


def test_too_large_leaves_nothing(ctx, app):
    _, staff, _, req = f.scenario()
    with pytest.raises(TooLarge):
        f.upload(staff, req, samples.text() * 100, max_size=100)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Blob)) == 0
    assert _keys(app) == []


def test_upload_failing_half_way_leaves_no_blob_and_no_row(client, ctx, app):
    _, staff, _, req = f.scenario()

    class Broken(io.BytesIO):
        def read(self, n=-1):
            if self.tell() > 0:
                raise OSError("connection reset by peer")
            return super().read(n)

    from portal.records.services import upload
    with pytest.raises(Exception):
        upload(staff, req.id, Broken(samples.text() * 100000), "big.txt", max_size=10 ** 9)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Blob)) == 0
    assert _keys(app) == []


def test_withholding_needs_an_exemption(ctx):
    _, staff, _, req = f.scenario()
    with pytest.raises(Invalid):
        f.upload(staff, req, samples.text(), disposition="withhold")
    rec = f.upload(staff, req, samples.text(), disposition="withhold", exemption="Gov. Code 7927.705")
    assert rec.disposition.value == "withhold"


def test_redacted_replacement_links_the_withheld_original(ctx):
    _, staff, _, req = f.scenario()
    original = f.upload(staff, req, samples.csv(), filename="roster.csv")
    redacted = f.upload(staff, req, samples.text(), filename="roster-redacted.txt", replaces_id=original.id)
    assert redacted.replaces.id == original.id and original.disposition.value == "withhold"


def test_only_staff_of_the_department_may_upload(ctx):
    from portal.auth.models import Role
    _, staff, requester, req = f.scenario()
    outsider = f.user(Role.staff)
    with pytest.raises(NotFound):
        f.upload(outsider, req, samples.text())
    with pytest.raises((Forbidden, NotFound)):
        f.upload(requester, req, samples.text())


def test_api_upload_and_list(client, ctx):
    _, staff, requester, req = f.scenario()
    h = f.token_for(staff)
    r = client.post(f"/api/v1/requests/{req.id}/records", headers=h,
                    data={"file": (io.BytesIO(samples.csv()), "roster.csv")})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert set(body) >= {"id", "filename", "content_type", "size", "sha256", "disposition"}
    assert body["content_type"] == "text/csv" and body["disposition"] == "release"
    listed = client.get(f"/api/v1/requests/{req.id}/records", headers=h).get_json()
    assert [x["id"] for x in listed] == [body["id"]]
    bad = client.post(f"/api/v1/requests/{req.id}/records", headers=h,
                      data={"file": (io.BytesIO(samples.unknown_binary()), "x.bin")})
    assert bad.status_code == 415
    missing = client.post(f"/api/v1/requests/{req.id}/records", headers=h, data={})
    assert missing.status_code == 400 and missing.get_json()["error"]["fields"] == {"file": "required"}
    other = client.post(f"/api/v1/requests/{req.id}/records", headers=f.token_for(requester),
                        data={"file": (io.BytesIO(samples.csv()), "roster.csv")})
    assert other.status_code == 403
