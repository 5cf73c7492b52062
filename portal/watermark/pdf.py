"""PDF: a band added below every page with the footer, QR code and an invisible
text layer; a faint diagonal code beneath each page's content; and metadata.

The page's own content is never drawn over (see pdfstamp). The stamp objects
(one band and one diagonal per displayed page size, shared by every page of
that size) carry the code under a private key, and the document info and XMP
carry it too. Reading checks every mechanism and reports the ones that
verified, because each survives a different treatment: qpdf keeps them all,
Ghostscript and page extraction keep only what is drawn (see
/work/shared/notes/watermarking.md).
"""
from __future__ import annotations

import io
import re
from itertools import count
from typing import Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name

from .codeword import Codeword
from .engine import Finding, Stamp, WatermarkError
from .keyed import CODE_PATTERN, Evidence, codes_in
from .pdfstamp import LAYER_PREFIX, STAMP_KEY, band_height, band_object, diagonal_matrix, diagonal_object, num

XMP_KEY = "{http://ns.records-portal.invalid/watermark/1.0/}DisclosureCode"
INFO_KEY = Name("/PortalDisclosureCode")


def _inherited(obj: pikepdf.Dictionary, key: str):
    seen = 0
    while obj is not None and seen < 64:
        if key in obj:
            return obj[key]
        obj = obj.get("/Parent")
        seen += 1
    return None


def _visible_box(page: pikepdf.Page) -> tuple[float, float, float, float]:
    box = _inherited(page.obj, "/CropBox") or _inherited(page.obj, "/MediaBox")
    if box is None or len(box) != 4:
        raise WatermarkError("malformed PDF: a page has no MediaBox")
    x0, y0, x1, y1 = (float(v) for v in box)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _placement(page: pikepdf.Page) -> tuple[tuple[float, float], list[float]]:
    """Displayed size of the visible box, and the matrix that puts an upright
    stamp of that size onto the page however /Rotate turns it."""
    x0, y0, x1, y1 = _visible_box(page)
    rotate = int(_inherited(page.obj, "/Rotate") or 0) % 360
    w, h = x1 - x0, y1 - y0
    if rotate == 90:
        return (h, w), [0, 1, -1, 0, x1, y0]
    if rotate == 180:
        return (w, h), [-1, 0, 0, -1, x1, y1]
    if rotate == 270:
        return (h, w), [0, -1, 1, 0, x0, y1]
    return (w, h), [1, 0, 0, 1, x0, y0]


def _extend(page: pikepdf.Page, matrix: list[float], width: float, band: float) -> list[float]:
    """Grow the page's boxes by the band below the page as displayed; the band's matrix.

    On a rotated page the band goes on whichever side of the unrotated box the
    rotation brings to the bottom: the band's corners are mapped through the
    page's matrix rather than worked out per rotation.
    """
    a, b, c, d, e, f = matrix
    e, f = e - c * band, f - d * band
    x0, y0, x1, y1 = _visible_box(page)
    xs = [x0, x1, e, a * width + e]
    ys = [y0, y1, f, b * width + f]
    media = _inherited(page.obj, "/MediaBox")
    if media is not None and len(media) == 4:
        xs += [float(media[0]), float(media[2])]
        ys += [float(media[1]), float(media[3])]
    page.obj.MediaBox = Array([round(v, 3) for v in (min(xs), min(ys), max(xs), max(ys))])
    if _inherited(page.obj, "/CropBox") is not None:  # absent, it is the MediaBox: fewer bytes per page
        xs, ys = [x0, x1, e, a * width + e], [y0, y1, f, b * width + f]
        page.obj.CropBox = Array([round(v, 3) for v in (min(xs), min(ys), max(xs), max(ys))])
    return [a, b, c, d, e, f]


def _open(data: bytes, what: str, complete: bool = False) -> pikepdf.Pdf:
    if b"%PDF-" not in data[:1024]:
        raise WatermarkError(f"{what} is not a PDF (no %PDF- header)")
    # qpdf reconstructs a truncated file without complaint; a record must not be
    # released in a state its agency did not produce, so refuse it instead.
    if complete and b"%%EOF" not in data[-2048:]:
        raise WatermarkError(f"{what} is a truncated PDF: no %%EOF marker at the end of the file")
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise WatermarkError(f"{what} is encrypted with a password; it cannot be opened") from None
    except pikepdf.PdfError as exc:
        raise WatermarkError(f"{what} is a broken PDF: {exc}") from None
    try:
        len(pdf.pages)
    except pikepdf.PdfError as exc:
        raise WatermarkError(f"{what} is a broken PDF: its page tree cannot be read ({exc})") from None
    return pdf


def mark(original: bytes, stamp: Stamp) -> bytes:
    pdf = _open(original, "the original", complete=True)
    if pdf.is_encrypted:
        raise WatermarkError("encrypted PDF: remove the encryption before release so the copy can be marked")
    if len(pdf.pages) == 0:
        raise WatermarkError("malformed PDF: it has no pages")
    # One band per displayed page size, normally a single one for the whole
    # document, and one diagonal outline: every page draws the same objects.
    stamps: dict[tuple[float, float], tuple[Name, pikepdf.Stream, float]] = {}
    names = _free_names(pdf)
    diag_name, diag_xobj = next(names), diagonal_object(pdf, stamp)
    shared: dict[bytes, pikepdf.Stream] = {}

    def stream(data: bytes) -> pikepdf.Stream:
        if data not in shared:
            shared[data] = pdf.make_indirect(pikepdf.Stream(pdf, data))
        return shared[data]

    for page in pdf.pages:
        size, matrix = _placement(page)
        size = (round(size[0], 3), round(size[1], 3))
        if size not in stamps:
            band = band_height(*size)
            stamps[size] = (next(names), band_object(pdf, stamp, size[0], band), band)
        band_name, band_xobj, band = stamps[size]
        x0, y0, x1, y1 = _visible_box(page)
        band_matrix = _extend(page, matrix, size[0], band)
        _attach(page, band_name, band_xobj)
        _attach(page, diag_name, diag_xobj)
        # The diagonal goes beneath the content; the content is then clipped to
        # the box it had, so nothing it drew outside that box shows in the band.
        # The q ... Q pair isolates the page's own graphics state, which a
        # content stream may leave transformed.
        opening = (b"q " + b" ".join(num(v) for v in matrix) + b" cm "
                   + b" ".join(num(v) for v in diagonal_matrix(stamp.code, *size)) + b" cm "
                   + str(diag_name).encode() + b" Do Q\nq "
                   + b" ".join(num(v) for v in (x0, y0, x1 - x0, y1 - y0)) + b" re W n\n")
        closing = (b"\nQ q " + b" ".join(num(v) for v in band_matrix) + b" cm " + str(band_name).encode()
                   + b" Do Q\n")
        page.contents_add(stream(opening), prepend=True)
        page.contents_add(stream(closing))
    pdf.docinfo[INFO_KEY] = pikepdf.String(stamp.code)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta[XMP_KEY] = stamp.code
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()


def _free_names(pdf: pikepdf.Pdf):
    """Resource names no page uses yet (a copy released earlier may be marked already)."""
    taken = {str(name) for page in pdf.pages
             for name in page.obj.get("/Resources", Dictionary()).get("/XObject", Dictionary()).keys()}
    return (Name(f"/PortalStamp{i}") for i in count() if f"/PortalStamp{i}" not in taken)


def _attach(page: pikepdf.Page, name: Name, xobj: pikepdf.Stream) -> None:
    """Add the stamp to the resources the page uses, inherited ones included:
    pages sharing a dictionary share the one entry."""
    resources = _inherited(page.obj, "/Resources")
    if resources is None:
        page.obj.Resources = resources = Dictionary()
    if "/XObject" not in resources:
        resources.XObject = Dictionary()
    resources.XObject[name] = xobj


def _metadata_codes(pdf: pikepdf.Pdf) -> dict[str, set[Codeword]]:
    found: dict[str, set[Codeword]] = {"document info": set(), "XMP": set(), "stamp object": set()}
    try:
        found["document info"] |= codes_in(str(pdf.docinfo.get(INFO_KEY, "")))
    except (pikepdf.PdfError, ValueError):
        pass
    if "/Metadata" in pdf.Root:
        try:
            found["XMP"] |= codes_in(pdf.Root.Metadata.read_bytes())
        except pikepdf.PdfError:
            pass
    for page in pdf.pages:
        xobjects = page.obj.get("/Resources", Dictionary()).get("/XObject", Dictionary())
        for _, xobj in xobjects.items():
            if isinstance(xobj, pikepdf.Stream) and STAMP_KEY in xobj.stream_dict:
                found["stamp object"] |= codes_in(str(xobj.stream_dict[STAMP_KEY]))
    return found


_TEXT_MARKS = re.compile(r"(" + re.escape(LAYER_PREFIX) + r"\s*|code\s+)?(" + CODE_PATTERN.pattern + r")")


def page_texts(data: bytes, what: str = "the candidate"):
    """(page number, text) of every page, by pdfium: the exact channels need
    only the characters, and pdfium reads a 200-page file in a tenth of the
    time pypdf's layout-aware extraction takes."""
    import pypdfium2 as pdfium  # imported here: only reading needs it

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise WatermarkError(f"the text of {what} cannot be read: {exc}") from None
    try:
        for i in range(len(doc)):
            try:
                page = doc[i]
                text = page.get_textpage().get_text_range()
            except pdfium.PdfiumError:  # one unreadable page must not hide marks on the others
                continue
            yield i + 1, text
    finally:
        doc.close()


def _text_codes(data: bytes, what: str = "the candidate") -> dict[str, dict[Codeword, list[int]]]:
    """Codes in the extracted text of each page, by the mark that printed them.

    Copies marked before the band existed printed the diagonal as text; a code
    with neither the layer's prefix nor "code" before it is that diagonal.
    """
    found: dict[str, dict[Codeword, list[int]]] = {"text layer": {}, "footer": {}, "diagonal": {}}
    for number, text in page_texts(data, what):
        for m in _TEXT_MARKS.finditer(text):
            word = Codeword.from_text(m.group(2))
            if not word.is_valid:
                continue
            prefix = (m.group(1) or "").strip()
            kind = "text layer" if prefix.startswith(LAYER_PREFIX[:8]) else "footer" if prefix else "diagonal"
            pages_seen = found[kind].setdefault(word, [])
            if not pages_seen or pages_seen[-1] != number:
                pages_seen.append(number)
    return found


def read(candidate: bytes, original: bytes, candidates: Sequence[Codeword]) -> list[Finding]:
    pdf = _open(candidate, "the candidate")
    evidence = Evidence(candidates)
    for mark_name, words in _metadata_codes(pdf).items():
        evidence.add_all(words, mark_name)
    for mark_name, words in _text_codes(candidate).items():
        for word, pages in words.items():
            shown = ", ".join(map(str, pages[:10])) + (" ..." if len(pages) > 10 else "")
            evidence.add(word, mark_name, f"{mark_name}: code {word.text} on page(s) {shown}")
    # A code the original itself prints (a record quoting a code) names no recipient.
    inherent = {w for marks in _text_codes(original, "the original").values() for w in marks} if evidence else set()
    return evidence.findings(exclude=inherent)
