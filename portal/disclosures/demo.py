"""Demo files of each type, released with deliveries, and two clawback campaigns (seed-demo)."""
from __future__ import annotations

import io
from datetime import timedelta

from ..clawback import campaigns
from ..core.models import utcnow
from ..extensions import db
from ..records.services import upload
from . import copies
from .models import Delivery
from .services import create_release


def _pdf() -> bytes:
    import pikepdf
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for n in range(1, 4):
        text = f"BT /F1 14 Tf 72 700 Td (Use of force policy, page {n}) Tj 0 -24 Td (Effective 2026-01-01.) Tj ET"
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792], Contents=pdf.make_stream(text.encode()),
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))))
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def _photo() -> bytes:
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(2026)
    y, x = np.mgrid[0:480, 0:640]
    sky = 150 + 60 * np.sin(x / 40.0) * np.cos(y / 55.0) + rng.normal(0, 6, (480, 640))
    rgb = np.stack([sky * 0.8, sky * 0.9, sky], axis=-1).clip(0, 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "JPEG", quality=92)
    return out.getvalue()


def _csv() -> bytes:
    rows = ["date,street,work_order,status"] + [
        f"2026-0{1 + i % 9}-1{i % 9},{['Main St', 'Oak Ave', 'Elm St'][i % 3]},WO-{1000 + i},closed"
        for i in range(60)]
    return ("\r\n".join(rows) + "\r\n").encode()


def _xlsx() -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "Overtime"
    ws.append(["month", "hours", "cost"])
    for m in range(1, 13):
        ws.append([f"2026-{m:02d}", 100 + m * 7, 5000 + m * 310])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _docx() -> bytes:
    from docx import Document
    doc = Document()
    doc.add_heading("Memo: street repaving schedule", 1)
    doc.add_paragraph("Repaving of Main Street starts in March and ends in May.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


FILES = [("use-of-force-policy.pdf", _pdf), ("scene-photo.jpg", _photo), ("work-orders.csv", _csv),
         ("overtime-2026.xlsx", _xlsx), ("repaving-memo.docx", _docx)]


def seed(staff, admin, req, extra_recipient) -> list[str]:
    records = [upload(staff, req.id, io.BytesIO(make()), name, max_size=10 ** 8) for name, make in FILES]
    release = create_release(staff, req.id, [r.id for r in records], recipients=[extra_recipient.email])
    db.session.flush()
    for i, grant in enumerate(release.grants):
        copies.make_copy(grant)
        if i % 3 != 2:  # some grants stay never-downloaded
            db.session.add(Delivery(grant=grant, ip="203.0.113.7", user_agent="Mozilla/5.0 (demo)",
                                    copy_sha256=grant.copy_sha256, sha256=grant.copy_sha256,
                                    bytes_sent=grant.copy_size, completed=True, finished_at=utcnow()))
    db.session.flush()
    today = utcnow().date()
    done = campaigns.open_campaign(admin, sha256s=[records[2].sha256], reason="Work orders listed a "
                                   "resident's home address.", respond_by=today + timedelta(days=14))
    for notice in done.notices:
        campaigns.respond(notice.recipient, notice.id, "certify_deleted", "I deleted my copy.")
    campaigns.open_campaign(admin, sha256s=[records[1].sha256], reason="The photo shows a bystander's face.",
                            respond_by=today + timedelta(days=10))
    return [f"Released {len(records)} files of each type in {req.tracking_number}; "
            "one finished and one open clawback campaign."]
