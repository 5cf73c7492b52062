"""`flask storage check`: orphans, unfinished uploads and missing blobs, on local files and on S3."""
import io
import json

import sqlalchemy as sa

from portal.core import storage as files
from portal.disclosures import services
from portal.extensions import db
from tests import factories as f
from tests.disclosures import samples


def _check(runner, *args):
    result = runner.invoke(args=["storage", "check", "--json", *args])
    return result.exit_code, json.loads(result.output)


def _released_and_downloaded(client):
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, samples.text(), filename="memo.txt")
    rel = services.create_release(staff, req.id, [rec.id])
    db.session.commit()
    grant = rel.grants[0]
    assert client.get(f"/api/v1/grants/{grant.id}/download", headers=f.token_for(requester)).status_code == 200
    return rec, grant


def test_a_consistent_store_passes(ctx, client, runner):
    _released_and_downloaded(client)
    code, report = _check(runner, "--grace", "0")
    assert code == 0, report
    assert report["problems"] == 0 and report["objects"] == 2 and report["rows"] == 2  # original and copy
    text = runner.invoke(args=["storage", "check", "--grace", "0"])
    assert text.exit_code == 0 and "storage and database agree" in text.output


def test_orphans_and_missing_blobs_are_reported_and_fail_the_check(ctx, client, runner):
    rec, grant = _released_and_downloaded(client)
    backend = files.storage()
    orphan = backend.put(io.BytesIO(b"left behind by a crash"), prefix="blobs").key
    backend.delete(rec.blob.key)
    code, report = _check(runner, "--grace", "0")
    assert code == 1
    assert [o["key"] for o in report["orphans"]] == [orphan]
    assert report["missing"] == [{"key": rec.blob.key, "table": "blobs", "id": rec.blob.id, "what": "upload",
                                  "size": rec.blob.size, "sha256": rec.blob.sha256}]
    text = runner.invoke(args=["storage", "check", "--grace", "0"])
    assert text.exit_code == 1
    assert f"orphan (no row names it): {orphan}" in text.output and f"MISSING: {rec.blob.key}" in text.output


def test_a_young_orphan_may_be_an_upload_in_flight_and_is_never_deleted(ctx, runner):
    backend = files.storage()
    young = backend.put(io.BytesIO(b"row not committed yet"), prefix="blobs").key
    code, report = _check(runner, "--delete-orphans")  # the default grace: a day
    assert code == 0 and report["deleted"] == [] and [r["key"] for r in report["recent"]] == [young]
    assert backend.exists(young)


def test_delete_orphans_removes_old_orphans_only(ctx, client, runner):
    rec, grant = _released_and_downloaded(client)
    backend = files.storage()
    orphan = backend.put(io.BytesIO(b"orphan"), prefix="blobs").key
    code, report = _check(runner, "--grace", "0", "--delete-orphans")
    assert code == 0 and [d["key"] for d in report["deleted"]] == [orphan]
    assert not backend.exists(orphan)
    assert backend.exists(rec.blob.key) and backend.exists(grant.copy_key)
    assert _check(runner, "--grace", "0")[0] == 0


def test_unfinished_uploads_are_found_and_cleared(ctx, runner, app):
    """What a process killed mid-upload leaves: a local temporary file, or an S3 multipart upload."""
    backend = files.storage()
    if backend.name == "local":
        folder = backend.root / "blobs"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".tmpabc123.part").write_bytes(b"half a file")
    else:
        backend.client.create_multipart_upload(Bucket=backend.bucket, Key="blobs/interrupted")
    code, report = _check(runner, "--grace", "0")
    assert code == 1 and len(report["unfinished"]) == 1 and report["orphans"] == []
    code, report = _check(runner, "--grace", "0", "--delete-orphans")
    assert code == 0 and len(report["deleted"]) == 1
    assert list(backend.iter_partial()) == []


def test_a_missing_marked_copy_is_reported(ctx, client, runner):
    _, grant = _released_and_downloaded(client)
    files.storage().delete(grant.copy_key)
    code, report = _check(runner, "--grace", "0")
    assert code == 1 and [(m["table"], m["id"]) for m in report["missing"]] == [("grants", grant.id)]
