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
from itertools import count

import pikepdf
from pikepdf import Array, Dictionary, Name

from .engine import Stamp, WatermarkError
from .pdfread import INFO_KEY, XMP_KEY, inherited as _inherited, open_pdf as _open, read  # noqa: F401 (read: the engine's interface)
from .pdfstamp import band_height, band_object, diagonal_matrix, diagonal_object, num


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


def mark(original: bytes, stamp: Stamp) -> bytes:
    pdf = _open(original, "the original", complete=True)
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
    # A PDF that opened without a password (encrypted only to restrict printing
    # or copying, common in government files) is marked from its decrypted
    # form: the copy is saved without the encryption, the record keeps its bytes.
    pdf.save(out, deterministic_id=True, compress_streams=True, encryption=False)
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
