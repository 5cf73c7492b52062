"""PDF redaction: each redacted page is rebuilt as an image with the boxes painted in, plus an
invisible text layer made only of the characters that lay outside every box. Unredacted pages are
copied into a fresh file without annotations; the document's metadata, attachments, scripts, forms
and earlier revisions are never copied.
"""
from __future__ import annotations

import ctypes
import io
from dataclasses import dataclass

from ..matching import find_spans
from .geometry import Area, RedactionError, check_inside, draw_label

DEFAULT_DPI = 150
_SPACE = set(" \t\r\n\x00\x02\ufffe\u00a0")
_LINE_HYPHEN = set("\x02\ufffe")     # pdfium's hyphen at a line's end


@dataclass
class Char:
    text: str
    box: tuple[float, float, float, float]    # display points: x0, y0, x1, y1


def _open(data: bytes):
    import pypdfium2 as pdfium
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise RedactionError("This PDF cannot be read (damaged, or protected by a password).") from exc


class _View:
    """Maps pdfium's page coordinates to what a person sees (crop and rotation applied)."""

    def __init__(self, page):
        self.x0, self.y0, self.x1, self.y1 = page.get_cropbox()
        self.rotation = page.get_rotation() % 360
        self.width, self.height = page.get_size()

    def rect(self, left: float, bottom: float, right: float, top: float):
        a, b = self.point(left, bottom), self.point(right, top)
        return (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))

    def point(self, x: float, y: float) -> tuple[float, float]:
        r = self.rotation
        if r == 90:
            return y - self.y0, x - self.x0
        if r == 180:
            return self.x1 - x, y - self.y0
        if r == 270:
            return self.y1 - y, self.x1 - x
        return x - self.x0, self.y1 - y


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    doc = _open(data)
    try:
        return [doc[i].get_size() for i in range(len(doc))]
    finally:
        doc.close()


def render_page(data: bytes, index: int, dpi: int = 100) -> bytes:
    """One page as a PNG, for staff to draw boxes on."""
    doc = _open(data)
    try:
        if not 0 <= index < len(doc):
            raise RedactionError("There is no such page.")
        image = doc[index].render(scale=dpi / 72, may_draw_forms=False).to_pil()
        out = io.BytesIO()
        image.convert("RGB").save(out, "PNG", optimize=False, compress_level=3)
        return out.getvalue()
    finally:
        doc.close()


def _chars(textpage, view: _View) -> list[Char]:
    import pypdfium2.raw as raw
    n = textpage.count_chars()
    text = textpage.get_text_range() if n else ""
    if len(text) != n:  # characters outside the BMP: read one by one
        text = "".join(chr(raw.FPDFText_GetUnicode(textpage, i) or 0xFFFE) for i in range(n))
    rect = raw.FS_RECTF()
    out = []
    for i, c in enumerate(text):
        if raw.FPDFText_GetLooseCharBox(textpage, i, ctypes.byref(rect)):
            box = view.rect(rect.left, rect.bottom, rect.right, rect.top)
        else:
            box = (0.0, 0.0, 0.0, 0.0)
        out.append(Char(c, box))
    return out


def _span_areas(chars: list[Char], start: int, end: int, page: int, label: str) -> list[Area]:
    """One area per line a span covers."""
    areas, line = [], None
    for ch in chars[start:end]:
        if ch.text in _SPACE or ch.box[2] <= ch.box[0]:
            continue
        x0, y0, x1, y1 = ch.box
        if line and abs(y0 - line[1]) < (y1 - y0) * 0.5 and x0 >= line[0] - 1:
            line = [min(line[0], x0), min(line[1], y0), max(line[2], x1), max(line[3], y1)]
            areas[-1] = line
        else:
            line = [x0, y0, x1, y1]
            areas.append(line)
    return [Area(page, a[0] - 1, a[1] - 1, a[2] + 1, a[3] + 1, label) for a in areas]


def find_areas(data: bytes, terms=(), patterns=(), labels: dict | None = None) -> list[tuple[str, Area]]:
    """(term or pattern, area) covering every match, on every page: one area per line of a match."""
    labels = labels or {}
    doc = _open(data)
    try:
        found = []
        for index in range(len(doc)):
            page = doc[index]
            chars = _chars(page.get_textpage(), _View(page))
            text = "".join(c.text for c in chars)
            view = _View(page)
            for start, end, what in find_spans(text, terms, patterns):
                found += [(what, _on_page(a, view)) for a in _span_areas(chars, start, end, index,
                                                                       labels.get(what, ""))]
        return found
    finally:
        doc.close()


def _on_page(a: Area, view: _View) -> Area:
    """An area clipped to the visible page. Text found outside it (beyond the crop box) is not
    drawn, but its page must still be rebuilt so that the text goes: a dot in the corner."""
    x0, y0 = max(a.x0, 0.0), max(a.y0, 0.0)
    x1, y1 = min(a.x1, view.width), min(a.y1, view.height)
    if x1 - x0 < 0.5 or y1 - y0 < 0.5:
        return Area(a.page, 0.0, 0.0, 0.5, 0.5, "", a.mode)
    return Area(a.page, x0, y0, x1, y1, a.label, a.mode)


def _words(chars: list[Char], areas: list[Area], width: float = float("inf"),
           height: float = float("inf")) -> list[Char]:
    """The characters outside every area, grouped into words (one positioned string each)."""
    words: list[Char] = []
    current: Char | None = None
    for ch in chars:
        x0, y0, x1, y1 = ch.box
        if ch.text in _LINE_HYPHEN and current is not None:
            current.text += "-"     # a word broken at the line's end stays readable as one word
            continue
        gone = (ch.text in _SPACE or x1 <= x0 or y1 <= y0
                or x1 <= 0 or y1 <= 0 or x0 >= width or y0 >= height    # outside the visible page
                or any(a.intersects(x0, y0, x1, y1) for a in areas))
        if gone:
            current = None
            continue
        if current is not None:
            cx0, cy0, cx1, cy1 = current.box
            h = cy1 - cy0
            if abs(y0 - cy0) < h * 0.4 and -h * 0.2 <= x0 - cx1 < h * 0.3:
                current.text += ch.text
                current.box = (cx0, min(cy0, y0), max(cx1, x1), max(cy1, y1))
                continue
        current = Char(ch.text, ch.box)
        words.append(current)
    return words


def _text_layer(words: list[Char], height: float) -> bytes:
    """Invisible text (render mode 3), each word stretched to the width it had."""
    ops = [b"BT 3 Tr"]
    for w in words:
        x0, y0, x1, y1 = w.box
        size = max(y1 - y0, 1.0)
        codes = "".join(f"{min(ord(c), 0xFFFF):04X}" for c in w.text)
        scale = 100 * (x1 - x0) / (len(w.text) * 0.5 * size)
        baseline = height - y1 + size * 0.2
        ops.append(f"/F0 {size:.2f} Tf {scale:.2f} Tz 1 0 0 1 {x0:.2f} {baseline:.2f} Tm <{codes}> Tj"
                   .encode())
    ops.append(b"ET")
    return b"\n".join(ops)


_TO_UNICODE = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
               "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
               "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
               "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
               + "".join(f"{len(chunk)} beginbfrange\n"
                         + "".join(f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>\n" for h in chunk)
                         + "endbfrange\n"
                         for chunk in (range(0, 100), range(100, 200), range(200, 256)))
               + "endcmap CMapName currentdict /CMap defineresource pop end end\n")


def _font(pdf):
    """A font with no glyphs: two-byte codes are Unicode, every glyph half an em wide."""
    import pikepdf
    cid = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2,
                             BaseFont=pikepdf.Name.GlyphLessFont, DW=500,
                             CIDSystemInfo=pikepdf.Dictionary(Registry=pikepdf.String("Adobe"),
                                                              Ordering=pikepdf.String("Identity"),
                                                              Supplement=0),
                             FontDescriptor=pdf.make_indirect(pikepdf.Dictionary(
                                 Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name.GlyphLessFont,
                                 Flags=5, FontBBox=[0, -200, 500, 800], ItalicAngle=0, Ascent=800,
                                 Descent=-200, CapHeight=700, StemV=80)),
                             CIDToGIDMap=pikepdf.Name.Identity)
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=pikepdf.Name.GlyphLessFont,
        Encoding=pikepdf.Name("/Identity-H"), DescendantFonts=[pdf.make_indirect(cid)],
        ToUnicode=pdf.make_stream(_TO_UNICODE.encode())))


def _raster_page(out, font, page, areas: list[Area], dpi: int, whole: bool):
    import pikepdf
    from PIL import ImageDraw
    view = _View(page)
    k = dpi / 72
    # Never annotations: a FreeText name would be burned into the released pixels.
    image = page.render(scale=k, may_draw_forms=False, draw_annots=False).to_pil().convert("RGB")
    draw = ImageDraw.Draw(image)
    if whole:
        areas = [Area(0, 0, 0, view.width, view.height, areas[0].label if areas else "")]
    for a in areas:
        box = a.scaled(k)
        draw.rectangle(box, fill=(0, 0, 0))
        if a.label:
            draw_label(draw, box, a.label)
    jpeg = io.BytesIO()
    image.save(jpeg, "JPEG", quality=85)
    words = [] if whole else _words(_chars(page.get_textpage(), view), areas, view.width, view.height)
    w, h = view.width, view.height
    xobj = out.make_stream(jpeg.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                           Width=image.width, Height=image.height, ColorSpace=pikepdf.Name.DeviceRGB,
                           BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
    content = f"q {w:.3f} 0 0 {h:.3f} 0 0 cm /Im0 Do Q\n".encode() + _text_layer(words, h)
    return pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, w, h], Contents=out.make_stream(content),
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj),
                                     Font=pikepdf.Dictionary(F0=font)))


_PAGE_KEYS = ("/MediaBox", "/CropBox", "/Rotate", "/Resources", "/Contents", "/Group")
_INHERITED = ("/MediaBox", "/CropBox", "/Rotate", "/Resources")


def _inherited(obj, key):
    seen = 0
    while obj is not None and seen < 64:
        if key in obj:
            return obj[key]
        obj, seen = obj.get("/Parent"), seen + 1
    return None


def _vector_page(out, src, src_page):
    """The page's drawing only: no annotations, actions, thumbnails or page-level metadata."""
    import pikepdf
    keep = pikepdf.Dictionary(Type=pikepdf.Name.Page)
    for key in _PAGE_KEYS:
        value = _inherited(src_page.obj, key) if key in _INHERITED else src_page.obj.get(key)
        if isinstance(value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)):
            value = out.copy_foreign(value if value.is_indirect else src.make_indirect(value))
        if value is not None:
            keep[key] = value
    return keep


def redact(data: bytes, areas: list[Area], whole_pages: dict[int, str] | None = None,
           dpi: int = DEFAULT_DPI) -> bytes:
    """A new PDF: pages with areas (or whole-page redactions) rebuilt as images, the rest copied."""
    import pikepdf
    from .hidden import without_hidden_content
    whole_pages = whole_pages or {}
    try:
        visible = without_hidden_content(data)
    except pikepdf.PdfError as exc:
        raise RedactionError("This PDF cannot be read.") from exc
    doc = _open(visible)
    try:
        sizes = [doc[i].get_size() for i in range(len(doc))]
        by_page: dict[int, list[Area]] = {}
        for a in areas:
            if not 0 <= a.page < len(sizes):
                raise RedactionError(f"There is no page {a.page + 1}; the file has {len(sizes)}.")
            check_inside(a, *sizes[a.page])
            by_page.setdefault(a.page, []).append(a)
        for p in whole_pages:
            if not 0 <= p < len(sizes):
                raise RedactionError(f"There is no page {p + 1}; the file has {len(sizes)}.")
        try:
            src = pikepdf.open(io.BytesIO(data))
        except pikepdf.PdfError as exc:
            raise RedactionError("This PDF cannot be read.") from exc
        with src, pikepdf.new() as out:
            font = _font(out)
            for index in range(len(doc)):
                if index in by_page or index in whole_pages:
                    marks = by_page.get(index) or [Area(index, 0, 0, 1, 1, whole_pages.get(index, ""))]
                    page = _raster_page(out, font, doc[index], marks, dpi, index in whole_pages)
                else:
                    page = _vector_page(out, src, src.pages[index])
                out.pages.append(pikepdf.Page(page))
            buf = io.BytesIO()
            out.save(buf, deterministic_id=True, compress_streams=True,
                     object_stream_mode=pikepdf.ObjectStreamMode.generate)
            return buf.getvalue()
    finally:
        doc.close()


def ocr_areas(data: bytes, terms=(), patterns=(), labels: dict | None = None) -> list[tuple[str, Area]]:
    """(term or pattern, area) for what only OCR can see: scanned pages and pictures of text.
    Matched exactly and with OCR's usual errors tolerated (portal.screening.fuzzy)."""
    from ...screening import ocr
    from ..matching import fuzzy_spans
    labels = labels or {}
    if not (terms or patterns):
        return []
    pages = sorted(set(ocr.needs_ocr(data)) | opaque_pages(data))
    if not pages:
        return []
    try:
        read = ocr.ocr_pdf_pages(data, pages)
    except ocr.OcrFailed as exc:
        raise RedactionError(f"Scanned pages could not be read to find what to redact ({exc}).") from exc
    found = []
    for page in read:
        words = [w.text for w in page.words]
        hits = [(page.words_at(s, e), what) for s, e, what in find_spans(page.text, terms, patterns)]
        hits += [((first, last), what) for first, last, what in fuzzy_spans(words, terms, patterns)]
        for (first, last), what in hits:
            for box in page.line_boxes(first, last):
                x0, y0, x1, y1 = page.points(box)
                found.append((what, Area(page.page - 1, x0 - 1, y0 - 1, x1 + 1, y1 + 1, labels.get(what, ""))))
    return found


def opaque_pages(data: bytes) -> set[int]:
    """Pages (1-based) drawn with fonts that do not say which letters they draw: pdfium may find
    no text there, so OCR looks for what to redact."""
    import pikepdf
    from ...screening.readers.pdf_more import fonts, opaque_font
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return {n for n, page in enumerate(pdf.pages, 1)
                    if any(opaque_font(f) for f in fonts(page.get("/Resources")))}
    except pikepdf.PdfError as exc:
        raise RedactionError("This PDF cannot be read.") from exc
