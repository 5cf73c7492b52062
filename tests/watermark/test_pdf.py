import io
import subprocess
from collections import Counter

import numpy as np
import pikepdf
import pypdf
import pypdfium2 as pdfium
import pytest
from tests.watermark import samples

from portal.watermark import WatermarkError, mark, read

PDF = "application/pdf"


@pytest.fixture(scope="module")
def original():
    return samples.pdf(6)


@pytest.fixture(scope="module")
def stamp():
    return samples.stamp(1)


@pytest.fixture(scope="module")
def marked(original, stamp):
    return mark(original, PDF, stamp)


def test_round_trip_reports_every_mark(marked, original, stamp):
    [finding] = read(marked, original, PDF, [stamp.codeword, samples.stamp(2).codeword])
    assert finding.codeword == stamp.codeword
    assert set(finding.marks) == {"document info", "XMP", "stamp object", "text layer", "footer"}
    assert finding.bit_errors == 0
    assert finding.false_match_probability < 1e-18


def test_same_original_and_stamp_give_same_bytes(original, stamp, marked):
    assert mark(original, PDF, stamp) == marked


def test_different_recipients_get_different_bytes(original, marked):
    assert mark(original, PDF, samples.stamp(2)) != marked


@pytest.mark.parametrize("leak", list(samples.PDF_LEAKS))
def test_attribution_survives(leak, marked, original, stamp):
    copy = samples.PDF_LEAKS[leak](marked)
    findings = read(copy, original, PDF, [stamp.codeword, samples.stamp(2).codeword])
    assert [f.codeword for f in findings] == [stamp.codeword]
    drawn = {"text layer", "footer"}
    assert drawn <= set(findings[0].marks), findings[0].marks
    if leak in ("metadata stripped", "Ghostscript pdfwrite"):
        assert not {"XMP", "document info"} & set(findings[0].marks)


def test_stamp_is_one_shared_object(marked):
    with pikepdf.open(io.BytesIO(marked)) as doc:
        stamps = {xobj.objgen for page in doc.pages
                  for name, xobj in page.Resources.XObject.items() if name.startswith("/PortalStamp")}
        sizes = {tuple(float(v) for v in xobj.BBox) for page in doc.pages
                 for name, xobj in page.Resources.XObject.items() if name.startswith("/PortalStamp")}
    # a band per displayed page size (portrait, landscape (rotated page), cropped page), one diagonal
    assert len(stamps) == len(sizes) == 4


def test_text_pages_links_and_fields_kept(original, marked):
    before, after = pypdf.PdfReader(io.BytesIO(original)), pypdf.PdfReader(io.BytesIO(marked))
    assert len(after.pages) == len(before.pages)
    for old, new in zip(before.pages, after.pages):
        assert old.extract_text().strip() in new.extract_text()
    link = after.pages[0]["/Annots"][0].get_object()
    assert link["/A"]["/URI"] == "https://records.example.gov/r/1"
    assert after.get_fields()["reviewer"]["/V"] == "J. Smith"


def test_rotated_and_cropped_pages_get_an_upright_stamp_inside_the_visible_box(marked):
    with pikepdf.open(io.BytesIO(marked)) as doc:
        rotated, cropped = doc.pages[2], doc.pages[3]
        tail = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(rotated)).replace(b"\n", b" ")
        # the band below the page as displayed: right of the unrotated box for /Rotate 90
        assert tail.endswith(b"Q q 0 1 -1 0 684 0 cm /PortalStamp2 Do Q")
        assert [float(v) for v in rotated.MediaBox] == [0, 0, 684, 792]
        tail = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(cropped)).replace(b"\n", b" ")
        assert tail.endswith(b"Q q 1 0 0 1 36 -28 cm /PortalStamp3 Do Q")
        assert [float(v) for v in cropped.CropBox] == [36, -28, 576, 756]


def test_qr_code_decodes_from_a_75_dpi_render(marked, stamp, tmp_path):
    gs, zbarimg = samples.need("gs"), samples.need("zbarimg")
    png = tmp_path / "page.png"
    subprocess.run([gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pnggray", "-r75", "-dFirstPage=1",
                    "-dLastPage=1", f"-sOutputFile={png}", "-"], input=marked, check=True, capture_output=True)
    decoded = subprocess.run([zbarimg, "-q", "--raw", str(png)], capture_output=True, text=True).stdout
    assert decoded.strip() == stamp.code


def test_output_at_most_an_eighth_larger_for_a_text_pdf():
    # three page sizes, so three bands; each page also gets its own grown MediaBox
    original = samples.pdf(40)
    assert len(mark(original, PDF, samples.stamp(3))) <= 1.125 * len(original)


def test_no_finding_on_unmarked_or_foreign_copies(original, marked):
    assert read(original, original, PDF, []) == []
    assert read(original, original, PDF, [samples.stamp(1).codeword]) == []
    assert read(marked, original, PDF, [samples.stamp(9).codeword, samples.stamp(10).codeword]) == []


@pytest.mark.parametrize("bad, message", [
    (b"hello, this is not a pdf", "not a PDF"),
    ("truncated", "truncated"),
    ("encrypted", "encrypted"),
    (b"%PDF-1.7\n garbage garbage \n%%EOF\n", "broken"),
])
def test_refuses_malformed_truncated_and_encrypted(bad, message, original):
    data = {"truncated": original[: len(original) // 2], "encrypted": samples.encrypted_pdf()}.get(bad, bad)
    with pytest.raises(WatermarkError, match=message):
        mark(data, PDF, samples.stamp(1))


def test_owner_password_only_is_refused_too(original):
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(original)) as doc:
        doc.save(out, encryption=pikepdf.Encryption(owner="owner", user=""))
    with pytest.raises(WatermarkError, match="encrypted"):
        mark(out.getvalue(), PDF, samples.stamp(1))


def _gray(page) -> "np.ndarray":
    return np.asarray(page.render(scale=2, grayscale=True).to_pil().convert("L")).astype(int)


def test_marks_never_cover_the_record_a_band_is_added_below_each_page(original, marked):
    """Every page grows by a band at its displayed bottom; above it, the record's ink is as it was."""
    before, after = pdfium.PdfDocument(original), pdfium.PdfDocument(marked)
    assert len(after) == len(before)
    for i in range(len(before)):
        old, new = _gray(before[i]), _gray(after[i])
        (h, w), (h2, w2) = old.shape, new.shape
        assert w2 == w and h2 > h + 100, (i, old.shape, new.shape)       # the band: about an inch at 144 dpi
        ink = old < 64
        assert ink.sum() > 50_000
        assert np.abs(new[:h][ink] - old[ink]).max() <= 8, i             # anti-aliasing only
        assert (new[:h] >= old - 24).all(), i                             # the faint diagonal at most
        assert (new[h:] < 128).sum() > 1000, i                           # the band has its footer and QR


def _words(text: str) -> Counter:
    return Counter(text.split())


def test_extracted_words_are_the_originals_plus_the_band(original, marked, stamp):
    band = _words(stamp.footer) + _words("PORTAL-DISCLOSURE-CODE:" + stamp.code)
    before, after = pdfium.PdfDocument(original), pdfium.PdfDocument(marked)
    for i in range(len(before)):
        old = _words(before[i].get_textpage().get_text_range())
        new = _words(after[i].get_textpage().get_text_range())
        assert new == old + band, (i, new - old - band, old + band - new)
    # pypdf, a layout-aware extractor, sees no stray code letters either
    for page in pypdf.PdfReader(io.BytesIO(marked)).pages:
        assert page.extract_text().count(stamp.code) == 2
