"""PDF builders for the screening corpus: each returns (bytes, boxes), where `boxes` are the areas
(display points, top-left origin, as the redaction engine takes them) covering the name when it is
drawn on a page, or covering the filler line when the name hides somewhere else.

Made by hand with pikepdf (content streams written out), so each file holds exactly one hiding place.
"""
from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from portal.redaction.engine.geometry import Area

W, H = 612, 792
FILLER = "Quarterly staffing report"
FILLER_BOX = (Area(0, 68, H - 720 - 14, 240, H - 720 + 5),)
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def lit(text: str) -> bytes:
    """A PDF literal string in WinAnsi (cp1252): accents as single bytes, as the standard fonts show them."""
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def line_box(x: float, y: float, text: str, size: float = 12, page: int = 0) -> Area:
    """A generous box over one line of Helvetica at baseline (x, y) in PDF coordinates."""
    return Area(page, x - 2, H - y - size * 1.1, min(x + len(text) * size * 0.62 + 4, W), H - y + size * 0.4)


def _fonts(pdf) -> Dictionary:
    def std(base):
        return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name(base),
                                            Encoding=Name.WinAnsiEncoding))
    return Dictionary(F1=std("/Helvetica"), F2=std("/Courier"))


def save(pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def new_page(ops: bytes, *, filler: bool = True, resources: dict | None = None, pdf=None):
    """A one-page PDF (or a page added to `pdf`) with the filler line and `ops` after it."""
    pdf = pdf if pdf is not None else pikepdf.new()
    head = b"BT /F1 12 Tf 72 720 Td " + lit(FILLER) + b" Tj ET\n" if filler else b""
    res = Dictionary(Font=_fonts(pdf))
    for k, v in (resources or {}).items():
        res[k] = v
    page = pdf.add_blank_page(page_size=(W, H))
    page.obj.Contents = pdf.make_stream(head + ops)
    page.obj.Resources = res
    return pdf, page


def text_at(text: str, x: float = 72, y: float = 690, size: float = 12, font: str = "F1",
            pre: bytes = b"") -> bytes:
    return b"BT " + pre + f" /{font} {size} Tf {x} {y} Td ".encode() + lit(text) + b" Tj ET\n"


def plain(text: str, **kw) -> tuple[bytes, tuple]:
    pdf, _ = new_page(text_at(text, **kw))
    return save(pdf), (line_box(kw.get("x", 72), kw.get("y", 690), text, kw.get("size", 12)),)


def lines(first: str, second: str) -> tuple[bytes, tuple]:
    """Two lines: a name broken across them (by a hyphen, a soft hyphen or nothing)."""
    ops = b"BT /F1 12 Tf 72 690 Td 14 TL " + lit(first) + b" Tj T* " + lit(second) + b" Tj ET\n"
    pdf, _ = new_page(ops)
    return save(pdf), (line_box(72, 690, first), line_box(72, 676, second))


def per_glyph(text: str) -> tuple[bytes, tuple]:
    """Each letter by its own Tm and Tj (Courier: 7.2 points a letter); no space characters at all."""
    ops = [b"BT /F2 12 Tf"]
    for i, ch in enumerate(text):
        if ch != " ":
            ops.append(f"1 0 0 1 {72 + i * 7.2:.1f} 690 Tm ".encode() + lit(ch) + b" Tj")
    ops.append(b"ET\n")
    pdf, _ = new_page(b"\n".join(ops))
    return save(pdf), (line_box(72, 690, text),)


def kerned(parts: list) -> tuple[bytes, tuple]:
    """One TJ with kerning numbers between pieces (a large negative number reads as a space)."""
    body = b" ".join(lit(p) if isinstance(p, str) else str(p).encode() for p in parts)
    pdf, _ = new_page(b"BT /F1 12 Tf 72 690 Td [" + body + b"] TJ ET\n")
    text = "".join(p for p in parts if isinstance(p, str)) + "   "
    return save(pdf), (line_box(72, 690, text),)


def truetype_without_tounicode(text: str) -> tuple[bytes, tuple]:
    """A subset of DejaVu Sans embedded as a CID font with glyph ids as codes and no ToUnicode:
    only the font's own cmap says which letters they are."""
    import logging

    from fontTools import subset
    from fontTools.ttLib import TTFont
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM NOT subset" is expected
    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = []
    font = TTFont(DEJAVU)
    sub = subset.Subsetter(options)
    sub.populate(text=text)
    sub.subset(font)
    buf = io.BytesIO()
    font.recalcTimestamp = False
    font.save(buf)
    cmap, hmtx, upem = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
    gids = [font.getGlyphID(cmap[ord(c)]) for c in text]
    widths = {g: round(hmtx[font.getGlyphOrder()[g]][0] * 1000 / upem) for g in gids}
    pdf = pikepdf.new()
    descriptor = pdf.make_indirect(Dictionary(
        Type=Name.FontDescriptor, FontName=Name("/ABCDEF+DejaVuSans"), Flags=4,
        FontBBox=[-1021, -463, 1793, 1232], ItalicAngle=0, Ascent=928, Descent=-236, CapHeight=729,
        StemV=80, FontFile2=pdf.make_stream(buf.getvalue())))
    cid = pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name("/ABCDEF+DejaVuSans"),
        CIDSystemInfo=Dictionary(Registry=String("Adobe"), Ordering=String("Identity"), Supplement=0),
        FontDescriptor=descriptor, CIDToGIDMap=Name.Identity, DW=600,
        W=Array([x for g in sorted(widths) for x in (g, Array([widths[g]]))])))
    type0 = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/ABCDEF+DejaVuSans"),
                                         Encoding=Name("/Identity-H"), DescendantFonts=[cid]))
    codes = "".join(f"{g:04X}" for g in gids)
    pdf, page = new_page(f"BT /T0 12 Tf 72 690 Td <{codes}> Tj ET\n".encode(), pdf=pdf)
    page.obj.Resources.Font.T0 = type0
    return save(pdf), (line_box(72, 690, text),)


def actual_text(name: str, shown: str) -> tuple[bytes, tuple]:
    ops = (b"/Span << /ActualText " + lit(name) + b" >> BDC\n" + text_at(shown) + b"EMC\n")
    pdf, _ = new_page(ops)
    return save(pdf), (line_box(72, 690, shown),)


def under_box(text: str) -> tuple[bytes, tuple]:
    box = line_box(72, 690, text)
    ops = text_at(text) + f"q 0 g 70 684 {len(text) * 7.5:.0f} 18 re f Q\n".encode()
    pdf, _ = new_page(ops)
    return save(pdf), (box,)


def optional_content_off(text: str) -> tuple[bytes, tuple]:
    pdf = pikepdf.new()
    ocg = pdf.make_indirect(Dictionary(Type=Name.OCG, Name=String("Internal notes")))
    pdf.Root.OCProperties = Dictionary(OCGs=[ocg], D=Dictionary(OFF=[ocg], Order=[ocg]))
    ops = b"/OC /oc1 BDC\n" + text_at(text) + b"EMC\n"
    pdf, _ = new_page(ops, pdf=pdf, resources={"/Properties": Dictionary(oc1=ocg)})
    return save(pdf), (line_box(72, 690, text),)


def crop_hidden(text: str) -> tuple[bytes, tuple]:
    """Drawn below the crop box: no viewer shows it, some extractors read it."""
    pdf, page = new_page(text_at(text, y=40))
    page.obj.CropBox = [0, 100, W, H]
    return save(pdf), FILLER_BOX   # the name lies outside the page as shown: no box can reach it


def form_xobject(text: str) -> tuple[bytes, tuple]:
    pdf = pikepdf.new()
    xobj = pdf.make_stream(b"BT /F1 12 Tf 0 0 Td " + lit(text) + b" Tj ET", Type=Name.XObject,
                           Subtype=Name.Form, BBox=[0, -5, 400, 20],
                           Resources=Dictionary(Font=_fonts(pdf)))
    pdf, _ = new_page(b"q 1 0 0 1 72 690 cm /Fm0 Do Q\n", pdf=pdf,
                      resources={"/XObject": Dictionary(Fm0=xobj)})
    return save(pdf), (line_box(72, 690, text),)


def rotated(text: str) -> tuple[bytes, tuple]:
    """Text running up the page from (300, 300)."""
    ops = b"BT /F1 12 Tf 0 1 -1 0 300 300 Tm " + lit(text) + b" Tj ET\n"
    pdf, _ = new_page(ops)
    length = len(text) * 12 * 0.62 + 4
    return save(pdf), (Area(0, 285, H - 300 - length, 304, H - 300 + 3),)


def annotation_contents(text: str) -> tuple[bytes, tuple]:
    pdf, page = new_page(b"")
    page.obj.Annots = pdf.make_indirect(Array([pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Text, Rect=[400, 600, 420, 620], Contents=String(text),
        T=String("Reviewer")))]))
    return save(pdf), FILLER_BOX


def _appearance(pdf, text: str, width: float = 260, height: float = 20):
    return pdf.make_stream(b"BT /F1 10 Tf 2 6 Td " + lit(text) + b" Tj ET", Type=Name.XObject,
                           Subtype=Name.Form, BBox=[0, 0, width, height], Resources=Dictionary(Font=_fonts(pdf)))


def freetext_appearance_only(text: str) -> tuple[bytes, tuple]:
    """A FreeText annotation whose /Contents says nothing: the name is only drawn by its appearance."""
    pdf, page = new_page(b"")
    page.obj.Annots = pdf.make_indirect(Array([pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.FreeText, Rect=[72, 600, 332, 620], Contents=String(""),
        DA=String("/Helv 10 Tf 0 g"), AP=Dictionary(N=_appearance(pdf, text))))]))
    return save(pdf), (Area(0, 70, H - 622, 334, H - 598),)


def form_value_on_parent(text: str) -> tuple[bytes, tuple]:
    """A text field whose value sits on the parent field; the page's widget is a kid without /V."""
    pdf, page = new_page(b"")
    parent = pdf.make_indirect(Dictionary(FT=Name.Tx, T=String("officer"), V=String(text)))
    widget = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, Rect=[72, 600, 332, 620],
                                          Parent=parent, P=page.obj, F=4,
                                          AP=Dictionary(N=_appearance(pdf, text))))
    parent.Kids = [widget]
    page.obj.Annots = pdf.make_indirect(Array([widget]))
    pdf.Root.AcroForm = Dictionary(Fields=[parent], DA=String("/Helv 10 Tf 0 g"),
                                   DR=Dictionary(Font=Dictionary(Helv=_fonts(pdf).F1)))
    return save(pdf), (Area(0, 70, H - 622, 334, H - 598),)


def outline(title: str) -> tuple[bytes, tuple]:
    pdf, _ = new_page(b"")
    with pdf.open_outline() as out:
        out.root.append(pikepdf.OutlineItem(title, 0))
    return save(pdf), FILLER_BOX


def page_label(prefix: str) -> tuple[bytes, tuple]:
    pdf, _ = new_page(b"")
    pdf.Root.PageLabels = Dictionary(Nums=[0, Dictionary(S=Name.D, P=String(prefix))])
    return save(pdf), FILLER_BOX


def structure_alt(alt: str) -> tuple[bytes, tuple]:
    pdf, page = new_page(b"/Figure << /MCID 0 >> BDC q 0.8 g 72 500 100 80 re f Q EMC\n")
    figure = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Figure, Alt=String(alt), Pg=page.obj, K=0))
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=[figure]))
    figure.P = root
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    page.obj.StructParents = 0
    return save(pdf), FILLER_BOX


def docinfo(key: str, value: str) -> tuple[bytes, tuple]:
    pdf, _ = new_page(b"")
    pdf.docinfo[key] = value
    return save(pdf), FILLER_BOX


def xmp(creator: str) -> tuple[bytes, tuple]:
    pdf, _ = new_page(b"")
    packet = ('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
              '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
              'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>'
              f'{creator}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>'
              '<?xpacket end="w"?>')
    pdf.Root.Metadata = pdf.make_stream(packet.encode(), Type=Name.Metadata, Subtype=Name.XML)
    return save(pdf), FILLER_BOX


def scanned(pages: int, name_page: int, name: str) -> tuple[bytes, tuple]:
    """Pages that are only images (150 dpi JPEGs); the name is drawn into page `name_page` (1-based)."""
    from PIL import Image, ImageDraw, ImageFont
    k = 72 / 150
    big = ImageFont.truetype(DEJAVU, 34)
    small = ImageFont.truetype(DEJAVU, 24)
    pdf = pikepdf.new()
    boxes = []
    for n in range(1, pages + 1):
        img = Image.new("L", (1275, 1650), 250)
        draw = ImageDraw.Draw(img)
        if n == 1:  # the other pages are blank, so OCR of the corpus stays quick
            draw.text((150, 150), f"{FILLER}, page {n} of {pages}", font=small, fill=20)
        if n == name_page:
            draw.text((150, 400), name, font=big, fill=10)
            x0, y0, x1, y1 = draw.textbbox((150, 400), name, font=big)
            boxes.append(Area(n - 1, x0 * k - 4, y0 * k - 4, x1 * k + 4, y1 * k + 4))
        jpeg = io.BytesIO()
        img.save(jpeg, "JPEG", quality=80)
        xobj = pdf.make_stream(jpeg.getvalue(), Type=Name.XObject, Subtype=Name.Image, Width=1275,
                               Height=1650, ColorSpace=Name.DeviceGray, BitsPerComponent=8, Filter=Name.DCTDecode)
        page = pdf.add_blank_page(page_size=(W, H))
        page.obj.Contents = pdf.make_stream(f"q {W} 0 0 {H} 0 0 cm /Im0 Do Q".encode())
        page.obj.Resources = Dictionary(XObject=Dictionary(Im0=xobj))
    return save(pdf), tuple(boxes)


def text_as_paths(text: str) -> tuple[bytes, tuple]:
    """The name drawn as filled glyph outlines (DejaVu Sans), no text at all: only OCR reads it."""
    from fontTools.pens.basePen import BasePen
    from fontTools.ttLib import TTFont
    font = TTFont(DEJAVU)
    glyphs, cmap, upem = font.getGlyphSet(), font.getBestCmap(), font["head"].unitsPerEm
    size, x, y = 14.0, 72.0, 690.0
    k = size / upem
    ops: list[str] = []

    class Pen(BasePen):
        def __init__(self, dx):
            super().__init__(glyphs)
            self.dx = dx

        def p(self, pt):
            return f"{self.dx + pt[0] * k:.2f} {y + pt[1] * k:.2f}"

        def _moveTo(self, pt):
            ops.append(f"{self.p(pt)} m")

        def _lineTo(self, pt):
            ops.append(f"{self.p(pt)} l")

        def _curveToOne(self, a, b, c):
            ops.append(f"{self.p(a)} {self.p(b)} {self.p(c)} c")

        def _closePath(self):
            ops.append("h")
    for ch in text:
        name = cmap[ord(ch)]
        glyphs[name].draw(Pen(x))
        x += glyphs[name].width * k
    pdf, _ = new_page(("0 g\n" + "\n".join(ops) + "\nf\n").encode())
    return save(pdf), (Area(0, 70, H - y - size * 1.1, x + 4, H - y + size * 0.4),)


def image_on_text_page(text: str) -> tuple[bytes, tuple]:
    """A text page that also shows a picture of a badge with the name on it."""
    from PIL import Image, ImageDraw, ImageFont
    img = Image.new("L", (900, 120), 235)
    draw = ImageDraw.Draw(img)
    draw.text((20, 30), text, font=ImageFont.truetype(DEJAVU, 52), fill=15)
    jpeg = io.BytesIO()
    img.save(jpeg, "JPEG", quality=85)
    pdf = pikepdf.new()
    xobj = pdf.make_stream(jpeg.getvalue(), Type=Name.XObject, Subtype=Name.Image, Width=900, Height=120,
                           ColorSpace=Name.DeviceGray, BitsPerComponent=8, Filter=Name.DCTDecode)
    pdf, _ = new_page(b"q 300 0 0 40 72 560 cm /Im1 Do Q\n", pdf=pdf, resources={"/XObject": Dictionary(Im1=xobj)})
    return save(pdf), (Area(0, 70, H - 602, 374, H - 558),)


def link_uri(uri: str) -> tuple[bytes, tuple]:
    pdf, page = new_page(text_at("Staff directory entry"))
    page.obj.Annots = pdf.make_indirect(Array([pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Link, Rect=[72, 685, 220, 702], Border=[0, 0, 0],
        A=Dictionary(S=Name.URI, URI=String(uri))))]))
    return save(pdf), FILLER_BOX


def annotation_author(author: str) -> tuple[bytes, tuple]:
    pdf, page = new_page(b"")
    page.obj.Annots = pdf.make_indirect(Array([pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Text, Rect=[400, 600, 420, 620], Contents=String("Approved."),
        T=String(author)))]))
    return save(pdf), FILLER_BOX


def named_destination(name: str) -> tuple[bytes, tuple]:
    pdf, page = new_page(b"")
    pdf.Root.Names = Dictionary(Dests=Dictionary(Names=[String(name), Array([page.obj, Name.Fit])]))
    return save(pdf), FILLER_BOX


def permissions_only_encrypted(text: str) -> tuple[bytes, tuple]:
    """Encrypted with an owner password and an empty user password (opens without asking)."""
    pdf, _ = new_page(text_at(text))
    out = io.BytesIO()
    pdf.save(out, static_id=True, encryption=pikepdf.Encryption(
        owner="owner-secret", user="", R=3, aes=False, metadata=False, allow=pikepdf.Permissions(extract=False)))
    return out.getvalue(), (line_box(72, 690, text),)
