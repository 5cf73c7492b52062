"""Small inputs made in code, and stamps for made-up grants."""
from __future__ import annotations

import io
import random
import zipfile
from datetime import date

import pikepdf
from pikepdf import Array, Dictionary, Name

from portal.watermark import Stamp, derive

KEY = b"test-key-not-secret"


def stamp(n: int = 1, **options) -> Stamp:
    return Stamp(codeword=derive(KEY, f"grant-{n}"), recipient=f"Recipient {n}",
                 tracking_number=f"R-2026-{n:06d}", issued=date(2026, 11, 28),
                 portal_url="https://records.example.gov", **options)


_WORDS = ("budget committee council minutes motion approved report contract vendor street permit zoning "
          "police review hearing audit payment invoice district school water board notice record public "
          "request agency meeting item section amended resolution ordinance grant fund").split()


def _page_text(number: int, seed: int = 0) -> bytes:
    """About as much text as a real page, so sizes compare like real documents."""
    rng = random.Random(number + 100_003 * seed)
    lines = [f"Page {number} of the record: minutes of the meeting, item {number}."] + [
        f"{i}. " + " ".join(rng.choice(_WORDS) for _ in range(12)) + f" ({rng.randint(100, 99999)})"
        for i in range(50)]
    ops = [b"BT /F1 9 Tf 54 740 Td 13 TL"]
    for line in lines:
        ops.append(b"(" + line.encode() + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def pdf(pages: int = 6, *, inherited_resources: bool = True, seed: int = 0) -> bytes:
    """A text PDF with a link, a form field, a rotated page and a cropped page.

    Fonts sit in the page tree's /Resources (inherited), as some producers do,
    so marking must not hide them.
    """
    doc = pikepdf.new()
    font = doc.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                        Encoding=Name.WinAnsiEncoding))
    resources = doc.make_indirect(Dictionary(Font=Dictionary(F1=font)))
    for n in range(1, pages + 1):
        page = doc.add_blank_page(page_size=(612, 792))
        page.obj.Contents = doc.make_stream(_page_text(n, seed))
        if inherited_resources:
            del page.obj["/Resources"]
        else:
            page.obj.Resources = resources
    if inherited_resources:
        doc.Root.Pages.Resources = resources
    first = doc.pages[0]
    first.obj.Annots = doc.make_indirect(Array([doc.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Link, Rect=Array([72, 700, 300, 730]), Border=Array([0, 0, 0]),
        A=Dictionary(S=Name.URI, URI=pikepdf.String("https://records.example.gov/r/1"))))]))
    if pages >= 2:
        field = doc.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=pikepdf.String("reviewer"),
            V=pikepdf.String("J. Smith"), Rect=Array([72, 100, 272, 120]), F=4, P=doc.pages[1].obj))
        doc.pages[1].obj.Annots = Array([field])
        doc.Root.AcroForm = Dictionary(Fields=Array([field]), NeedAppearances=True)
    if pages >= 3:
        doc.pages[2].obj.Rotate = 90
    if pages >= 4:
        doc.pages[3].obj.CropBox = Array([36, 36, 576, 756])
    doc.docinfo["/Title"] = pikepdf.String("Minutes")
    out = io.BytesIO()
    doc.save(out, deterministic_id=True)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf(2))) as doc:
        doc.save(out, encryption=pikepdf.Encryption(owner="owner", user="user"))
    return out.getvalue()


def csv_rows(rows: int = 200, seed: int = 0) -> list[list[str]]:
    header = ["id", "name", "city", "amount", "note"]
    body = [[str(i + seed * rows), f"Person {i * (seed + 1)}", ["Springfield", "Shelbyville", "Ogdenville"][i % 3],
             f"{i * 7 % 1000}.{i % 100:02d}",
             ['says "hi"', "two, parts", "multi\nline", "", "plain"][i % 5]] for i in range(rows)]
    return [header] + body


def csv_bytes(rows: int = 200, line_end: str = "\r\n", seed: int = 0) -> bytes:
    import csv
    out = io.StringIO()
    csv.writer(out, lineterminator=line_end).writerows(csv_rows(rows, seed))
    return out.getvalue().encode()


def text_bytes(lines: int = 300, seed: int = 0) -> bytes:
    return "".join(f"Line {i}: report paragraph about matter {(i + seed) * 13 % 997}.\n" if i % 7 else "\n"
                   for i in range(lines)).encode()


def xlsx(rows: int = 50) -> bytes:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for row in csv_rows(rows):
        ws.append(row)
    wb.create_sheet("Second").append(["just", "one", "row"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def docx(paragraphs: int = 5, footer: bool = False) -> bytes:
    import docx as python_docx
    document = python_docx.Document()
    for i in range(paragraphs):
        document.add_paragraph(f"Paragraph {i} of the letter.")
    if footer:
        document.sections[0].footer.paragraphs[0].text = "Agency letterhead footer"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out.getvalue()


# What a leaker might do to a copy. Each takes and returns bytes.

def need(binary: str, on_ci: bool = True) -> str:
    """The path of a command-line tool a check needs; a loud skip without it,
    and a failure on CI (unless on_ci is False: a tool CI may lack), where its
    absence means the CI image lost a package."""
    import os
    import shutil

    import pytest
    path = shutil.which(binary)
    if path is None:
        message = f"{binary} is not installed (Debian: apt-get install {DEBIAN[binary]})"
        if on_ci and os.environ.get("CI") == "true":
            pytest.fail(message + "; CI must have it")
        pytest.skip("LOUD SKIP: " + message)
    return path


DEBIAN = {"qpdf": "qpdf", "gs": "ghostscript", "soffice": "libreoffice-writer-nogui libreoffice-calc-nogui",
          "zbarimg": "zbar-tools"}


def _pikepdf_edit(data: bytes, edit) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as doc:
        edit(doc)
        out = io.BytesIO()
        doc.save(out)
    return out.getvalue()


def _strip_metadata(doc) -> None:
    for key in list(doc.docinfo.keys()):
        del doc.docinfo[key]
    if "/Metadata" in doc.Root:
        del doc.Root.Metadata


def pdf_strip_metadata(data: bytes) -> bytes:
    return _pikepdf_edit(data, _strip_metadata)


def pdf_reorder(data: bytes) -> bytes:
    return _pikepdf_edit(data, lambda doc: doc.pages.reverse())


def pdf_resave_pikepdf(data: bytes) -> bytes:
    return _pikepdf_edit(data, lambda doc: None)


def pdf_extract_pypdf(data: bytes, pages: int = 5) -> bytes:
    import pypdf
    reader = pypdf.PdfReader(io.BytesIO(data))
    writer = pypdf.PdfWriter()
    for page in reader.pages[:pages]:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_resave_pypdf(data: bytes) -> bytes:
    import pypdf
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _tool(args: list[str], data: bytes, suffix: str = ".pdf") -> bytes:
    import subprocess
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp, "in" + suffix), Path(tmp, "out" + suffix)
        src.write_bytes(data)
        subprocess.run([a.format(src=src, dst=dst) for a in args], check=True, capture_output=True, timeout=120)
        return dst.read_bytes()


def pdf_qpdf(data: bytes) -> bytes:
    return _tool([need("qpdf"), "{src}", "{dst}"], data)


def pdf_ghostscript(data: bytes) -> bytes:
    return _tool([need("gs"), "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite",
                  "-sOutputFile={dst}", "{src}"], data)


PDF_LEAKS = {
    "as delivered": lambda b: b,
    "metadata stripped": pdf_strip_metadata,
    "5 pages extracted (pypdf)": pdf_extract_pypdf,
    "pages reordered": pdf_reorder,
    "re-saved by pikepdf": pdf_resave_pikepdf,
    "re-saved by pypdf": pdf_resave_pypdf,
    "re-saved by qpdf": pdf_qpdf,
    "Ghostscript pdfwrite": pdf_ghostscript,
}


def _records(data: bytes) -> tuple[bytes, list[bytes]]:
    """Header and data records of a CSV, each with its own line ending."""
    from portal.watermark.csvmark import Table
    t = Table(data, "sample")
    records = [b"".join(f + s for f, s in zip(t.fields[a:b + 1], t.seps[a:b + 1])) for a, b in zip(t.starts, t.ends)]
    return records[0], records[1:]


def csv_sorted(data: bytes) -> bytes:
    head, rows = _records(data)
    return head + b"".join(sorted(rows))


def csv_sample(data: bytes, fraction: float = 0.1, seed: int = 7) -> bytes:
    head, rows = _records(data)
    keep = random.Random(seed).sample(range(len(rows)), max(1, int(len(rows) * fraction)))
    return head + b"".join(rows[i] for i in sorted(keep))


def csv_lf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")


def csv_rewritten(data: bytes) -> bytes:
    import csv
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


CSV_LEAKS = {
    "as delivered": lambda b: b,
    "rows sorted": csv_sorted,
    "10% of rows": csv_sample,
    "line endings normalised to LF": csv_lf,
    "rewritten by a CSV library": csv_rewritten,
}


def text_shuffled(data: bytes) -> bytes:
    lines = data.split(b"\n")
    random.Random(3).shuffle(lines)
    return b"\n".join(lines)


def text_half(data: bytes) -> bytes:
    lines = data.split(b"\n")
    return b"\n".join(lines[: len(lines) // 2])


TEXT_LEAKS = {
    "as delivered": lambda b: b,
    "lines shuffled": text_shuffled,
    "first half only": text_half,
    "CRLF line endings": lambda b: b.replace(b"\n", b"\r\n"),
    "trailing whitespace stripped": lambda b: b"\n".join(line.rstrip() for line in b.split(b"\n")),
}


def _zip_edit(data: bytes, drop=lambda name: False, comment: bytes | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if not drop(info.filename):
                dst.writestr(info.filename, src.read(info.filename))
        dst.comment = src.comment if comment is None else comment
    return out.getvalue()


def ooxml_without_custom_properties(data: bytes) -> bytes:
    return _zip_edit(data, drop=lambda name: name == "docProps/custom.xml")


def xlsx_resaved(data: bytes) -> bytes:
    import openpyxl
    out = io.BytesIO()
    openpyxl.load_workbook(io.BytesIO(data)).save(out)
    return out.getvalue()


def xlsx_notice_deleted(data: bytes) -> bytes:
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data))
    del wb["Disclosure notice"]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def docx_resaved(data: bytes) -> bytes:
    import docx as python_docx
    out = io.BytesIO()
    python_docx.Document(io.BytesIO(data)).save(out)
    return out.getvalue()


XLSX_LEAKS = {
    "as delivered": lambda b: b,
    "re-saved by openpyxl": xlsx_resaved,
    "custom properties removed": ooxml_without_custom_properties,
    "notice sheet deleted (openpyxl)": xlsx_notice_deleted,
}

DOCX_LEAKS = {
    "as delivered": lambda b: b,
    "re-saved by python-docx": docx_resaved,
    "custom properties removed": ooxml_without_custom_properties,
}

PACKAGE_LEAKS = {
    "as delivered": lambda b: b,
    "re-zipped without comment": lambda b: _zip_edit(b, comment=b""),
    "truncated to half": lambda b: b[: len(b) // 2],
    "record taken out alone": lambda b: zipfile.ZipFile(io.BytesIO(b)).read(
        [n for n in zipfile.ZipFile(io.BytesIO(b)).namelist() if n != "DISCLOSURE.txt"][0]),
}
