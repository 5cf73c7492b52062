"""XLSX, DOCX, CSV, text and image builders for the screening corpus. Packages are rewritten with
fixed timestamps so the same code gives the same bytes."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

from portal.redaction.engine.geometry import Area

FIXED = dt.datetime(2024, 3, 1, 9, 0, 0)
DEJAVU_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _repack(data: bytes, add: dict[str, bytes] | None = None, patch=None) -> bytes:
    """The same package with fixed member times, `add`ed parts, and `patch(name, body) -> body`."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            body = src.read(name)
            if patch:
                body = patch(name, body)
            dst.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), body, zipfile.ZIP_DEFLATED)
        for name, body in (add or {}).items():
            dst.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# -- XLSX ---------------------------------------------------------------------------------------

def workbook(rows=None, *, title: str = "Roster", setup=None) -> bytes:
    """A roster; `setup(wb, ws)` adds the one hiding place."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows or [["first", "last", "unit"], ["Ana", "Diaz", "Patrol"], ["Bo", "Chen", "Records"]]:
        ws.append(row)
    wb.properties.creator = "Records Office"
    wb.properties.created = wb.properties.modified = FIXED
    if setup:
        setup(wb, ws)
    out = io.BytesIO()
    wb.save(out)
    return _repack(out.getvalue(), patch=_fixed_dates)


def _fixed_dates(name: str, body: bytes) -> bytes:
    if name == "docProps/core.xml":
        import re
        body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-03-01T09:00:00Z", body)
    return body


def sheet_state(state: str, sheet: str, name: str):
    def setup(wb, ws):
        other = wb.create_sheet(sheet)
        other.append(["note"])
        other.append([f"Contact {name}"])
        other.sheet_state = state
    return setup


def hidden_row(name: str):
    def setup(wb, ws):
        ws.append(["Officer", name, "Vice"])
        ws.row_dimensions[ws.max_row].hidden = True
        ws.append(["Cy", "Ode", "Patrol"])
    return setup


def hidden_column(name: str):
    def setup(wb, ws):
        ws["E1"], ws["E2"] = "contact", name
        ws.column_dimensions["E"].hidden = True
    return setup


def comment(name: str):
    def setup(wb, ws):
        from openpyxl.comments import Comment
        ws["A2"].comment = Comment(f"Ask {name}", "Reviewer")
    return setup


def header_footer(name: str, footer: bool = False):
    def setup(wb, ws):
        (ws.oddFooter.left if footer else ws.oddHeader.center).text = f"Prepared by {name}"
    return setup


def chart_title(name: str):
    def setup(wb, ws):
        from openpyxl.chart import BarChart, Reference
        ws["D1"], ws["D2"], ws["D3"] = "shifts", 3, 5
        chart = BarChart()
        chart.title = f"Shifts of {name}"
        chart.add_data(Reference(ws, min_col=4, min_row=1, max_row=3), titles_from_data=True)
        ws.add_chart(chart, "F2")
    return setup


def validation_list(name: str):
    def setup(wb, ws):
        from openpyxl.worksheet.datavalidation import DataValidation
        dv = DataValidation(type="list", formula1=f'"{name},Bo Chen"')
        ws.add_data_validation(dv)
        dv.add("D2")
    return setup


def formula(first: str, last: str):
    def setup(wb, ws):
        ws["D1"], ws["D2"] = "lead", f'="{first} "&"{last}"'
    return setup


def defined_name(name: str):
    def setup(wb, ws):
        from openpyxl.workbook.defined_name import DefinedName
        wb.defined_names["officer"] = DefinedName("officer", attr_text=f'"{name}"')
    return setup


def number_format(name: str):
    """A cell holding 0 whose number format is the name in quotes: Excel shows the name."""
    def setup(wb, ws):
        ws["D1"], ws["D2"] = "lead", 0
        ws["D2"].number_format = f'"{name}"'
    return setup


def properties(name: str):
    def setup(wb, ws):
        wb.properties.creator = name
    return setup


# -- CSV and text -------------------------------------------------------------------------------

def csv_rows(rows: list[list[str]]) -> bytes:
    import csv
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


# -- DOCX ---------------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def document(setup=None, body: str = "Memo to the council about staffing.") -> bytes:
    import docx
    doc = docx.Document()
    doc.add_paragraph(body)
    doc.core_properties.author = "Records Office"
    doc.core_properties.created = doc.core_properties.modified = FIXED
    doc.core_properties.last_modified_by = "Records Office"
    add = (setup(doc) if setup else None) or {}
    out = io.BytesIO()
    doc.save(out)
    extra = add.get("patch", lambda name, body: body)

    def patch(name: str, body: bytes) -> bytes:
        import re
        return extra(name, re.sub(rb'w:date="[^"]*"', b'w:date="2024-03-01T09:00:00Z"', body))
    return _repack(out.getvalue(), add.get("add"), patch)


def runs(*pieces: str, vanish: bool = False):
    def setup(doc):
        p = doc.add_paragraph()
        for piece in pieces:
            run = p.add_run(piece)
            run.font.hidden = vanish or None
    return setup


def bookmark(name: str):
    """A bookmark named after the person (Word lists bookmark names in Insert > Bookmark)."""
    def setup(doc):
        from docx.oxml import parse_xml
        ns = f'xmlns:w="{W_NS}"'
        p = doc.paragraphs[0]._p
        p.insert(0, parse_xml(f'<w:bookmarkStart {ns} w:id="7" w:name="{name.replace(" ", "_")}"/>'))
        p.append(parse_xml(f'<w:bookmarkEnd {ns} w:id="7"/>'))
    return setup


def hyperlink(target: str):
    """Innocent link text whose target (in the part's relationships) names the person."""
    def setup(doc):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml import parse_xml
        rid = doc.part.relate_to(target, RT.HYPERLINK, is_external=True)
        r_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        doc.add_paragraph("Write to the officer.")._p.append(parse_xml(
            f'<w:hyperlink xmlns:w="{W_NS}" xmlns:r="{r_ns}" r:id="{rid}"><w:r><w:t>here</w:t></w:r></w:hyperlink>'))
    return setup


def header(name: str, footer: bool = False):
    def setup(doc):
        part = doc.sections[0].footer if footer else doc.sections[0].header
        part.paragraphs[0].text = f"Prepared by {name}"
    return setup


def docx_comment(name: str):
    def setup(doc):
        doc.add_comment(doc.paragraphs[0].runs, text=f"Check with {name}", author="Reviewer")
    return setup


def tracked(name: str, deleted: bool):
    def setup(doc):
        from docx.oxml import parse_xml
        ns = f'xmlns:w="{W_NS}"'
        p = doc.add_paragraph("Lead: ")
        xml = (f'<w:del {ns} w:id="91" w:author="Editor" w:date="2024-03-01T09:00:00Z"><w:r><w:delText>{name}'
               '</w:delText></w:r></w:del>' if deleted else
               f'<w:ins {ns} w:id="92" w:author="Editor" w:date="2024-03-01T09:00:00Z"><w:r><w:t>{name}</w:t>'
               '</w:r></w:ins>')
        p._p.append(parse_xml(xml))
    return setup


def alt_text(name: str):
    def setup(doc):
        from PIL import Image
        png = io.BytesIO()
        Image.new("RGB", (40, 30), (90, 120, 150)).save(png, "PNG")
        png.seek(0)
        doc.add_picture(png)
        doc.inline_shapes[0]._inline.docPr.set("descr", f"Photo of {name}")
    return setup


def custom_property(name: str):
    def setup(doc):
        custom = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.'
                  'openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.'
                  'openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-'
                  f'9397-08002B2CF9AE}}" pid="2" name="Source"><vt:lpwstr>{name}</vt:lpwstr></property>'
                  '</Properties>').encode()

        def patch(part: str, body: bytes) -> bytes:
            if part == "[Content_Types].xml":
                body = body.replace(b"</Types>", b'<Override PartName="/docProps/custom.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
                                    b"</Types>")
            elif part == "_rels/.rels":
                body = body.replace(b"</Relationships>", b'<Relationship Id="rIdC1" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/custom-properties" '
                                    b'Target="docProps/custom.xml"/></Relationships>')
            return body
        return {"add": {"docProps/custom.xml": custom}, "patch": patch}
    return setup


def core_author(name: str):
    def setup(doc):
        doc.core_properties.author = name
    return setup


# -- images -------------------------------------------------------------------------------------

SMALL_BOX = (Area(0, 2, 2, 20, 20),)


def photo(fmt: str = "JPEG", *, exif: dict | None = None, xmp: str | None = None,
          text: dict | None = None, itxt: dict | None = None, comment: str | None = None) -> bytes:
    """A small photo-like picture carrying metadata only."""
    import numpy as np
    from PIL import Image, PngImagePlugin
    rng = np.random.default_rng(7)
    img = Image.fromarray(rng.integers(60, 200, (120, 160, 3), dtype="uint8"))
    kw = {}
    if exif:
        e = Image.Exif()
        for tag, value in exif.items():
            e[tag] = value
        kw["exif"] = e
    if xmp:
        kw["xmp"] = xmp.encode()
    if comment:
        kw["comment"] = comment.encode()
    if text or itxt:
        info = PngImagePlugin.PngInfo()
        for k, v in (text or {}).items():
            info.add_text(k, v)
        for k, v in (itxt or {}).items():
            info.add_itxt(k, v)
        kw["pnginfo"] = info
    out = io.BytesIO()
    if fmt == "GIF":
        img = img.quantize(64)
    img.save(out, fmt, **({"quality": 90} if fmt == "JPEG" else {}), **kw)
    return out.getvalue()


def xmp_packet(creator: str) -> str:
    return ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq>'
            f'<rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>')


def name_plate(name: str, fmt: str = "PNG") -> tuple[bytes, tuple]:
    """A photo of a brass name plate on a wall: noise, a plate, the name engraved in dark letters."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont
    rng = np.random.default_rng(11)
    wall = rng.normal(150, 18, (420, 900, 3)).clip(0, 255).astype("uint8")
    img = Image.fromarray(wall).filter(ImageFilter.GaussianBlur(1))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((60, 120, 840, 300), radius=18, fill=(201, 168, 92), outline=(120, 90, 40), width=6)
    font = ImageFont.truetype(DEJAVU_BOLD, 52)
    x0, y0, x1, y1 = draw.textbbox((90, 180), name, font=font)
    draw.text((90, 180), name, font=font, fill=(40, 30, 20))
    out = io.BytesIO()
    img.save(out, fmt, **({"quality": 88} if fmt == "JPEG" else {}))
    return out.getvalue(), (Area(0, x0 - 8, y0 - 8, x1 + 8, y1 + 8),)
