"""A recipient's whole release in one ZIP: prepared by the worker, each member a delivery of its own
grant, revoked members left out and named, and nobody else's to take."""
import hashlib
import io
import zipfile

import sqlalchemy as sa

from portal.auth.models import Role
from portal.clawback.revocation import revoke_grant
from portal.disclosures import services
from portal.disclosures.models import Bundle, BundleState, Delivery
from portal.extensions import db
from portal.worker import run_once
from tests import factories as f
from tests.disclosures import samples


def _release(n_extra: int = 0):
    _, staff, requester, req = f.scenario()
    files = {"memo.txt": samples.text() + b"".join(b"Line %d of a memo long enough for its own marks\n" % i
                                                   for i in range(200)), "roster.csv": samples.csv(), "photo-001.png": samples.png(80, 100)}
    files |= {f"photo-{i:03}.png": samples.png(80 + i, 100) for i in range(2, 2 + n_extra)}
    ids = [f.upload(staff, req, data, filename=name).id for name, data in files.items()]
    rel = services.create_release(staff, req.id, ids, recipients=["counsel@example.org"])
    f.commit()
    return staff, requester, rel


def _mine(rel, user):
    return sorted((g for g in rel.grants if g.recipient_id == user.id), key=lambda g: g.id)


def _revoke(grant_id: int):
    revoke_grant(f.user(Role.admin), grant_id, "released in error")
    f.commit()


def test_the_bundle_holds_my_copies_logs_each_and_names_the_revoked_one(client, ctx, app):
    app.config["BUNDLE_COPY_PROCESSES"] = 2
    _, requester, rel = _release(n_extra=3)
    mine = _mine(rel, requester)
    _revoke(mine[1].id)  # roster.csv
    url, h = f"/api/v1/releases/{rel.id}/download", f.token_for(requester)
    r = client.get(url, headers=h)
    assert r.status_code == 202 and r.headers["Retry-After"]
    assert r.get_json()["total"] == 5 and r.get_json()["done"] == 0
    assert run_once()["jobs"] == 1
    r = client.get(url, headers=h)
    assert r.status_code == 200 and r.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.get_data()))
    names = archive.namelist()
    assert names == ["memo.txt", "photo-001.png", "photo-002.png", "photo-003.png", "photo-004.png",
                     "REVOKED.txt"]
    assert "roster.csv: withdrawn: released in error" in archive.read("REVOKED.txt").decode()
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Delivery).order_by(Delivery.id)).all()
    assert len(rows) == 5 and {d.bundle_id for d in rows} == {int(r.headers["X-Bundle-Id"])}
    by_grant = {g.id: g for g in mine}
    for row, name in zip(rows, names):
        member = archive.read(name)
        assert row.completed and row.sha256 == hashlib.sha256(member).hexdigest() == by_grant[row.grant_id].copy_sha256
        assert row.grant.record.filename == name
    assert not archive.read("memo.txt").startswith(b"PK")  # marked in its own format, not wrapped
    f.login(client, requester.email)
    page = client.get("/me/files").get_data(as_text=True)
    assert f"in bundle {rows[0].bundle_id}" in page


def test_a_revocation_while_the_bundle_is_prepared_stops_it(client, ctx):
    _, requester, rel = _release()
    url, h = f"/api/v1/releases/{rel.id}/download", f.token_for(requester)
    assert client.get(url, headers=h).status_code == 202
    _revoke(_mine(rel, requester)[0].id)
    run_once()
    first = db.session.scalar(sa.select(Bundle).order_by(Bundle.id))
    assert first.state == BundleState.stopped and "withdrawn" in first.error
    r = client.get(url, headers=h)  # a new bundle, without the revoked file
    assert r.status_code == 202 and r.get_json()["total"] == 2
    run_once()
    r = client.get(url, headers=h)
    assert r.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(r.get_data())).namelist() == ["roster.csv.zip", "photo-001.png", "REVOKED.txt"]  # a 4-row CSV: wrapped


def test_nobody_else_gets_the_bundle_and_a_fully_revoked_one_is_gone(client, ctx):
    staff, requester, rel = _release()
    url = f"/api/v1/releases/{rel.id}/download"
    for other in (f.user(), staff, f.user(Role.admin)):
        r = client.get(url, headers=f.token_for(other))
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/releases/999999/download", headers=f.token_for(requester)).status_code == 404
    for grant in _mine(rel, requester):
        _revoke(grant.id)
    r = client.get(url, headers=f.token_for(requester))
    assert r.status_code == 410 and r.get_json()["error"]["code"] == "gone"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0


def test_download_all_on_the_files_page_shows_progress_then_sends_the_zip(client, ctx):
    _, requester, rel = _release()
    f.login(client, requester.email)
    page = client.get("/me/files").get_data(as_text=True)
    link = f"/me/releases/{rel.id}/download"
    assert link in page and "Download all" in page
    r = client.get(link)
    assert r.status_code == 202 and "0 of 3 ready" in r.get_data(as_text=True)
    assert 'http-equiv="refresh"' in r.get_data(as_text=True)
    run_once()
    r = client.get(link)
    assert r.status_code == 200 and len(zipfile.ZipFile(io.BytesIO(r.get_data())).namelist()) == 3


def test_who_has_a_whole_release_counts_bundles_and_deliveries(client, ctx):
    staff, requester, rel = _release()
    h = f.token_for(requester)
    client.get(f"/api/v1/releases/{rel.id}/download", headers=h)
    run_once()
    client.get(f"/api/v1/releases/{rel.id}/download", headers=h).get_data()
    r = client.get(f"/api/v1/releases/{rel.id}/recipients", headers=f.token_for(staff))
    assert r.status_code == 200
    people = {p["user"]["email"]: p for p in r.get_json()["recipients"]}
    mine = people[requester.email]
    assert (mine["grants"], mine["files_delivered"], mine["deliveries"], mine["in_bundles"]) == (3, 3, 3, 3)
    assert [b["state"] for b in mine["bundles"]] == ["ready"]
    assert people["counsel@example.org"]["deliveries"] == 0 and r.get_json()["records"] == 3
    assert client.get(f"/api/v1/releases/{rel.id}/recipients", headers=h).status_code == 403
    f.login(client, staff.email)
    page = client.get(f"/staff/releases/{rel.id}/recipients").get_data(as_text=True)
    assert "counsel@example.org" in page and "ready 3/3" in page
