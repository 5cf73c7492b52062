"""Marking is sized by what it decodes (pixels, cells), not by bytes (issue 21, item 11)."""
import io

from PIL import Image

from portal.disclosures.services import create_release
from portal.extensions import db
from portal.worker import run_once
from tests import factories as f


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 180, 160)).save(out, "PNG")
    return out.getvalue()  # a few KB however many pixels


def test_an_image_over_the_pixel_limit_is_refused_at_upload_naming_it(client, ctx):
    _, staff, _, req = f.scenario()
    data = _png(5000, 5000)
    assert len(data) < 200_000
    resp = client.post(f"/api/v1/requests/{req.id}/records", headers=f.token_for(staff),
                       data={"file": (io.BytesIO(data), "huge.png")})
    assert resp.status_code == 422
    assert "at most 16,000,000 pixels" in resp.get_json()["error"]["message"]


def _download(client, grant):
    return client.get(f"/api/v1/grants/{grant.id}/download", headers=f.token_for(grant.recipient))


def test_a_small_file_of_many_pixels_is_marked_by_the_worker(client, ctx):
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, _png(3000, 3000), "photo.png")  # 9 MP in a few KB
    rel = create_release(staff, req.id, [rec.id])
    db.session.commit()
    assert _download(client, rel.grants[0]).status_code == 202
    run_once()
    resp = _download(client, rel.grants[0])
    assert resp.status_code == 200 and resp.get_data().startswith(b"\x89PNG")


def test_a_csv_line_of_many_cells_is_marked_by_the_worker_inside_the_receipt_zip(client, ctx, app):
    _, staff, requester, req = f.scenario()
    # Read as a CSV by its first rows; then one line of 700,000 cells (1.4 MB).
    head = b"name,amount\n" + b"".join(b"p%d,%d\n" % (i, i) for i in range(10))
    rec = f.upload(staff, req, head + b"a," * 700_000 + b"z\n", "wide.csv")
    assert rec.blob.content_type == "text/csv"
    rel = create_release(staff, req.id, [rec.id])
    db.session.commit()
    assert _download(client, rel.grants[0]).status_code == 202
    run_once()
    resp = _download(client, rel.grants[0])
    assert resp.status_code == 200 and resp.get_data().startswith(b"PK")
    assert "wide.csv.zip" in resp.headers["Content-Disposition"]


def test_a_small_csv_is_still_marked_in_its_own_format_while_the_recipient_waits(client, ctx):
    _, staff, requester, req = f.scenario()
    rows = b"".join(b"person %d,%d\n" % (i, i * 7) for i in range(200))
    rec = f.upload(staff, req, b"name,amount\n" + rows, "small.csv")
    rel = create_release(staff, req.id, [rec.id])
    db.session.commit()
    resp = _download(client, rel.grants[0])
    data = resp.get_data()
    assert resp.status_code == 200 and not data.startswith(b"PK") and b"person 199" in data  # its quoting marks it
