"""A ZIP unpacked into one record per member over the API: refused members are listed and the
rest still become records; a ZIP over the limits, or a failing call, leaves nothing."""
import io
import zipfile

import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.core import storage as files
from portal.extensions import db
from portal.records.models import Blob, Record
from portal.storage import StorageError
from tests import factories as f
from tests.disclosures import samples


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _post(client, staff, req, data: bytes, unpack="true"):
    return client.post(f"/api/v1/requests/{req.id}/records", headers=f.token_for(staff),
                       data={"file": (io.BytesIO(data), "photos.zip"), "unpack": unpack})


def _counts(app):
    with app.app_context():
        keys = list(files.storage().iter_keys("blobs"))
        return (db.session.scalar(sa.select(sa.func.count()).select_from(Record)),
                db.session.scalar(sa.select(sa.func.count()).select_from(Blob)), len(keys))


def test_members_become_records_named_by_their_paths_and_a_refused_one_is_listed(client, ctx, app):
    _, staff, _, req = f.scenario()
    archive = _zip({"officers/a/0001.png": samples.png(40, 50), "officers/b/0002.png": samples.png(41, 50),
                    "roster.csv": samples.csv(), "tools/setup.bin": samples.unknown_binary(),
                    "empty.txt": b"", "folder/": b""})
    r = _post(client, staff, req, archive)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert sorted(x["filename"] for x in body["records"]) == ["officers/a/0001.png", "officers/b/0002.png",
                                                              "roster.csv"]
    assert {x["filename"]: x["content_type"] for x in body["records"]}["roster.csv"] == "text/csv"
    assert {x["name"]: x["error"]["code"] for x in body["refused"]} == {
        "tools/setup.bin": "unsupported_type", "empty.txt": "invalid"}
    # the refused members left no stored object and no row behind
    assert _counts(app) == (3, 3, 3)
    listed = client.get(f"/api/v1/requests/{req.id}/records", headers=f.token_for(staff)).get_json()
    assert len(listed) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "records.unpack")) == 1


def test_a_nested_zip_is_one_record_and_too_deep_nesting_refuses_the_whole_call(client, ctx, app):
    _, staff, _, req = f.scenario()
    inner = _zip({"inner.txt": samples.text()})
    r = _post(client, staff, req, _zip({"bundle/inner.zip": inner, "memo.txt": samples.text() + b"!"}))
    assert r.status_code == 201
    assert {x["filename"]: x["content_type"] for x in r.get_json()["records"]} == {
        "bundle/inner.zip": "application/zip", "memo.txt": "text/plain"}
    deep = _zip({"a.zip": _zip({"b.zip": _zip({"c.zip": _zip({"d.txt": b"deep"})})})})
    r = _post(client, staff, req, deep)
    assert r.status_code == 422 and "nested" in r.get_json()["error"]["message"]
    assert _counts(app) == (2, 2, 2)


def test_a_zip_over_the_limits_leaves_nothing(client, ctx, app):
    _, staff, _, req = f.scenario()
    app.config["UPLOAD_ZIP_MAX_MEMBERS"] = 3
    r = _post(client, staff, req, _zip({f"{i}.txt": samples.text() + bytes([65 + i]) for i in range(4)}))
    assert r.status_code == 422 and "parts" in r.get_json()["error"]["message"]
    app.config["UPLOAD_ZIP_MAX_MEMBERS"] = 100
    bomb = _zip({"zeros.txt": b"0" * (3 * 1024 ** 2), "ok.txt": samples.text()})
    r = _post(client, staff, req, bomb)
    assert r.status_code == 422 and "expands" in r.get_json()["error"]["message"]
    assert _counts(app) == (0, 0, 0)


def test_a_call_that_fails_part_way_leaves_nothing(client, ctx, app):
    _, staff, requester, req = f.scenario()
    r = client.post(f"/api/v1/requests/{req.id}/records", headers=f.token_for(requester),
                    data={"file": (io.BytesIO(_zip({"a.txt": samples.text()})), "a.zip"), "unpack": "true"})
    assert r.status_code == 403
    r = _post(client, staff, req, samples.pdf())
    assert r.status_code == 415
    # storage fails on the second member: the first, already stored, goes too
    backend = files.storage()
    real_put, calls = backend.put, []

    def put_then_fail(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise StorageError("disk full")
        return real_put(*args, **kwargs)

    backend.put = put_then_fail
    try:
        r = _post(client, staff, req, _zip({"a.txt": samples.text(), "b.csv": samples.csv()}))
    finally:
        backend.put = real_put
    assert r.status_code == 503
    assert _counts(app) == (0, 0, 0)


def test_the_web_form_unpacks_a_zip_when_asked(client, ctx, app):
    from tests.conftest import csrf_of
    _, staff, _, req = f.scenario()
    f.login(client, staff.email)
    page = f"/staff/requests/{req.id}/records"
    r = client.post(page, data={"csrf_token": csrf_of(client, page), "disposition": "release", "unpack": "y",
                                "file": [(io.BytesIO(_zip({"a/1.txt": samples.text(), "x.bin": samples.unknown_binary()})),
                                          "batch.zip"), (io.BytesIO(samples.csv()), "roster.csv")]},
                    follow_redirects=True)
    assert r.status_code == 200
    assert "2 records uploaded." in r.get_data(as_text=True) and "Refused: x.bin" in r.get_data(as_text=True)
    assert sorted(db.session.scalars(sa.select(Record.filename))) == ["a/1.txt", "roster.csv"]
