"""Files to redact, made here: a text PDF, a scan-like PDF, a photo with GPS, workbooks."""
from __future__ import annotations

import io


def text_pdf(pages: list[list[str]], info: dict | None = None) -> bytes:
    import pikepdf
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for lines in pages:
        text = " ".join("(" + ln.replace("(", r"\(").replace(")", r"\)") + ") Tj T*" for ln in lines)
        content = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td 16 TL {text} ET".encode())
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792], Contents=content,
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))))
    for k, v in (info or {}).items():
        pdf.docinfo[k] = v
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def scan_pdf() -> bytes:
    """One page that is only an image: white, with a red block where a name would be."""
    import pikepdf
    from PIL import Image, ImageDraw
    img = Image.new("RGB", (850, 1100), "white")
    ImageDraw.Draw(img).rectangle((100, 100, 400, 160), fill=(220, 30, 30))
    jpeg = io.BytesIO()
    img.save(jpeg, "JPEG")
    pdf = pikepdf.new()
    xobj = pdf.make_stream(jpeg.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                           Width=850, Height=1100, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
                           Filter=pikepdf.Name.DCTDecode)
    pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792],
        Contents=pdf.make_stream(b"q 612 0 0 792 0 0 cm /Im0 Do Q"),
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj)))))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def photo_with_gps() -> bytes:
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(3)
    img = Image.fromarray(rng.integers(0, 255, (240, 320, 3), dtype="uint8"))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (37.0, 46.0, 30.0), 3: "W", 4: (122.0, 25.0, 10.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def workbook() -> bytes:
    """A roster with a hidden sheet, a hidden column, a hidden row, a comment and a defined name."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.workbook.defined_name import DefinedName
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Roster"
    ws.append(["Name", "Badge", "Unit", "Home phone"])
    ws.append(["Ana Diaz", 1234, "Patrol", "555-201-3344"])
    ws.append(["Bo Chen", 5678, "Undercover", "555-201-9876"])
    ws.append(["Cy Ode", 9012, "Records", "555-201-1111"])
    ws.column_dimensions["D"].hidden = True
    ws.row_dimensions[3].hidden = True
    ws["A2"].comment = Comment("Ana's home address is 12 Elm St", "hr")
    secret = wb.create_sheet("Undercover officers")
    secret.append(["Name", "Cover identity"])
    secret.append(["Dee Fox", "Rita Lane"])
    secret.sheet_state = "hidden"
    wb.defined_names["covers"] = DefinedName("covers", attr_text="'Undercover officers'!$A$1:$B$2")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
