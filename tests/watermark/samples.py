"""Small inputs made in code, and stamps for made-up grants."""
from __future__ import annotations

import io
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


def _page_text(number: int) -> bytes:
    lines = [f"Page {number} of the record: minutes of the meeting, item {number}."] + [
        f"Line {i}: the committee discussed budget line {number * 100 + i} in detail." for i in range(40)]
    ops = [b"BT /F1 10 Tf 72 720 Td 12 TL"]
    for line in lines:
        ops.append(b"(" + line.encode() + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def pdf(pages: int = 6, *, inherited_resources: bool = True) -> bytes:
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
        page.obj.Contents = doc.make_stream(_page_text(n))
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


def csv_rows(rows: int = 200) -> list[list[str]]:
    header = ["id", "name", "city", "amount", "note"]
    body = [[str(i), f"Person {i}", ["Springfield", "Shelbyville", "Ogdenville"][i % 3],
             f"{i * 7 % 1000}.{i % 100:02d}",
             ['says "hi"', "two, parts", "multi\nline", "", "plain"][i % 5]] for i in range(rows)]
    return [header] + body


def csv_bytes(rows: int = 200, line_end: str = "\r\n") -> bytes:
    import csv
    out = io.StringIO()
    csv.writer(out, lineterminator=line_end).writerows(csv_rows(rows))
    return out.getvalue().encode()


def text_bytes(lines: int = 300) -> bytes:
    return "".join(f"Line {i}: report paragraph about matter {i * 13 % 997}.\n" if i % 7 else "\n"
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
