"""`flask storage check` after a restore: every file the database names is in storage, intact."""
import io

from portal.core.storage import storage
from portal.disclosures import services
from portal.extensions import db
from tests import factories as f


def test_storage_check_names_missing_and_changed_files(ctx, client, runner):
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, b"budget memo\n" * 50, filename="memo.txt")
    grant = services.create_release(staff, req.id, [rec.id]).grants[0]
    db.session.commit()
    assert client.get(f"/api/v1/grants/{grant.id}/download", headers=f.token_for(requester)).status_code == 200
    db.session.refresh(grant)
    ok = runner.invoke(args=["storage", "check", "--hashes"])
    assert ok.exit_code == 0 and "storage and database agree" in ok.output

    storage().put_at(rec.blob.key, io.BytesIO(b"budget memo\n" * 49 + b"budget memO\n"))  # same size
    assert runner.invoke(args=["storage", "check"]).exit_code == 0      # sizes only: not seen
    changed = runner.invoke(args=["storage", "check", "--hashes"])
    assert changed.exit_code == 1
    assert f"DIFFERENT: {rec.blob.key} named by blobs {rec.blob.id} has another SHA-256" in changed.output

    storage().put_at(rec.blob.key, io.BytesIO(b"short"))
    shorter = runner.invoke(args=["storage", "check"])
    assert shorter.exit_code == 1 and f"DIFFERENT: {rec.blob.key} named by blobs {rec.blob.id} has 5 bytes" in shorter.output

    storage().delete(grant.copy_key)
    missing = runner.invoke(args=["storage", "check"])
    assert missing.exit_code == 1
    assert f"MISSING: {grant.copy_key} named by grants {grant.id}" in missing.output
