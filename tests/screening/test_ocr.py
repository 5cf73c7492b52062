"""OCR of scanned pages and photos, and finding protected names in what it reads.

Everything read here is made in the test: pages drawn with DejaVu and saved as image-only PDFs,
a photographed name plate. Tesseract is the real program (Debian's tesseract-ocr).
"""
import shutil

import pytest

from portal.screening import ocr
from portal.screening.matcher import variants
from portal.screening.fuzzy import FuzzyIndex
from tests.conftest import unavailable
from tests.screening import pictures, samples

NAME = "Quintessa Marlowe-Vance"
TERMS = [NAME, "Hartwell", "Badge 4471", "Jane Roe", "Tobias Oyelaran-Whitcombe"]


@pytest.fixture(scope="module", autouse=True)
def tesseract():
    if not shutil.which("tesseract"):
        unavailable("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng "
                    "tesseract-ocr-spa)")  # fails under CI=true


@pytest.fixture(scope="module")
def index():
    return FuzzyIndex(form for term in TERMS for form in variants(term))


def _found(page: ocr.PageText, index: FuzzyIndex):
    words = [w.text for w in page.words]
    return [(m.term, page.box(m.start, m.end)) for m in index.find(words)]


def test_a_name_on_page_17_of_a_20_page_scan_is_found_on_page_17_with_its_box(index):
    pages = [pictures.filler(6, seed=i) for i in range(20)]
    pages[16] = pages[16][:3] + [f"Statement taken from {NAME} at the scene."] + pages[16][3:]
    data = pictures.scanned_pdf(pages, dpi=150)
    assert ocr.needs_ocr(data) == list(range(1, 21))   # no text layer anywhere

    read = ocr.ocr_pdf_pages(data, ocr.needs_ocr(data))       # at the scan's own 150 dpi

    assert [p.page for p in read] == list(range(1, 21))
    hits = {p.page: _found(p, index) for p in read if _found(p, index)}
    assert list(hits) == [17]
    (term, box), = [h for h in hits[17] if h[0] == "quintessa marlowe vance"]
    page = read[16]
    x0, y0, x1, y1 = page.points(box)
    # Drawn on the fourth line: 1 inch + 3 x 1/3 inch from the top, from 1 inch in (72 pt each).
    assert 72 + 3 * 24 - 8 < y0 < y1 < 72 + 4 * 24 + 8
    assert 150 < x0 < x1 < 612
    assert NAME.split()[0] in page.text


def test_a_photo_of_a_name_plate_is_read(index):
    photo = pictures.name_plate(NAME, angle=6, seed=0)

    words = ocr.ocr_image(photo)

    found = {m.term: m for m in index.find([w.text for w in words])}
    assert "quintessa marlowe vance" in found
    m = found["quintessa marlowe vance"]
    x0, y0, x1, y1 = ocr.PageText(1, words, 1200, 800).box(m.start, m.end)
    assert 100 < x0 < x1 < 1100 and 250 < y0 < y1 < 600    # on the plate, not the whole photo


@pytest.mark.parametrize("name,angle,seed", [("Hartwell", -7, 3), ("Hartwell", 0, 5),
                                             ("Q. Marlowe-Vance", -5, 1)])
def test_name_plates_turned_either_way_are_read(name, angle, seed):
    text = " ".join(w.text for w in ocr.ocr_image(pictures.name_plate(name, angle, seed)))
    assert "Hartwell" in text if name == "Hartwell" else "Marlowe-Vance" in text


def test_a_text_pdf_needs_no_ocr_but_a_picture_under_a_text_layer_does(index):
    clean = samples.pdf(["Quarterly report", "Nothing to see"])
    assert ocr.needs_ocr(clean) == []

    data = pictures.pdf_text_over_picture("Scanned memo", pictures.filler(3, 1) + [f"Signed, {NAME}"])
    assert ocr.needs_ocr(data) == [2]
    page, = ocr.ocr_pdf_pages(data, [2])
    assert [t for t, _ in _found(page, index)] == ["quintessa marlowe vance"]


def test_a_small_picture_does_not_make_a_text_page_need_ocr():
    data = pictures.pdf_text_over_picture("Memo", ["Logo"], image_pt=(120, 60))
    assert ocr.needs_ocr(data) == []


def test_rendering_for_ocr_never_draws_annotations(index):
    data = pictures.pdf_annotation_only(NAME)
    page, = ocr.ocr_pdf_pages(data)
    assert "Notes" in page.text
    assert _found(page, index) == []


def test_failures_are_ocr_failed_with_a_reason(monkeypatch):
    with pytest.raises(ocr.OcrFailed, match="cannot be opened"):
        ocr.ocr_image(b"not a picture")
    with pytest.raises(ocr.OcrFailed, match="cannot be opened"):
        ocr.ocr_pdf_pages(b"%PDF-1.4 broken")
    with pytest.raises(ocr.OcrFailed, match="page 3 is not in this PDF"):
        ocr.ocr_pdf_pages(samples.pdf(["one page"]), [3])
    with pytest.raises(ocr.OcrTimeout, match="page 1: Tesseract took more than"):
        ocr.ocr_pdf_pages(pictures.scanned_pdf([pictures.filler(20, 0)]), timeout=0.01)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ocr.OcrFailed, match="not installed"):
        ocr.ocr_image(pictures.blank_image())


def test_a_match_in_ocr_text_maps_back_to_its_words_and_one_box_per_line():
    from portal.screening.detectors import Builtins, scan
    from portal.screening.matcher import Matcher
    words = [ocr.Word("Statement", (10, 10, 90, 30), 95, 0), ocr.Word("by", (95, 10, 110, 30), 96, 0),
             ocr.Word("Quintessa", (400, 10, 480, 30), 90, 0),
             ocr.Word("Marlowe-Vance", (10, 40, 130, 60), 91, 1), ocr.Word("today.", (135, 40, 180, 60), 97, 1)]
    page = ocr.PageText(3, words, 600, 800, scale=200 / 72)
    assert page.text == "Statement by Quintessa\nMarlowe-Vance today."

    m, = scan(page.text, Matcher([(NAME, "Undercover")]), Builtins())
    first, last = page.words_at(m.start, m.end)

    assert (first, last) == (2, 4)
    assert page.line_boxes(first, last) == [(400, 10, 480, 30), (10, 40, 130, 60)]
    assert page.box(first, last) == (10, 10, 480, 60)
    assert page.points((72, 144, 216, 288)) == pytest.approx((25.92, 51.84, 77.76, 103.68))
