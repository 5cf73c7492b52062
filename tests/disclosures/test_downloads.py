import hashlib
import threading

import pytest
import sqlalchemy as sa

from portal.core import storage as files
from portal.core.models import utcnow
from portal.disclosures import services
from portal.disclosures.models import Delivery, Grant
from portal.extensions import db
from portal.storage import StorageError
from tests import factories as f
from tests.disclosures import samples


def _release(data=None, filename="memo.txt", **kw):
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, data or samples.text(), filename=filename)
    rel = services.create_release(staff, req.id, [rec.id], **kw)
    db.session.commit()
    return staff, requester, req, rec, rel


def _deliveries():
    db.session.expire_all()
    return db.session.scalars(sa.select(Delivery).order_by(Delivery.id)).all()


def test_release_makes_one_grant_per_recipient_and_record_and_tells_them(ctx, mailbox):
    _, staff, requester, req = f.scenario()
    a = f.upload(staff, req, samples.text(), filename="a.txt")
    b = f.upload(staff, req, samples.csv(), filename="b.csv")
    rel = services.create_release(staff, req.id, [a.id, b.id], recipients=["Lawyer@Example.org"])
    f.commit()
    assert len(rel.grants) == 4
    assert len({g.code for g in rel.grants}) == 4
    assert {g.recipient.email for g in rel.grants} == {requester.email, "lawyer@example.org"}
    body = mailbox.last_body(requester.email)
    assert "/me/files" in body and "/grants/" not in body  # a page link, never a bearer link
    assert mailbox.to("lawyer@example.org")


def test_withheld_records_cannot_be_released(ctx):
    from portal.core.errors import Conflict
    _, staff, _, req = f.scenario()
    rec = f.upload(staff, req, samples.text(), disposition="withhold", exemption="privacy")
    with pytest.raises(Conflict):
        services.create_release(staff, req.id, [rec.id])


def test_download_is_marked_logged_and_hash_matches(client, ctx):
    _, requester, _, rec, rel = _release()
    grant = rel.grants[0]
    r = client.get(f"/api/v1/grants/{grant.id}/download", headers=f.token_for(requester))
    assert r.status_code == 200
    body = r.get_data()
    assert body != samples.text()  # the recipient's own copy, not the original
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''memo.txt" in r.headers["Content-Disposition"]
    [d] = _deliveries()
    assert d.completed and d.bytes_sent == len(body)
    assert d.sha256 == hashlib.sha256(body).hexdigest() == d.copy_sha256
    again = client.get(f"/api/v1/grants/{grant.id}/download", headers=f.token_for(requester)).get_data()
    assert again == body  # deterministic: the same copy every time
    assert len(_deliveries()) == 2


def test_each_recipient_gets_a_different_copy(client, ctx):
    staff, requester, req, rec, rel = _release(samples.pdf(), "memo.pdf", recipients=["second@example.org"])
    second = db.session.scalar(sa.select(Grant).where(Grant.recipient_id != requester.id))
    second.recipient.email_verified_at = utcnow()
    db.session.commit()
    mine = client.get(f"/api/v1/grants/{rel.grants[0].id}/download", headers=f.token_for(requester)).get_data()
    theirs = client.get(f"/api/v1/grants/{second.id}/download",
                        headers=f.token_for(second.recipient)).get_data()
    assert mine != theirs


def test_someone_elses_grant_is_404(client, ctx):
    from portal.auth.models import Role
    _, requester, _, _, rel = _release()
    gid = rel.grants[0].id
    for other in (f.user(), f.user(Role.staff), f.user(Role.admin)):
        assert client.get(f"/api/v1/grants/{gid}/download", headers=f.token_for(other)).status_code == 404
    assert client.get("/api/v1/grants/999999/download", headers=f.token_for(requester)).status_code == 404
    assert _deliveries() == []


def test_revoked_and_expired_grants_are_410(client, ctx):
    from datetime import timedelta
    _, requester, _, _, rel = _release()
    g = rel.grants[0]
    g.revoked_at, g.revoked_reason = utcnow(), "released in error"
    db.session.commit()
    r = client.get(f"/api/v1/grants/{g.id}/download", headers=f.token_for(requester))
    assert r.status_code == 410 and "released in error" in r.get_json()["error"]["message"]
    g.revoked_at, g.expires_at = None, utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/api/v1/grants/{g.id}/download", headers=f.token_for(requester)).status_code == 410
    assert _deliveries() == []


def test_unverified_recipient_cannot_download(client, ctx):
    _, _, _, _, rel = _release(recipients=["new@example.org"])
    g = db.session.scalar(sa.select(Grant).join(Grant.recipient).where(Grant.recipient.has(email="new@example.org")))
    r = client.get(f"/api/v1/grants/{g.id}/download", headers=f.token_for(g.recipient))
    assert r.status_code == 409


def test_fifty_concurrent_downloads_give_fifty_rows(app, ctx):
    _, requester, _, _, rel = _release()
    headers, gid = f.token_for(requester), rel.grants[0].id
    results = []

    def fetch():
        r = app.test_client().get(f"/api/v1/grants/{gid}/download", headers=headers)
        results.append((r.status_code, hashlib.sha256(r.get_data()).hexdigest()))

    threads = [threading.Thread(target=fetch) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = _deliveries()
    assert [s for s, _ in results] == [200] * 50
    assert len(rows) == 50 and all(d.completed for d in rows)
    assert {d.sha256 for d in rows} == {h for _, h in results}


def test_storage_failure_mid_download_is_logged_incomplete(client, ctx, app, monkeypatch):
    _, requester, _, _, rel = _release(data=samples.text() * 20000)
    backend = files.storage()
    real_open = backend.open

    class Failing:
        def __init__(self, inner):
            self.inner, self.reads = inner, 0

        def read(self, n=-1):
            self.reads += 1
            if self.reads > 1:
                raise StorageError("connection to the object store was lost")
            return self.inner.read(n)

    from contextlib import contextmanager

    @contextmanager
    def failing_open(key):
        with real_open(key) as fh:
            yield Failing(fh) if key.startswith("copies/") else fh

    monkeypatch.setattr(backend, "open", failing_open)
    with pytest.raises(StorageError):
        client.get(f"/api/v1/grants/{rel.grants[0].id}/download", headers=f.token_for(requester)).get_data()
    [d] = _deliveries()
    assert not d.completed and d.bytes_sent > 0 and "storage failed" in d.error


def test_storage_down_before_sending_is_a_clean_503(client, ctx, monkeypatch):
    _, requester, _, _, rel = _release()
    backend = files.storage()

    def down(key):
        raise StorageError("object store unreachable")

    monkeypatch.setattr(backend, "open", down)
    r = client.get(f"/api/v1/grants/{rel.grants[0].id}/download", headers=f.token_for(requester))
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "unavailable"
    assert _deliveries() == []


def test_large_copy_is_prepared_by_the_worker(client, ctx, app):
    from portal.worker import run_once
    app.config["MARK_INLINE_MAX_BYTES"] = 10
    _, requester, _, _, rel = _release()
    url, h = f"/api/v1/grants/{rel.grants[0].id}/download", f.token_for(requester)
    r = client.get(url, headers=h)
    assert r.status_code == 202 and r.headers["Retry-After"]
    assert _deliveries() == []
    run_once()
    assert client.get(url, headers=h).status_code == 200
    assert len(_deliveries()) == 1


def test_recipient_page_lists_files_deliveries_and_what_is_embedded(client, ctx):
    _, requester, req, rec, rel = _release()
    f.login(client, requester.email)
    client.get(f"/me/files/{rel.grants[0].id}/download")
    page = client.get("/me/files").get_data(as_text=True)
    assert rec.filename in page and req.tracking_number in page and rel.grants[0].code in page
    assert "What is in your copies" in page and "not downloaded yet" not in page


def test_me_grants_api_shape(client, ctx):
    _, requester, req, rec, rel = _release()
    h = f.token_for(requester)
    client.get(f"/api/v1/grants/{rel.grants[0].id}/download", headers=h)
    [g] = client.get("/api/v1/me/grants", headers=h).get_json()
    assert set(g) == {"id", "record", "request", "granted_at", "revoked_at", "download_url", "deliveries"}
    assert g["request"]["tracking_number"] == req.tracking_number
    assert g["deliveries"][0]["sha256"] and g["deliveries"][0]["ip"]


def test_release_api(client, ctx):
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, samples.csv(), filename="r.csv")
    h = f.token_for(staff)
    r = client.post(f"/api/v1/requests/{req.id}/releases", headers=h, json={"record_ids": [rec.id]})
    assert r.status_code == 201
    body = r.get_json()
    assert body["grants"][0]["recipient"]["email"] == requester.email and body["grants"][0]["code"]
    for bad in ({}, {"record_ids": "1"}, {"record_ids": [True]}, {"record_ids": [999999]}, []):
        assert client.post(f"/api/v1/requests/{req.id}/releases", headers=h, json=bad).status_code == 400
    assert client.post(f"/api/v1/requests/{req.id}/releases", headers=f.token_for(requester),
                       json={"record_ids": [rec.id]}).status_code == 403


def test_public_library_download_is_marked_and_logged(client, ctx):
    _, _, _, rec, rel = _release(samples.pdf(), "memo.pdf", public=True)
    page = client.get("/library").get_data(as_text=True)
    assert rec.filename in page
    a = client.get(f"/library/{rec.id}/download")
    b = client.get(f"/library/{rec.id}/download")
    assert a.status_code == b.status_code == 200 and a.get_data() != b.get_data()
    rows = _deliveries()
    assert len(rows) == 2 and all(d.grant.recipient_id is None for d in rows)


def test_a_file_too_small_for_its_marks_leaves_in_the_receipt_zip(client, ctx):
    import io
    import zipfile
    _, requester, _, _, rel = _release(b"one line\n", "tiny.txt")
    r = client.get(f"/api/v1/grants/{rel.grants[0].id}/download", headers=f.token_for(requester))
    assert r.status_code == 200 and "tiny.txt.zip" in r.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(r.get_data())) as z:
        assert z.read("tiny.txt") == b"one line\n"
        assert rel.grants[0].code in z.read("DISCLOSURE.txt").decode()
