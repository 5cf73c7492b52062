"""The staff records page, the recipient's files page and the public library, as a browser uses them."""
import io
from datetime import timedelta

import sqlalchemy as sa

from portal.auth.models import Role
from portal.core.models import utcnow
from portal.disclosures.models import Delivery, Grant
from portal.extensions import db
from portal.records.models import Record
from tests import factories as f
from tests.conftest import csrf_of
from tests.disclosures import samples


def test_staff_upload_several_files_and_release_them(client, ctx, mailbox):
    _, staff, requester, req = f.scenario()
    f.login(client, staff.email)
    page = f"/staff/requests/{req.id}/records"
    assert "No records yet" in client.get(page).get_data(as_text=True)
    token = csrf_of(client, page)
    r = client.post(page, data={"csrf_token": token, "disposition": "release", "exemption": "",
                                "file": [(io.BytesIO(samples.csv()), "roster.csv"),
                                         (io.BytesIO(samples.pdf()), "memo.pdf")]},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    db.session.expire_all()
    ids = db.session.scalars(sa.select(Record.id).order_by(Record.id)).all()
    assert len(ids) == 2
    r = client.post(f"/staff/requests/{req.id}/releases",
                    data={"csrf_token": csrf_of(client, page), "record_ids": [str(i) for i in ids],
                          "recipients": "attorney@example.org"})
    assert r.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Grant)) == 4
    assert mailbox.to(requester.email) and mailbox.to("attorney@example.org")
    listing = client.get(page).get_data(as_text=True)
    assert "attorney@example.org" in listing and requester.email in listing


def test_bad_upload_shows_a_clear_error_and_keeps_nothing(client, ctx):
    _, staff, _, req = f.scenario()
    f.login(client, staff.email)
    page = f"/staff/requests/{req.id}/records"
    r = client.post(page, data={"csrf_token": csrf_of(client, page), "disposition": "release",
                                "file": [(io.BytesIO(samples.unknown_binary()), "x.bin")]},
                    content_type="multipart/form-data")
    assert r.status_code == 415 and "does not accept this type" in r.get_data(as_text=True)
    r = client.post(page, data={"csrf_token": csrf_of(client, page), "disposition": "release"},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "Choose one or more files" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Record)) == 0


def test_records_page_is_for_the_departments_staff(client, ctx):
    _, staff, requester, req = f.scenario()
    f.login(client, requester.email)
    assert client.get(f"/staff/requests/{req.id}/records").status_code == 403
    f.post_form(client, "/account", "/logout", {})
    f.login(client, f.user(Role.staff).email)
    assert client.get(f"/staff/requests/{req.id}/records").status_code == 404


def test_recipient_downloads_from_their_page(client, ctx):
    from portal.disclosures import services
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, samples.text(), filename="memo.txt")
    rel = services.create_release(staff, req.id, [rec.id])
    db.session.commit()
    f.login(client, requester.email)
    page = client.get("/me/files").get_data(as_text=True)
    assert f"/me/files/{rel.grants[0].id}/download" in page
    r = client.get(f"/me/files/{rel.grants[0].id}/download")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    db.session.expire_all()
    assert db.session.scalar(sa.select(Delivery.completed)) is True


def test_files_page_shows_each_change_at_once(client, ctx):
    """The page's table is reused while nothing changes; a download, a withdrawal or an expiry shows
    on the very next visit."""
    from datetime import timedelta

    from portal.clawback import revocation
    from portal.core.models import utcnow
    from portal.disclosures import services
    admin = f.user(role=Role.admin)
    _, staff, requester, req = f.scenario()
    first, second = (f.upload(staff, req, samples.text() + bytes([n]), filename=f"memo-{n}.txt") for n in (1, 2))
    rel = services.create_release(staff, req.id, [first.id, second.id])
    db.session.commit()
    by_file = {g.record.filename: g for g in rel.grants}
    f.login(client, requester.email)

    def row(filename):
        page = client.get("/me/files").get_data(as_text=True)
        return page[page.index(filename):].split("</tr>")[0]

    assert "not downloaded yet" in row("memo-1.txt") and row("memo-1.txt") == row("memo-1.txt")
    client.get(f"/me/files/{by_file['memo-1.txt'].id}/download").get_data()
    assert " from " in row("memo-1.txt") and "not downloaded yet" not in row("memo-1.txt")
    revocation.revoke_grant(admin, by_file["memo-1.txt"].id, "released in error")
    db.session.commit()
    assert "Withdrawn" in row("memo-1.txt") and "released in error" in row("memo-1.txt")
    assert "Available" in row("memo-2.txt")
    db.session.get(Grant, by_file["memo-2.txt"].id).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "Expired" in row("memo-2.txt")


def test_admin_attributes_a_copy_on_the_page(client, ctx):
    from portal.disclosures import services
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, samples.csv(), filename="roster.csv")
    rel = services.create_release(staff, req.id, [rec.id])
    db.session.commit()
    copy = client.get(f"/api/v1/grants/{rel.grants[0].id}/download", headers=f.token_for(requester)).get_data()
    admin = f.user(Role.admin)
    f.login(client, admin.email)
    r = client.post("/admin/attribute", data={"csrf_token": csrf_of(client, "/admin/attribute"),
                                              "file": (io.BytesIO(copy), "found.csv")},
                    content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and requester.email in page and "Exact copy" in page
    assert "Confidence 100%." in page and "1.000000" not in page  # rounded, never 12 decimals


def test_published_records_are_linked_from_the_public_log(client, ctx):
    from portal.disclosures import services
    from portal.record_requests.models import Status
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, samples.csv(), filename="roster.csv")
    services.create_release(staff, req.id, [rec.id], public=True)
    req.status = Status.fulfilled
    db.session.commit()
    entry = client.get(f"/log/{req.tracking_number}").get_data(as_text=True)
    assert f"/library/{rec.id}/download" in entry and "roster.csv" in entry
    f.login(client, staff.email)
    assert f"/staff/requests/{req.id}/records" in client.get(f"/requests/{req.id}").get_data(as_text=True)


def test_files_page_queries_do_not_grow_with_the_number_of_requests(client, ctx, app):
    from portal.disclosures import services
    _, staff, requester, req = f.scenario()

    def count_queries():
        statements = []
        listener = lambda *a, **k: statements.append(1)  # noqa: E731
        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/me/files").status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    f.login(client, requester.email)
    rec = f.upload(staff, req, samples.text(), filename="a.txt")
    services.create_release(staff, req.id, [rec.id])
    db.session.commit()
    one = count_queries()
    for i in range(4):
        other = f.request_for(requester, req.department, title=f"More {i}")
        r = f.upload(staff, other, samples.text() + str(i).encode(), filename=f"b{i}.txt")
        services.create_release(staff, other.id, [r.id])
        db.session.commit()
    assert count_queries() == one


def test_the_files_page_shows_a_grant_expired_once_its_time_has_passed(client, ctx):
    """Nothing in the database changes when a grant expires: the page compares with the clock."""
    from portal.disclosures import services
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, samples.text(), filename="a.txt")
    grant = services.create_release(staff, req.id, [rec.id]).grants[0]
    grant.expires_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    f.login(client, requester.email)
    fresh = client.get("/me/files").get_data(as_text=True)
    assert "Expired" not in fresh and "Available" in fresh
    grant.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    later = client.get("/me/files").get_data(as_text=True)
    assert "Expired" in later and "Available" not in later
