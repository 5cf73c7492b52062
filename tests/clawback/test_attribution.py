"""Attribution through the portal: exact copies, modified copies, and files that must name no one."""
import io

import pytest
from PIL import Image

from portal.auth.models import Role
from portal.clawback.attribution import attribute
from portal.core.errors import Forbidden
from portal.core.models import utcnow
from portal.disclosures import services
from portal.extensions import db
from tests import factories as f
from tests.watermark import image_samples
from tests.watermark import samples as ws


def _setup(data: bytes, filename: str, recipients=2):
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, data, filename=filename)
    extra = [f"r{i}-{filename.replace('.', '')}@example.org" for i in range(recipients - 1)]
    rel = services.create_release(staff, req.id, [rec.id], recipients=extra)
    db.session.commit()
    for g in rel.grants:
        g.recipient.email_verified_at = g.recipient.email_verified_at or utcnow()
    db.session.commit()
    return staff, rec, rel


def _copy(client, grant) -> bytes:
    r = client.get(f"/api/v1/grants/{grant.id}/download", headers=f.token_for(grant.recipient))
    assert r.status_code == 200
    return r.get_data()


def _jpeg(data: bytes, quality=75, scale=1.0) -> bytes:
    im = Image.open(io.BytesIO(data)).convert("RGB")
    if scale != 1.0:
        im = im.resize((int(im.width * scale), int(im.height * scale)), Image.LANCZOS)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _crop(data: bytes) -> bytes:
    im = Image.open(io.BytesIO(data)).convert("RGB")
    w, h = im.size
    out = io.BytesIO()
    im.crop((w // 20, h // 20, w - w // 20, h - h // 20)).save(out, "PNG")
    return out.getvalue()


CASES = [
    ("report.pdf", lambda: ws.pdf(6), [ws.pdf_strip_metadata, ws.pdf_extract_pypdf, ws.pdf_resave_pypdf]),
    ("photo.png", lambda: image_samples.encode(image_samples.photo(), "PNG"), [_jpeg, _crop]),
    ("roster.csv", lambda: ws.csv_bytes(120), [ws.csv_sorted]),
    ("notes.txt", lambda: ws.text_bytes(300), [ws.text_half]),
    ("sheet.xlsx", lambda: ws.xlsx(30), [ws.xlsx_notice_deleted]),
    ("letter.docx", lambda: ws.docx(5), [ws.ooxml_without_custom_properties]),
]


@pytest.mark.parametrize("filename, make, transforms", CASES, ids=[c[0] for c in CASES])
def test_modified_copies_name_the_right_recipient(client, ctx, filename, make, transforms):
    admin = f.user(Role.admin)
    _, rec, rel = _setup(make(), filename)
    for grant in rel.grants:
        copy = _copy(client, grant)
        exact = attribute(admin, io.BytesIO(copy))
        assert exact["exact"] and [m["grant_id"] for m in exact["matches"]] == [grant.id]
        for transform in transforms:
            leaked = transform(copy)
            result = attribute(admin, io.BytesIO(leaked))
            assert [m["grant_id"] for m in result["matches"]] == [grant.id], (filename, transform.__name__)
            assert result["matches"][0]["evidence"]
    db.session.commit()


def test_foreign_and_unmarked_files_name_no_one(client, ctx):
    admin = f.user(Role.admin)
    original = ws.pdf(6)
    _, rec, rel = _setup(original, "report.pdf")
    assert attribute(admin, io.BytesIO(original))["matches"] == []  # the original itself
    foreign = ws.pdf(7)
    assert attribute(admin, io.BytesIO(foreign))["matches"] == []
    from portal import watermark
    outsider = watermark.mark(original, "application/pdf", ws.stamp(99))  # marked, but not by us
    assert attribute(admin, io.BytesIO(outsider))["matches"] == []
    photo = image_samples.encode(image_samples.photo(seed=3), "PNG")
    assert attribute(admin, io.BytesIO(photo))["matches"] == []


def test_attribution_is_admin_only_and_audited(client, ctx):
    from portal.audit.models import AuditEntry
    staff, rec, rel = _setup(ws.csv_bytes(50), "roster.csv")
    with pytest.raises(Forbidden):
        attribute(staff, io.BytesIO(b"x"))
    r = client.post("/api/v1/attributions", headers=f.token_for(staff),
                    data={"file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")})
    assert r.status_code == 403
    admin = f.user(Role.admin)
    r = client.post("/api/v1/attributions", headers=f.token_for(admin),
                    data={"file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")})
    assert r.status_code == 200 and r.get_json()["matches"] == [] and r.get_json()["exact"] is False
    assert client.post("/api/v1/attributions", headers=f.token_for(admin), data={}).status_code == 400
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "attribution.run")) == 1


def test_cli_attribute(runner, client, ctx, tmp_path):
    admin = f.user(Role.admin)
    _, rec, rel = _setup(ws.text_bytes(80), "notes.txt", recipients=1)
    path = tmp_path / "found.txt"
    path.write_bytes(_copy(client, rel.grants[0]))
    result = runner.invoke(args=["attribute", str(path), "--json"])
    assert result.exit_code == 0, result.output
    import json
    body = json.loads(result.output)
    assert body["exact"] and body["matches"][0]["grant_id"] == rel.grants[0].id
    assert admin.email  # the recorded actor
