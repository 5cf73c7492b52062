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


def test_a_pdf_that_opens_without_a_password_is_marked_from_its_decrypted_form(original, stamp):
    """Permissions-only encryption (an owner password, no user password) is common in government
    files: the copy is marked, readable, and saved without the encryption."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(original)) as doc:
        doc.save(out, encryption=pikepdf.Encryption(owner="owner", user="", allow=pikepdf.Permissions(extract=False)))
    protected = out.getvalue()
    copy = mark(protected, PDF, stamp)
    with pikepdf.open(io.BytesIO(copy)) as doc:
        assert not doc.is_encrypted and len(doc.pages) == 6
    [finding] = read(copy, protected, PDF, [stamp.codeword])
    assert finding.codeword == stamp.codeword and "footer" in finding.marks


def test_refusal_messages_name_no_python_objects(original):
    with pytest.raises(WatermarkError) as err:
        mark(samples.encrypted_pdf(), PDF, samples.stamp(1))
    assert "password" in str(err.value) and "BytesIO" not in str(err.value)
    broken = original[:400] + b"\n%%EOF\n"
    with pytest.raises(WatermarkError) as err:
        mark(broken, PDF, samples.stamp(1))
    assert "0x" not in str(err.value) and "BytesIO" not in str(err.value), str(err.value)
