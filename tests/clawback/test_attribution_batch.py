"""A ZIP of found files attributed by the worker: marked copies named with their recipient,
unmarked originals and foreign files named with no one; progress, and reports for counsel."""
import io
import zipfile

from portal.auth.models import Role
from portal.core.models import utcnow
from portal.disclosures import services
from portal.extensions import db
from portal.worker import run_once
from tests import factories as f
from tests.watermark import image_samples
from tests.watermark import samples as ws


def test_a_zip_of_marked_unmarked_and_foreign_files(client, ctx):
    _, staff, requester, req = f.scenario()
    photo = image_samples.encode(image_samples.photo(), "PNG")
    pdf = ws.pdf(3)
    ids = [f.upload(staff, req, photo, filename="officer.png").id, f.upload(staff, req, pdf, filename="roster.pdf").id]
    rel = services.create_release(staff, req.id, ids, recipients=["blog@example.org"])
    f.commit()
    for g in rel.grants:
        g.recipient.email_verified_at = g.recipient.email_verified_at or utcnow()
    f.commit()
    blog = [g for g in rel.grants if g.recipient.email == "blog@example.org"]
    copies = {g.record.filename: client.get(f"/api/v1/grants/{g.id}/download",
                                            headers=f.token_for(g.recipient)).get_data() for g in blog}
    found = io.BytesIO()
    with zipfile.ZipFile(found, "w") as zf:
        zf.writestr("site/img/officer.png", copies["officer.png"])
        zf.writestr("site/docs/roster.pdf", copies["roster.pdf"])
        zf.writestr("site/img/original.png", photo)
        zf.writestr("site/img/someone-else.png", image_samples.encode(image_samples.photo(seed=9), "PNG"))
        zf.writestr("site/readme.txt", b"")
    admin = f.user(Role.admin)
    h = f.token_for(admin)
    assert client.post("/api/v1/attributions/batch", headers=f.token_for(staff),
                       data={"file": (io.BytesIO(found.getvalue()), "site.zip")}).status_code == 403
    r = client.post("/api/v1/attributions/batch", headers=h, data={"file": (io.BytesIO(found.getvalue()), "site.zip")})
    assert r.status_code == 202
    url = f"/api/v1/attributions/batch/{r.get_json()['id']}"
    body = client.get(url, headers=h).get_json()
    assert (body["status"], body["done"], body["total"]) == ("running", 0, 5)
    run_once()
    body = client.get(url, headers=h).get_json()
    assert (body["status"], body["done"], body["total"]) == ("done", 5, 5)
    files = {x["name"]: x for x in body["files"]}
    for name in ("site/img/officer.png", "site/docs/roster.pdf"):
        assert files[name]["exact"] is True
        assert [m["recipient"]["email"] for m in files[name]["matches"]] == ["blog@example.org"]
    for name in ("site/img/original.png", "site/img/someone-else.png", "site/readme.txt"):
        assert files[name]["matches"] == [], name
    assert "original, unmarked" in " ".join(files["site/img/original.png"]["notes"])
    assert "empty" in files["site/readme.txt"]["error"]

    f.login(client, admin.email)
    batch_id = body["id"]
    page = client.get(f"/admin/attribute/batch/{batch_id}").get_data(as_text=True)
    assert "5 of 5 file(s) read" in page and "blog@example.org" in page
    csv = client.get(f"/admin/attribute/batch/{batch_id}.csv").get_data(as_text=True)
    assert csv.count("blog@example.org") == 2 and "no mark that verifies" in csv
    pdf_report = client.get(f"/admin/attribute/batch/{batch_id}.pdf")
    assert pdf_report.status_code == 200 and pdf_report.get_data().startswith(b"%PDF-")


def test_a_batch_that_is_not_a_zip_or_over_the_limits_is_refused(client, ctx, app):
    h = f.token_for(f.user(Role.admin))
    r = client.post("/api/v1/attributions/batch", headers=h, data={"file": (io.BytesIO(ws.pdf(1)), "x.pdf")})
    assert r.status_code == 415
    app.config["UPLOAD_ZIP_MAX_MEMBERS"] = 2
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(3):
            zf.writestr(f"{i}.txt", b"x")
    r = client.post("/api/v1/attributions/batch", headers=h, data={"file": (io.BytesIO(many.getvalue()), "m.zip")})
    assert r.status_code == 422
    assert client.get("/api/v1/attributions/batch/12345", headers=h).status_code == 404
