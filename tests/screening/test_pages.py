"""Pages: protected lists (admin), the release preview, holds in context, clean copies."""
import sqlalchemy as sa

from portal.auth.models import Role
from portal.disclosures.models import Grant, Release
from portal.extensions import db
from portal.records.models import Disposition, Record
from portal.screening.models import Hold, HoldStatus, ProtectedTerm
from tests import factories as f
from tests.screening import samples
from tests.screening.cast import flagged_setup


def _admin_logged_in(client):
    admin = f.user(Role.admin)
    f.login(client, admin.email)
    return admin


def test_admin_manages_a_list_imports_and_exports_safely(client, ctx):
    _admin_logged_in(client)
    r = f.post_form(client, "/admin/protected-lists", "/admin/protected-lists",
                    {"name": "Undercover assignments", "description": "Never release"})
    assert r.status_code == 302
    page = r.headers["Location"]
    r = f.post_form(client, page, page + "/terms", {"terms": "Jose Alvarez\nBadge 4471\n"})
    assert r.status_code == 302
    from tests.conftest import csrf_of
    token = csrf_of(client, page)
    import io
    r = client.post(page + "/import", data={"csrf_token": token, "file": (
        io.BytesIO(b"term\n=HYPERLINK(\"http://x\")\nmaria.lopez@gmail.com\n"), "terms.csv")},
        content_type="multipart/form-data")
    assert r.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProtectedTerm)) == 4
    csv = client.get(page + ".csv").get_data(as_text=True)
    assert "'=HYPERLINK" in csv and "\n=HYPERLINK" not in csv
    assert "Jose Alvarez" in client.get(page).get_data(as_text=True)


def test_staff_cannot_see_lists(client, ctx):
    staff = f.user(Role.staff)
    lists_page = "/admin/protected-lists"
    f.login(client, staff.email)
    assert client.get(lists_page).status_code == 403


def test_web_release_is_held_and_hold_page_shows_matches_in_context(client, ctx, mailbox):
    _, staff, second, requester, req, rec = flagged_setup()
    f.login(client, staff.email)
    page = f"/staff/requests/{req.id}/records"
    mailbox.clear()
    r = f.post_form(client, page, f"/staff/requests/{req.id}/releases", {"record_ids": [rec.id]})
    assert r.status_code == 302 and "/staff/holds/" in r.headers["Location"]
    db.session.expire_all()
    hold = db.session.scalar(sa.select(Hold))
    assert hold.status == HoldStatus.open
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Grant)) == 0
    body = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "José Álvarez" in body and "[Jose,Alvarez]" in body and "line 2, column A" in body
    assert "Approve and release" not in body  # the one who asked sees no approve form
    assert not mailbox.to(requester.email)

    client2 = client.application.test_client()
    f.login(client2, second.email)
    hold_url = f"/staff/holds/{hold.id}"
    assert "Approve and release" in client2.get(hold_url).get_data(as_text=True)
    assert hold_url in client2.get("/staff/holds").get_data(as_text=True)
    r = f.post_form(client2, hold_url, hold_url + "/approve", {"reason": "Retired officer; already public."})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Hold, hold.id).status == HoldStatus.approved
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Release)) == 1
    assert mailbox.to(requester.email)


def test_preview_shows_recipients_files_stamp_and_screening(client, ctx):
    dept, staff, requester, req = f.scenario()
    photo = f.upload(staff, req, samples.jpeg(), filename="scene.jpg")
    f.login(client, staff.email)
    page = f"/staff/requests/{req.id}/records"
    r = f.post_form(client, page, f"/staff/requests/{req.id}/releases",
                    {"record_ids": [photo.id], "recipients": "lawyer@example.org", "preview": "1"})
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert requester.email in body and "lawyer@example.org" in body
    assert f"request {req.tracking_number}" in body and "[their own code]" in body
    assert "GPS position in the photo" in body and "34.05200, -118.24278" in body
    assert "Replace with a clean copy" in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Release)) == 0

    r = f.post_form(client, page, f"/staff/records/{photo.id}/clean", {})
    assert r.status_code == 302
    db.session.expire_all()
    original = db.session.get(Record, photo.id)
    copy = db.session.scalar(sa.select(Record).where(Record.replaces_id == photo.id))
    assert original.disposition == Disposition.withhold and copy.disposition == Disposition.release
    from portal.core import storage as files
    from portal.screening.readers import read
    with files.storage().open(copy.blob.key) as fh:
        assert read(fh.read(), "image/jpeg").findings == []
    from portal.audit.models import AuditEntry
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "record.clean_copy"))
