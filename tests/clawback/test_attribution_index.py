"""Choosing the originals to read a found file against: extracts, scans and crops are not lost."""
import io

import numpy as np
import pikepdf
import pytest
from PIL import Image

from portal.auth.models import Role
from portal.clawback import fingerprints
from portal.extensions import db
from tests import factories as f
from tests.clawback.test_attribution import _copy, _setup
from tests.watermark import image_samples
from tests.watermark import samples as ws


def _attribute(client, admin, data: bytes, name: str) -> list[int]:
    r = client.post("/api/v1/attributions", headers=f.token_for(admin), data={"file": (io.BytesIO(data), name)})
    assert r.status_code == 200, r.get_data(as_text=True)
    return [m["grant_id"] for m in r.get_json()["matches"]]


def _pages(data: bytes, numbers: list[int]) -> bytes:
    """The given pages (1-based) of a PDF copied into a new file, as a page extract does."""
    out = pikepdf.new()
    with pikepdf.open(io.BytesIO(data)) as src:
        for n in numbers:
            out.pages.append(src.pages[n - 1])
        buf = io.BytesIO()
        out.save(buf)
    return buf.getvalue()


def _scanned_pdf(pages: int, seed: int) -> bytes:
    """An image-only PDF: each page one picture, no text at all."""
    ims = [Image.fromarray(image_samples.photo(612, 792, seed=seed * 100 + i)) for i in range(pages)]
    buf = io.BytesIO()
    ims[0].save(buf, "PDF", save_all=True, append_images=ims[1:], resolution=72)
    return buf.getvalue()


def _jpeg(im: Image.Image, quality=80) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


@pytest.fixture
def admin(ctx):
    return f.user(Role.admin)


def test_one_and_two_page_extracts_of_a_long_pdf_name_their_recipient(client, ctx, admin):
    # other released records first: the right one must still be chosen
    for seed in (1, 2):
        _setup(ws.pdf(12, seed=seed), f"other{seed}.pdf", recipients=1)
    _, rec, rel = _setup(ws.pdf(40, seed=7), "long.pdf")
    for grant in rel.grants:
        copy = _copy(client, grant)
        assert _attribute(client, admin, ws.pdf_strip_metadata(_pages(copy, [17])), "p17.pdf") == [grant.id]
        assert _attribute(client, admin, _pages(copy, [3, 29]), "p3-29.pdf") == [grant.id]


def test_extracts_of_an_image_only_pdf_name_their_recipient(client, ctx, admin, app):
    app.config["SCREENING_OCR"] = False   # attribution is tested here; OCR holds have their own tests
    _setup(_scanned_pdf(3, seed=1), "other-scan.pdf", recipients=1)
    _, rec, rel = _setup(_scanned_pdf(5, seed=2), "scan.pdf")
    for grant in rel.grants:
        extract = ws.pdf_strip_metadata(_pages(_copy(client, grant), [4]))
        assert _attribute(client, admin, extract, "page4.pdf") == [grant.id]


def test_crops_and_thumbnails_of_photos_name_their_recipient(client, ctx, admin):
    _setup(image_samples.encode(image_samples.photo(800, 600, seed=5), "JPEG"), "other.jpg", recipients=1)
    _, rec, rel = _setup(image_samples.encode(image_samples.photo(800, 600, seed=6), "JPEG"), "photo.jpg")
    for grant in rel.grants:
        copy = Image.open(io.BytesIO(_copy(client, grant)))
        w, h = copy.size
        crop = copy.crop((w // 10, h // 10, w, h))           # 10% off two sides, strip and all
        assert _attribute(client, admin, _jpeg(crop), "crop.jpg") == [grant.id]


def test_index_is_written_once_per_original_and_shortlists_only_matching_ones(client, ctx, admin):
    _, rec, rel = _setup(ws.pdf(8, seed=3), "minutes.pdf")
    _copy(client, rel.grants[0]), _copy(client, rel.grants[1])
    row = db.session.get(fingerprints.FingerprintedBlob, rec.blob_id)
    assert row is not None and row.keys == 8 * 16            # 16 text bands a page
    found = fingerprints.probes(ws.pdf(8, seed=4), "application/pdf", 10**8)
    assert fingerprints.candidates(found, 25) == []           # different text: not a candidate
    found = fingerprints.probes(_pages(ws.pdf(8, seed=3), [5]), "application/pdf", 10**8)
    assert fingerprints.candidates(found, 25) == [rec.blob_id]


@pytest.mark.parametrize("size", [(1, 1), (100, 75), (20_000, 8)])
def test_pictures_of_any_size_get_an_answer_not_an_error(client, ctx, admin, size):
    _setup(image_samples.encode(image_samples.photo(400, 300, seed=8), "PNG"), "p.png", recipients=1)
    buf = io.BytesIO()
    Image.fromarray(np.full((size[1], size[0], 3), 128, np.uint8)).save(buf, "PNG")
    r = client.post("/api/v1/attributions", headers=f.token_for(admin),
                    data={"file": (io.BytesIO(buf.getvalue()), "tiny.png")})
    assert r.status_code == 200 and r.get_json()["matches"] == []


def _scan_of(pdf: bytes, dpi: int) -> bytes:
    """Printed and scanned: every page an image at `dpi`, JPEG-compressed, back in a PDF."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf)
    ims = [Image.open(io.BytesIO(_jpeg(doc[i].render(scale=dpi / 72, grayscale=True).to_pil(), 70)))
           for i in range(len(doc))]
    buf = io.BytesIO()
    ims[0].save(buf, "PDF", save_all=True, append_images=ims[1:], resolution=dpi)
    return buf.getvalue()


@pytest.mark.parametrize("dpi", [150, 100])
def test_scans_name_their_recipient_by_the_qr_code(client, ctx, admin, dpi):
    _, rec, rel = _setup(ws.pdf(4, seed=9), "scanned.pdf")
    grant = rel.grants[1]
    r = client.post("/api/v1/attributions", headers=f.token_for(admin),
                    data={"file": (io.BytesIO(_scan_of(_pages(_copy(client, grant), [2, 3]), dpi)), "scan.pdf")})
    [match] = r.get_json()["matches"]
    assert match["grant_id"] == grant.id
    assert any("QR code on page 1 of a scan" in line for line in match["evidence"]), match["evidence"]


def test_footer_is_read_by_ocr_when_the_qr_code_is_torn_off(client, ctx, admin):
    _, rec, rel = _setup(ws.pdf(2, seed=10), "torn.pdf")
    grant = rel.grants[0]
    import pypdfium2 as pdfium
    page = pdfium.PdfDocument(_copy(client, grant))[0].render(scale=150 / 72, grayscale=True).to_pil()
    page = page.crop((0, 0, page.width * 3 // 4, page.height))        # the QR code's corner torn off
    assert _attribute(client, admin, _jpeg(page, 85), "torn.jpg") == [grant.id]


def test_text_copied_out_of_a_marked_pdf_names_its_recipient_and_the_line(client, ctx, admin):
    import pypdfium2 as pdfium
    _, rec, rel = _setup(ws.pdf(5, seed=12), "minutes.pdf")
    grant = rel.grants[0]
    doc = pdfium.PdfDocument(_copy(client, grant))
    text = "\n".join(doc[i].get_textpage().get_text_range() for i in (1, 2))
    r = client.post("/api/v1/attributions", headers=f.token_for(admin),
                    data={"file": (io.BytesIO(text.encode()), "copied.txt")})
    [match] = r.get_json()["matches"]
    assert match["grant_id"] == grant.id, match
    assert any(line.startswith("Line ") and "Released to" in line for line in match["evidence"]), match
    assert any("matches the released original" in line for line in match["evidence"])
    pasted = client.post("/api/v1/attributions", headers=f.token_for(admin), data={"text": text})
    assert [m["grant_id"] for m in pasted.get_json()["matches"]] == [grant.id]
    # the same text without the footer lines names no one
    bare = "\n".join(line for line in text.splitlines() if grant.code not in line)
    assert _attribute(client, admin, bare.encode(), "bare.txt") == []
