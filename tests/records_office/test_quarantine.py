"""Every upload waits in quarantine for a real ClamAV scan; what is infected or unscanned never leaves."""
import io
import socket

import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.auth.models import Role
from portal.extensions import db
from portal.records import quarantine
from portal.records import services as records
from portal.records.models import Blob, ScanStatus
from portal.worker import run_once
from tests import factories as f
from tests.records_office.conftest import EICAR

CLEAN = b"Minutes of the meeting of 3 March.\nNothing else.\n"


def _release(client, staff, req, record):
    return client.post(f"/api/v1/requests/{req.id}/releases", headers=f.token_for(staff),
                       json={"record_ids": [record.id]})


def test_an_eicar_upload_is_quarantined_reported_and_never_released(clamscan, ctx, client, mailbox):
    admin = f.user(Role.admin)
    dept, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, EICAR, "invoice.txt")
    f.commit()
    assert rec.scan_status == ScanStatus.infected and "Portal.Test.EICAR" in rec.blob.scan_detail
    assert "Malware found" in mailbox.to(admin.email)[-1]["Subject"]
    assert "invoice.txt" in mailbox.last_body(admin.email)

    r = _release(client, staff, req, rec)
    assert r.status_code == 409 and "Malware was found in invoice.txt" in r.get_json()["error"]["message"]
    assert client.get(f"/api/v1/requests/{req.id}/records", headers=f.token_for(staff)).get_json()[0][
        "scan_status"] == "infected"
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "blob.scan" in actions and "release.create" not in actions

    # The same bytes uploaded again are the same quarantined file.
    again = f.upload(staff, req, EICAR, "copy.txt")
    assert again.blob_id == rec.blob_id and again.scan_status == ScanStatus.infected
    f.login(client, admin.email)
    page = client.get("/admin/quarantine").get_data(as_text=True)
    assert "malware found" in page and "invoice.txt" in page and "Portal.Test.EICAR" in page


def test_a_clean_file_passes_and_can_be_released(clamscan, ctx, client):
    dept, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, CLEAN, "minutes.txt")
    assert rec.scan_status == ScanStatus.clean and rec.blob.scanner == "clamscan"
    r = _release(client, staff, req, rec)
    assert r.status_code == 201 and r.get_json()["grants"][0]["recipient"]["id"] == requester.id


def _dead_socket(tmp_path) -> str:
    """A Unix socket path where nobody listens: a stopped clamd."""
    path = str(tmp_path / "clamd.sock")
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.close()
    return path


def test_a_stopped_scanner_holds_uploads_until_it_is_back(app, ctx, client, clam_db, tmp_path):
    app.config.update(SCANNER="clamd", CLAMD_ADDRESS=_dead_socket(tmp_path), SCAN_RETRY_SECONDS=0)
    dept, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, CLEAN, "minutes.txt")
    assert rec.scan_status == ScanStatus.error and "cannot be reached" in rec.blob.scan_detail
    r = _release(client, staff, req, rec)
    assert r.status_code == 409 and "quarantine" in r.get_json()["error"]["message"]

    run_once()  # the worker retries, and the file stays held while the scanner is down
    db.session.expire_all()
    blob = db.session.get(Blob, rec.blob_id)
    assert blob.scan_status == ScanStatus.error and blob.scan_attempts == 2

    # A missing clamscan binary holds files just the same.
    app.config.update(SCANNER="clamscan", CLAMSCAN_COMMAND="/nonexistent/clamscan")
    app.extensions.pop("portal.scanner")
    run_once()
    db.session.expire_all()
    assert db.session.get(Blob, rec.blob_id).scan_status == ScanStatus.error

    app.config.update(CLAMSCAN_COMMAND="clamscan", CLAMSCAN_DATABASE=clam_db)
    app.extensions.pop("portal.scanner")
    run_once()
    db.session.expire_all()
    assert db.session.get(Blob, rec.blob_id).scan_status == ScanStatus.clean
    assert _release(client, staff, req, rec).status_code == 201


def test_turning_scanning_off_does_not_release_held_files(app, ctx, tmp_path):
    app.config.update(SCANNER="clamd", CLAMD_ADDRESS=_dead_socket(tmp_path))
    dept, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, CLEAN)
    app.config["SCANNER"] = "none"
    app.extensions.pop("portal.scanner")
    assert quarantine.scan_due() == 0
    assert rec.scan_status == ScanStatus.error


def test_without_a_scanner_the_admin_page_says_uploads_are_not_scanned(ctx, client):
    admin = f.user(Role.admin)
    dept, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, CLEAN)
    assert rec.scan_status == ScanStatus.not_scanned and rec.scan_status.releasable
    f.login(client, admin.email)
    page = client.get("/admin/quarantine").get_data(as_text=True)
    assert "Uploads are not scanned" in page


def test_a_requester_attachment_is_scanned_and_an_infected_one_cannot_be_opened(clamscan, ctx, client):
    dept, staff, requester, req = f.scenario()
    bad = records.attach(requester, req.id, io.BytesIO(EICAR), "letter.txt", max_size=10 ** 6)
    good = records.attach(requester, req.id, io.BytesIO(CLEAN), "form.txt", max_size=10 ** 6)
    f.commit()
    assert bad.blob.scan_status == ScanStatus.infected and good.blob.scan_status == ScanStatus.clean
    f.login(client, staff.email)
    assert client.get(f"/attachments/{bad.id}").status_code == 409
    r = client.get(f"/attachments/{good.id}")
    assert r.status_code == 200 and r.data == CLEAN and r.headers["Content-Type"] == "application/octet-stream"
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "letter.txt" in page and "malware found" in page
    stranger, other = f.user(), app_client(client)
    f.login(other, stranger.email)
    assert other.get(f"/attachments/{good.id}").status_code == 404


def app_client(client):
    return client.application.test_client()


def test_requester_attaches_through_the_page(clamscan, ctx, client):
    dept, staff, requester, req = f.scenario()
    f.login(client, requester.email)
    from tests.conftest import csrf_of
    token = csrf_of(client, f"/requests/{req.id}")
    r = client.post(f"/requests/{req.id}/attachments", data={"csrf_token": token,
                                                           "file": (io.BytesIO(CLEAN), "note.txt")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    assert "note.txt" in client.get(f"/requests/{req.id}").get_data(as_text=True)


def test_an_unknown_scanner_setting_stops_the_app(tmp_path):
    import pytest

    import config
    with pytest.raises(ValueError, match="PORTAL_SCANNER"):
        config.load(str(tmp_path), environ={"PORTAL_SCANNER": "clamav"})
    assert config.load(str(tmp_path), environ={"PORTAL_SCANNER": "ClamD"})["SCANNER"] == "clamd"


def test_clamd_scans_uploads_over_its_socket(clamd, ctx, client):
    dept, staff, requester, req = f.scenario()
    bad, good = f.upload(staff, req, EICAR, "bad.txt"), f.upload(staff, req, CLEAN, "good.txt")
    assert bad.scan_status == ScanStatus.infected and bad.blob.scanner == "clamd"
    assert good.scan_status == ScanStatus.clean
    assert _release(client, staff, req, bad).status_code == 409
    assert _release(client, staff, req, good).status_code == 201
