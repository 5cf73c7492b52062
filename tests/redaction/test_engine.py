"""The pure engine: what comes out holds nothing of what was redacted, read back every way we can."""
from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from tests.conftest import unavailable

from portal.redaction.engine import Area, Plan, RedactionError, pdf, redact, verify
from portal.redaction.engine.sheet import XLSX, Rule
from portal.redaction.matching import find_spans
from tests.redaction import samples

MEMO = [["Memo about Officer John", "Smith, badge 4411, SSN 123-45-6789.",
         "Call jsmith@example.org or (555) 201-3344.", "Nothing else here."],
        ["Page two mentions JOHN SMITH again.", "And the weather."]]


def pdftotext(data: bytes) -> str:
    if not shutil.which("pdftotext"):
        unavailable("pdftotext is not installed (apt-get install poppler-utils)")  # fails under CI=true
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def pdfminer_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text
    return extract_text(io.BytesIO(data))


def pdfium_text(data: bytes) -> str:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(data)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def test_term_split_across_a_line_break_is_found():
    text = "Officer John\r\nSmith and Smi-\nth, and JOHN   SMITH"
    assert [text[s:e] for s, e, _ in find_spans(text, ["John Smith", "Smith"])] == [
        "John\r\nSmith", "Smith", "Smi-\nth", "JOHN   SMITH", "SMITH"]


def test_patterns():
    text = "SSN 123-45-6789, phone (555) 201-3344, mail a.b@example.org, not 12345"
    assert [label for *_, label in find_spans(text, patterns=["ssn", "phone", "email"])] == [
        "ssn", "phone", "email"]


def test_redacted_pdf_has_no_term_for_any_extractor_but_keeps_the_rest():
    data = samples.text_pdf(MEMO, info={"/Title": "John Smith file", "/Author": "HR"})
    plan = Plan(terms={"John Smith": 1}, patterns={"ssn": 2, "email": 3},
                labels={"John Smith": "b6", "ssn": "b6", "email": "b7c"})
    out, content_type, plan = redact("application/pdf", data, plan)
    assert content_type == "application/pdf" and plan.counts == {"John Smith": 3, "ssn": 1, "email": 1}
    for text in (pdftotext(out), pdfminer_text(out), pdfium_text(out)):
        lowered = " ".join(text.lower().split())
        assert "john" not in lowered and "smith" not in lowered
        assert "123-45-6789" not in text and "jsmith" not in text
        assert "memo about officer" in lowered and "nothing else here" in lowered  # text layer restored
        assert "weather" in lowered
    assert b"John Smith file" not in out and b"/Author" not in out
    report = verify("application/pdf", data, out, plan)
    assert report.ok, report.problems


def test_box_over_an_image_only_page():
    data = samples.scan_pdf()
    box = Area(0, 60, 60, 300, 130, "b7c")   # points; the red block is at 72-288 x 72-115
    out = pdf.redact(data, [box])
    import pypdfium2 as pdfium
    page = pdfium.PdfDocument(out)[0]
    image = page.render(scale=1).to_pil().convert("RGB")
    # Under the box: black with the citation in white; nothing of the red block shows.
    region = image.crop((70, 75, 290, 115)).tobytes()
    pixels = [tuple(region[i:i + 3]) for i in range(0, len(region), 3)]
    assert sum(1 for p in pixels if max(p) < 16) > 0.7 * len(pixels)
    assert not any(r > 100 and r > g + 60 for r, g, _b in pixels)
    assert sum(1 for p in pixels if min(p) > 200) > 20    # the citation is written on the box
    assert verify("application/pdf", data, out, Plan(areas=[box])).ok


def test_verification_finds_what_a_covering_box_leaves():
    """A black rectangle drawn over text (the classic failure) fails verification."""
    import pikepdf
    data = samples.text_pdf(MEMO)
    with pikepdf.open(io.BytesIO(data)) as doc:
        page = doc.pages[0]
        page.contents_add(doc.make_stream(b"0 g 150 690 120 20 re f"), prepend=False)
        buf = io.BytesIO()
        doc.save(buf)
    covered = buf.getvalue()
    report = verify("application/pdf", data, covered,
                    Plan(areas=[Area(0, 150, 82, 270, 102)], terms={"John Smith": 7}))
    assert not report.ok
    assert any("Redaction 7" in p for p in report.problems)
    assert any("document information" in p or "more than its page image" in p for p in report.problems)
    assert all("John" not in p for p in report.problems)  # reasons never repeat the redacted text


def test_box_off_the_page_is_refused():
    with pytest.raises(RedactionError):
        pdf.redact(samples.text_pdf(MEMO), [Area(0, 500, 700, 700, 900)])
    with pytest.raises(RedactionError):
        pdf.redact(samples.text_pdf(MEMO), [Area(5, 10, 10, 20, 20)])


def test_photo_boxes_and_blur_and_no_gps():
    from PIL import Image
    data = samples.photo_with_gps()
    assert Image.open(io.BytesIO(data)).getexif()
    plan = Plan(areas=[Area(0, 10, 10, 110, 60, "b6"), Area(0, 150, 100, 300, 220, "b6", "blur")])
    out, content_type, _ = redact("image/jpeg", data, plan)
    image = Image.open(io.BytesIO(out))
    assert content_type == "image/jpeg" and not image.getexif() and "exif" not in image.info
    assert verify("image/jpeg", data, out, plan).ok
    # An unredacted region is not a pass for a blur check.
    assert not verify("image/jpeg", data, data, plan).ok


def test_workbook_comes_out_without_hidden_sheet_rows_columns_comments_or_names():
    import openpyxl
    data = samples.workbook()
    plan = Plan(rules=[Rule("column", "Badge", "b6"), Rule("term", "Cy Ode", "b6")],
                terms={"Cy Ode": 2})
    out, _, plan = redact(XLSX, data, plan)
    wb = openpyxl.load_workbook(io.BytesIO(out))
    assert wb.sheetnames == ["Roster"]
    assert not len(wb.defined_names)
    rows = [[c.value for c in row] for row in wb["Roster"].iter_rows()]
    assert rows == [["Name", "Badge", "Unit"], ["Ana Diaz", "[REDACTED b6]", "Patrol"],
                    ["[REDACTED b6]", "[REDACTED b6]", "Records"]]
    raw = io.BytesIO(out).getvalue()
    import zipfile
    blob = b"".join(zipfile.ZipFile(io.BytesIO(raw)).read(n) for n in zipfile.ZipFile(io.BytesIO(raw)).namelist())
    for gone in (b"Undercover", b"Dee Fox", b"Rita Lane", b"555-201", b"Elm St", b"Bo Chen", b"1234"):
        assert gone not in blob
    report = verify(XLSX, data, out, plan)
    assert report.ok, report.problems
    assert plan.counts == {"Badge": 2, "Cy Ode": 1}


def test_csv_columns_rows_and_cells():
    data = b"name,badge,note\r\nAna Diaz,1234,call 555-201-3344\r\nBo Chen,5678,ok\r\n"
    plan = Plan(rules=[Rule("column", "B", "b6"), Rule("row", "3", "b7c"), Rule("pattern", "phone", "b6")],
                patterns={"phone": 1})
    out, _, plan = redact("text/csv", data, plan)
    assert out == (b"name,badge,note\r\nAna Diaz,[REDACTED b6],call [REDACTED b6]\r\n"
                   b"[REDACTED b7c],[REDACTED b7c],[REDACTED b7c]\r\n")
    assert verify("text/csv", data, out, plan).ok
    assert not verify("text/csv", data, data, plan).ok
