"""Issue 20: redacting something else never releases a protected name; the redacted copy is screened
as a new file, a hold carries over to it, and rendering never promotes hidden content."""
from __future__ import annotations

import io

import pytest

from portal.auth.models import Role
from portal.disclosures.services import create_release
from portal.extensions import db
from portal.redaction import engine, services
from portal.redaction.engine import Area, Plan
from portal.screening import holds, lists
from portal.screening.holds import ScreeningHold
from portal.screening.models import Hold, HoldStatus
from tests import factories as f
from tests.redaction import samples
from tests.redaction.test_engine import pdfium_text, pdfminer_text, pdftotext

NAME = "Quintessa Marlowe-Vance"
PAGE = [["Officer Quintessa Marlowe-Vance was on duty.", "Case 2024-113 was closed on Friday."]]


def _held_memo():
    admin = f.user(Role.admin)
    lists.add_terms(admin, "Undercover", [NAME])
    dept, staff, requester, req = f.scenario()
    second = f.user(Role.staff, dept=dept)
    rec = f.upload(staff, req, samples.text_pdf(PAGE), "memo.pdf")
    f.commit()
    return staff, second, req, rec


@pytest.mark.parametrize("redaction", [
    {"kind": "term", "term": "Case 2024-113", "citation": "b6"},
    {"kind": "box", "page": 1, "x": 60, "y": 80, "width": 300, "height": 20, "citation": "b6"},
])
def test_a_held_page_whose_other_line_is_redacted_stays_held(ctx, redaction):
    staff, second, req, rec = _held_memo()
    with pytest.raises(ScreeningHold) as first:
        create_release(staff, req.id, [rec.id], recipients=["reporter@example.org"])
    f.commit()
    services.add(staff, rec.id, [redaction])
    run = services.apply(staff, rec.id)
    f.commit()
    # the copy still carries the name: verification says so, naming the list, never the name
    assert not run.verified
    assert any("protected list 'Undercover'" in p for p in run.problems)
    assert not any("Quintessa" in p for p in run.problems)
    # the hold on the original carried over to the copy and stays open
    hold = db.session.get(Hold, first.value.hold_id)
    assert hold.status == HoldStatus.open and hold.record_ids == [run.output.id]
    assert any(m["kind"] == "protected" and m["record_id"] == run.output.id for m in hold.matches)
    with pytest.raises(Exception) as again:
        create_release(staff, req.id, [run.output.id], recipients=["reporter@example.org"])
    assert getattr(again.value, "status", None) == 409


def test_redacting_the_name_clears_the_hold_and_the_copy_releases(ctx):
    staff, second, req, rec = _held_memo()
    with pytest.raises(ScreeningHold) as first:
        create_release(staff, req.id, [rec.id], recipients=["reporter@example.org"])
    f.commit()
    services.add(staff, rec.id, [{"kind": "pattern", "pattern": "protected", "citation": "b6"}])
    run = services.apply(staff, rec.id)
    f.commit()
    assert run.verified, run.problems
    assert db.session.get(Hold, first.value.hold_id).status == HoldStatus.dismissed
    data = services.read(run.output)
    for text in (pdftotext(data), pdfminer_text(data), pdfium_text(data)):
        assert "quintessa" not in text.lower() and "case 2024-113" in text.lower()
    release = create_release(staff, req.id, [run.output.id], recipients=["reporter@example.org"])
    assert release.id


def _annotated_with_hidden_layer() -> bytes:
    """A page with a FreeText annotation naming someone, and a hidden (OFF) layer naming another."""
    import pikepdf
    pdf = pikepdf.open(io.BytesIO(samples.text_pdf([["Visible line one.", "Visible line two."]])))
    page = pdf.pages[0]
    font = page.Resources.Font.F1
    ocg = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.OCG, Name=pikepdf.String("Notes")))
    pdf.Root.OCProperties = pikepdf.Dictionary(OCGs=[ocg], D=pikepdf.Dictionary(OFF=[ocg]))
    page.Resources.Properties = pikepdf.Dictionary(L0=ocg)
    page.contents_add(pdf.make_stream(b"/OC /L0 BDC BT /F1 12 Tf 72 500 Td (Hidden Layer Person) Tj ET EMC"))
    ap = pdf.make_stream(b"BT /F1 14 Tf 2 6 Td (Annot Burned Person) Tj ET", Type=pikepdf.Name.XObject,
                         Subtype=pikepdf.Name.Form, BBox=[0, 0, 220, 24],
                         Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))
    page.Annots = pdf.make_indirect([pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FreeText, Rect=[72, 300, 292, 324],
        Contents=pikepdf.String("note"), DA=pikepdf.String("/F1 14 Tf"), AP=pikepdf.Dictionary(N=ap)))])
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_rendering_a_redacted_page_never_draws_annotations_or_promotes_hidden_layers():
    data = _annotated_with_hidden_layer()
    plan = Plan(areas=[Area(0, 400, 600, 500, 620, "b6")])
    out, _type, plan = engine.redact("application/pdf", data, plan)
    for text in (pdftotext(out), pdfminer_text(out), pdfium_text(out)):
        assert "Hidden Layer" not in text and "Visible line two" in text
    # the annotation's words are not in the page image either: OCR of the rendered page
    import shutil
    import subprocess
    import tempfile
    if shutil.which("tesseract") and shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory() as tmp:
            path = f"{tmp}/out.pdf"
            open(path, "wb").write(out)
            subprocess.run(["pdftoppm", "-r", "150", "-png", path, f"{tmp}/p"], check=True)
            ocr = subprocess.run(["tesseract", f"{tmp}/p-1.png", "-"], capture_output=True).stdout.decode()
            assert "Visible line two" in ocr and "Burned" not in ocr
