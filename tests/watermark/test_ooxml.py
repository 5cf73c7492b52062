import io
import subprocess
import zipfile

import docx as python_docx
import openpyxl
import pytest
from tests.watermark import samples

from portal.watermark import WatermarkError, mark, read
from portal.watermark.ooxml import Package

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def xlsx():
    return samples.xlsx(60)


@pytest.fixture(scope="module")
def docx():
    return samples.docx(5, footer=True)


def cells(data: bytes, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True))


def test_xlsx_opens_in_openpyxl_with_values_unchanged(xlsx):
    stamp = samples.stamp(31)
    marked = mark(xlsx, XLSX, stamp)
    wb = openpyxl.load_workbook(io.BytesIO(marked))
    assert wb.sheetnames == ["Data", "Second", "Disclosure notice"]
    assert cells(marked, "Data") == cells(xlsx, "Data")
    assert cells(marked, "Second") == cells(xlsx, "Second")
    assert stamp.code in wb["Data"].oddFooter.center.text
    assert any(stamp.code in str(row[0]) for row in cells(marked, "Disclosure notice"))
    assert {p.name: p.value for p in wb.custom_doc_props}["PortalDisclosureCode"] == stamp.code


def test_docx_opens_in_python_docx_with_body_unchanged(docx):
    stamp = samples.stamp(32)
    marked = mark(docx, DOCX, stamp)
    before, after = python_docx.Document(io.BytesIO(docx)), python_docx.Document(io.BytesIO(marked))
    assert [p.text for p in after.paragraphs] == [p.text for p in before.paragraphs]
    footer = [p.text for p in after.sections[0].footer.paragraphs]
    assert footer[0] == "Agency letterhead footer" and stamp.code in footer[1]
    assert "\u200b" not in "".join(p.text for p in after.paragraphs)


def test_docx_without_footer_gets_one():
    original, stamp = samples.docx(3), samples.stamp(33)
    marked = mark(original, DOCX, stamp)
    footer = python_docx.Document(io.BytesIO(marked)).sections[0].footer
    assert not footer.is_linked_to_previous and stamp.code in footer.paragraphs[0].text


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_untouched_entries_copied_byte_for_byte_and_deterministic(kind, xlsx, docx):
    original = {"xlsx": xlsx, "docx": docx}[kind]
    ctype = {"xlsx": XLSX, "docx": DOCX}[kind]
    marked = mark(original, ctype, samples.stamp(34))
    assert mark(original, ctype, samples.stamp(34)) == marked
    before, after = zipfile.ZipFile(io.BytesIO(original)), zipfile.ZipFile(io.BytesIO(marked))
    assert after.testzip() is None
    old, new = Package(original, "original"), Package(marked, "marked")
    untouched = [i for i in before.infolist() if before.read(i) == after.read(i.filename)]
    changed = set(before.namelist()) - {i.filename for i in untouched}
    assert changed <= {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                       "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "word/document.xml",
                       "word/_rels/document.xml.rels", "word/footer1.xml"}
    for info in untouched:
        assert bytes(old._raw(info)) == bytes(new._raw(after.getinfo(info.filename)))


@pytest.mark.parametrize("leak", list(samples.XLSX_LEAKS))
def test_xlsx_leaks(leak, xlsx):
    stamp = samples.stamp(35)
    copy = samples.XLSX_LEAKS[leak](mark(xlsx, XLSX, stamp))
    findings = read(copy, xlsx, XLSX, [stamp.codeword, samples.stamp(36).codeword])
    assert [f.codeword for f in findings] == [stamp.codeword]


@pytest.mark.parametrize("leak", list(samples.DOCX_LEAKS))
def test_docx_leaks(leak, docx):
    stamp = samples.stamp(37)
    copy = samples.DOCX_LEAKS[leak](mark(docx, DOCX, stamp))
    [finding] = read(copy, docx, DOCX, [stamp.codeword, samples.stamp(38).codeword])
    assert finding.codeword == stamp.codeword
    assert {"zero-width sequence", "footer"} <= set(finding.marks)


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_no_finding_on_unmarked_or_foreign(kind, xlsx, docx):
    original = {"xlsx": xlsx, "docx": docx}[kind]
    ctype = {"xlsx": XLSX, "docx": DOCX}[kind]
    assert read(original, original, ctype, []) == []
    assert read(mark(original, ctype, samples.stamp(39)), original, ctype, [samples.stamp(40).codeword]) == []


@pytest.mark.parametrize("bad, message", [
    ("truncated", "truncated or malformed"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000), "encrypted"),
    ("no content types", "no \\[Content_Types\\].xml"),
])
def test_refuses_malformed_truncated_and_encrypted(bad, message, xlsx):
    data = {"truncated": xlsx[: len(xlsx) // 2],
            "no content types": samples.zip_bytes({"xl/workbook.xml": b"<workbook/>"})}.get(bad, bad)
    with pytest.raises(WatermarkError, match=message):
        mark(data, XLSX, samples.stamp(1))


def test_libreoffice_opens_and_keeps_the_marks(xlsx, docx, tmp_path):
    soffice = samples.need("soffice", on_ci=False)   # optional: a large install
    stamp = samples.stamp(41)
    (tmp_path / "a.xlsx").write_bytes(mark(xlsx, XLSX, stamp))
    (tmp_path / "b.docx").write_bytes(mark(docx, DOCX, stamp))
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for name, target in (("a.xlsx", "xlsx:Calc MS Excel 2007 XML"), ("b.docx", "docx:MS Word 2007 XML")):
        subprocess.run([soffice, "--headless", "--convert-to", target, "--outdir", str(tmp_path / "out"),
                        str(tmp_path / name)], check=True, capture_output=True, timeout=180, env=env)
    xlsx_copy, docx_copy = (tmp_path / "out" / "a.xlsx").read_bytes(), (tmp_path / "out" / "b.docx").read_bytes()
    assert {"custom property", "footer", "notice"} <= set(read(xlsx_copy, xlsx, XLSX, [stamp.codeword])[0].marks)
    assert {"custom property", "footer"} <= set(read(docx_copy, docx, DOCX, [stamp.codeword])[0].marks)
