"""Crafted files of each type, made in code: the hiding places the screen must look into."""
from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Name


def _pdf_font(pdf):
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                        Encoding=Name.WinAnsiEncoding))


def _save(pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def pdf(lines: list[str], *, boxed: str | None = None, box_gray: float = 0.0) -> bytes:
    """A one-page PDF; `boxed` is drawn and then covered by a filled box (a failed redaction)."""
    pdf = pikepdf.new()
    ops = [b"BT /F1 12 Tf 72 720 Td 16 TL"]
    for line in lines:
        ops.append(b"(" + line.encode("latin-1") + b") Tj T*")
    ops.append(b"ET")
    if boxed:
        ops.append(b"BT /F1 12 Tf 72 500 Td (" + boxed.encode("latin-1") + b") Tj ET")
        ops.append(f"q {box_gray} g 70 495 250 18 re f Q".encode())
    page = pdf.add_blank_page(page_size=(612, 792))
    page.obj.Contents = pdf.make_stream(b"\n".join(ops))
    page.obj.Resources = Dictionary(Font=Dictionary(F1=_pdf_font(pdf)))
    return _save(pdf)


def pdf_revised(old: str, new: str) -> bytes:
    """A PDF whose page said `old`, then was changed to `new` by an incremental save."""
    return _incremental(pdf([old]), new)


def _incremental(first: bytes, new: str) -> bytes:
    """Append a new revision by hand: a new content stream object, the page redefined, a new xref."""
    import re
    doc = pikepdf.open(io.BytesIO(first))
    page_obj = doc.pages[0].obj
    page_num = page_obj.objgen[0]
    size = int(doc.trailer.Size)
    root = doc.trailer.Root.objgen[0]
    font = page_obj.Resources.Font.F1.objgen[0]
    parent = page_obj.Parent.objgen[0]
    stream = b"BT /F1 12 Tf 72 720 Td (" + new.encode() + b") Tj ET"
    body = io.BytesIO()
    base = len(first)
    offsets = {}
    offsets[size] = base + body.tell()
    body.write(b"%d 0 obj\n<< /Length %d >>\nstream\n" % (size, len(stream)) + stream + b"\nendstream\nendobj\n")
    offsets[page_num] = base + body.tell()
    body.write(b"%d 0 obj\n<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
               b"/Resources << /Font << /F1 %d 0 R >> >> >>\nendobj\n" % (page_num, parent, size, font))
    prev = int(re.findall(rb"startxref\s+(\d+)", first)[-1])
    xref_at = base + body.tell()
    body.write(b"xref\n")
    for num in sorted(offsets):
        body.write(b"%d 1\n%010d 00000 n \n" % (num, offsets[num]))
    body.write(b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
               % (size + 1, root, prev, xref_at))
    return first + body.getvalue()


def pdf_with_extras(*, comment: str | None = None, javascript: str | None = None,
                    attachment: tuple[str, bytes] | None = None) -> bytes:
    doc = pikepdf.open(io.BytesIO(pdf(["Quarterly report"])))
    page = doc.pages[0]
    if comment:
        page.obj.Annots = doc.make_indirect(Array([doc.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Text, Rect=Array([100, 100, 120, 120]),
            Contents=pikepdf.String(comment), T=pikepdf.String("Reviewer")))]))
    if javascript:
        doc.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=pikepdf.String(javascript))
    if attachment:
        name, data = attachment
        doc.attachments[name] = pikepdf.AttachedFileSpec(doc, data, filename=name)
    return _save(doc)


def xlsx(*, hidden: str | None = None, very_hidden: str | None = None, rows=None, hidden_row: int | None = None,
         hidden_col: str | None = None, comment: tuple[str, str] | None = None, defined_name: str | None = None,
         external_link: bool = False) -> bytes:
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.workbook.defined_name import DefinedName
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Public"
    for row in rows or [["first", "last", "unit"], ["Ana", "Diaz", "Patrol"]]:
        ws.append(row)
    for name, state in ((hidden, "hidden"), (very_hidden, "veryHidden")):
        if name:
            other = wb.create_sheet(f"{state} sheet")
            other.append([name])
            other.sheet_state = state
    if hidden_row:
        ws.row_dimensions[hidden_row].hidden = True
    if hidden_col:
        ws.column_dimensions[hidden_col].hidden = True
    if comment:
        ref, text = comment
        ws[ref].comment = Comment(text, "Reviewer")
    if defined_name:
        wb.defined_names["secret_name"] = DefinedName("secret_name", attr_text=f'"{defined_name}"')
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    return _add_external_link(data) if external_link else data


def _add_external_link(data: bytes) -> bytes:
    """An external link part, as Excel writes for a formula pointing at another workbook."""
    import zipfile
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                body = body.replace(b"</Types>", b'<Override PartName="/xl/externalLinks/externalLink1.xml" '
                                    b'ContentType="application/vnd.openxmlformats-officedocument.'
                                    b'spreadsheetml.externalLink+xml"/></Types>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", b'<Relationship Id="rIdX1" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/externalLink" '
                                    b'Target="externalLinks/externalLink1.xml"/></Relationships>')
            elif item.filename == "xl/workbook.xml":
                body = body.replace(b"</workbook>", b'<externalReferences><externalReference xmlns:r="http://'
                                    b'schemas.openxmlformats.org/officeDocument/2006/relationships" '
                                    b'r:id="rIdX1"/></externalReferences></workbook>')
            dst.writestr(item, body)
        dst.writestr("xl/externalLinks/externalLink1.xml",
                     b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><externalLink xmlns="http://'
                     b'schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
                     b'openxmlformats.org/officeDocument/2006/relationships"><externalBook r:id="rId1">'
                     b'<sheetNames><sheetName val="Roster"/></sheetNames></externalBook></externalLink>')
        dst.writestr("xl/externalLinks/_rels/externalLink1.xml.rels",
                     b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://'
                     b'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                     b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                     b'externalLinkPath" Target="file:///S:/HR/undercover-roster.xlsx" TargetMode="External"/>'
                     b'</Relationships>')
    return out.getvalue()


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(body: str = "Memo to the council.", *, header: str | None = None, comment: str | None = None,
         deleted: str | None = None, inserted: str | None = None) -> bytes:
    import docx as python_docx
    from docx.oxml import parse_xml
    doc = python_docx.Document()
    para = doc.add_paragraph(body)
    if header:
        doc.sections[0].header.paragraphs[0].text = header
    if comment:
        doc.add_comment(para.runs, text=comment, author="Reviewer")
    if deleted or inserted:
        p = doc.add_paragraph()
        ns = f'xmlns:w="{W_NS}"'
        if deleted:
            p._p.append(parse_xml(f'<w:del {ns} w:id="91" w:author="Editor"><w:r><w:delText>{deleted}'
                                  '</w:delText></w:r></w:del>'))
        if inserted:
            p._p.append(parse_xml(f'<w:ins {ns} w:id="92" w:author="Editor"><w:r><w:t>{inserted}</w:t>'
                                  '</w:r></w:ins>'))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def jpeg(*, gps: bool = True, artist: str | None = None, xmp: str | None = None) -> bytes:
    from PIL import Image
    img = Image.new("RGB", (64, 48), (120, 160, 200))
    exif = Image.Exif()
    exif[0x0112] = 1
    if artist:
        exif[0x013B] = artist
    if gps:
        exif[0x8825] = {1: "N", 2: (34.0, 3.0, 7.2), 3: "W", 4: (118.0, 14.0, 34.0)}
    out = io.BytesIO()
    kw = {"xmp": xmp.encode()} if xmp else {}
    img.save(out, "JPEG", exif=exif, quality=90, **kw)
    return out.getvalue()


def png_with_text(text: str) -> bytes:
    from PIL import Image, PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", text)
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 20, 30)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def zip_bomb_xlsx() -> bytes:
    """An OOXML package with a part that expands a thousand-fold."""
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 ** 2))
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels and holds almost none (a pixel bomb's header)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
