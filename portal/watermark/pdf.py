"""PDF: one shared stamp (a Form XObject) overlaid on every page, plus metadata.

The stamp draws a visible footer, a faint diagonal code, an invisible text
layer (render mode 3) and an ID-only QR code; its dictionary carries the code
under a private key. The document info and XMP carry it too. Reading checks
every mechanism and reports the ones that verified, because each survives a
different treatment: qpdf keeps them all, Ghostscript and page extraction keep
only what is drawn (see /work/shared/notes/watermarking.md).
"""
from __future__ import annotations

import io
import math
import re
from itertools import count
from typing import Sequence

import pikepdf
import segno
from pikepdf import Array, Dictionary, Name

from .codeword import Codeword
from .engine import Finding, Stamp, WatermarkError
from .keyed import CODE_PATTERN, Evidence, codes_in

XMP_KEY = "{http://ns.records-portal.invalid/watermark/1.0/}DisclosureCode"
INFO_KEY = Name("/PortalDisclosureCode")
STAMP_KEY = Name("/PortalDisclosureCode")
LAYER_PREFIX = "PORTAL-DISCLOSURE-CODE:"
MARGIN = 18.0
QR_SIZE = 72.0     # about an inch: decodes from a 75 dpi render (notes)
# Helvetica advance widths (per 1000 em) of the characters a code uses, to centre the diagonal.
_WIDTHS = dict.fromkeys("0123456789", 556) | dict.fromkeys("ABEKPSVXY", 667) | dict.fromkeys(
    "CDHNR", 722) | dict.fromkeys("FTZ", 611) | {"G": 778, "Q": 778, "J": 500, "M": 833, "W": 944, "-": 333}


def _pdf_string(text: str) -> bytes:
    # WinAnsi covers the footer's middle dot; characters it lacks print as '?',
    # which leaves the code (pure ASCII) intact.
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _num(x: float) -> bytes:
    return (b"%.3f" % x).rstrip(b"0").rstrip(b".") or b"0"


def _qr_ops(code: str, x: float, y: float, size: float) -> bytes:
    """The QR code as filled rectangles, one per run of dark modules in a row,
    on a white square so it decodes over any page content."""
    matrix = segno.make(code, error="m", micro=False).matrix
    quiet = 2
    n = len(matrix) + 2 * quiet
    m = size / n
    ops = [b"1 g", b" ".join([_num(x), _num(y), _num(size), _num(size), b"re f"]), b"0 g"]
    for r, row in enumerate(matrix):
        top = y + size - (r + quiet + 1) * m
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                ops.append(b" ".join([_num(x + (start + quiet) * m), _num(top),
                                      _num((c - start) * m), _num(m), b"re"]))
            else:
                c += 1
    ops.append(b"f")
    return b"\n".join(ops)


def _stamp_content(stamp: Stamp, width: float, height: float) -> bytes:
    code = stamp.code
    scale = min(1.0, width / 612.0, height / 612.0)
    margin, qr = MARGIN * scale, QR_SIZE * scale
    # Helvetica averages about half an em per character in the footer's mix.
    room = max(width - 3 * margin - qr, 50.0)
    footer_size = max(3.0, min(7.0, room / (0.5 * len(stamp.footer))))
    diagonal = math.hypot(width, height)
    ems = sum(_WIDTHS.get(c, 667) for c in code) / 1000
    diag_size = min(72.0, 0.6 * diagonal / ems)
    angle = math.atan2(height, width)
    cos, sin = math.cos(angle), math.sin(angle)
    half = ems * diag_size / 2
    dx = width / 2 - cos * half + sin * diag_size * 0.35
    dy = height / 2 - sin * half - cos * diag_size * 0.35
    return b"\n".join([
        b"q /PortalGS gs 0.5 g BT /PortalF " + _num(diag_size) + b" Tf "
        + b" ".join(_num(v) for v in (cos, sin, -sin, cos, dx, dy)) + b" Tm "
        + _pdf_string(code) + b" Tj ET Q",
        b"q 0 g BT /PortalF " + _num(footer_size) + b" Tf " + _num(margin) + b" "
        + _num(margin * 0.67) + b" Td " + _pdf_string(stamp.footer) + b" Tj ET Q",
        # The invisible layer sits mid-page, away from the margins a crop removes.
        b"q BT 3 Tr /PortalF 4 Tf " + _num(margin) + b" " + _num(height / 2) + b" Td "
        + _pdf_string(LAYER_PREFIX + code) + b" Tj ET Q",
        b"q " + _qr_ops(code, width - margin - qr, margin * 0.67, qr) + b" Q",
    ])


def _stamp_object(pdf: pikepdf.Pdf, stamp: Stamp, width: float, height: float) -> pikepdf.Stream:
    resources = Dictionary(
        Font=Dictionary(PortalF=Dictionary(Type=Name.Font, Subtype=Name.Type1,
                                          BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding)),
        ExtGState=Dictionary(PortalGS=Dictionary(Type=Name.ExtGState, ca=0.15, CA=0.15)),
    )
    xobj = pikepdf.Stream(pdf, _stamp_content(stamp, width, height))
    xobj.stream_dict.update({"/Type": Name.XObject, "/Subtype": Name.Form,
                             "/BBox": Array([0, 0, width, height]), "/Resources": resources})
    xobj.stream_dict[STAMP_KEY] = pikepdf.String(stamp.code)
    return pdf.make_indirect(xobj)


def _inherited(obj: pikepdf.Dictionary, key: str):
    seen = 0
    while obj is not None and seen < 64:
        if key in obj:
            return obj[key]
        obj = obj.get("/Parent")
        seen += 1
    return None


def _placement(page: pikepdf.Page) -> tuple[tuple[float, float], list[float]]:
    """Displayed size of the visible box, and the matrix that puts an upright
    stamp of that size onto the page however /Rotate turns it."""
    box = _inherited(page.obj, "/CropBox") or _inherited(page.obj, "/MediaBox")
    if box is None or len(box) != 4:
        raise WatermarkError("malformed PDF: a page has no MediaBox")
    x0, y0, x1, y1 = (float(v) for v in box)
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    rotate = int(_inherited(page.obj, "/Rotate") or 0) % 360
    w, h = x1 - x0, y1 - y0
    if rotate == 90:
        return (h, w), [0, 1, -1, 0, x1, y0]
    if rotate == 180:
        return (w, h), [-1, 0, 0, -1, x1, y1]
    if rotate == 270:
        return (h, w), [0, -1, 1, 0, x0, y1]
    return (w, h), [1, 0, 0, 1, x0, y0]


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
    # One stamp object per displayed page size, normally a single one for the
    # whole document: every page draws the same object.
    stamps: dict[tuple[float, float], tuple[Name, pikepdf.Stream]] = {}
    names = _free_names(pdf)
    opening = pdf.make_indirect(pikepdf.Stream(pdf, b"q\n"))
    closings: dict[bytes, pikepdf.Stream] = {}
    for page in pdf.pages:
        size, matrix = _placement(page)
        size = (round(size[0], 3), round(size[1], 3))
        if size not in stamps:
            stamps[size] = (next(names), _stamp_object(pdf, stamp, *size))
        name, xobj = stamps[size]
        _attach(page, name, xobj)
        closing = b"\nQ q " + b" ".join(_num(v) for v in matrix) + b" cm " + str(name).encode() + b" Do Q\n"
        # The opening q and the closing Q isolate the page's own graphics state,
        # which a content stream may leave transformed.
        page.contents_add(opening, prepend=True)
        if closing not in closings:
            closings[closing] = pdf.make_indirect(pikepdf.Stream(pdf, closing))
        page.contents_add(closings[closing])
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


def _text_codes(candidate: bytes) -> dict[str, dict[Codeword, list[int]]]:
    """Codes in the extracted text of each page, by the mark that printed them."""
    import pypdf  # imported here: only reading needs it

    found: dict[str, dict[Codeword, list[int]]] = {"text layer": {}, "footer": {}, "diagonal": {}}
    try:
        reader = pypdf.PdfReader(io.BytesIO(candidate), strict=False)
        pages = list(reader.pages)
    except Exception as exc:  # pypdf raises many types for a damaged file
        raise WatermarkError(f"the candidate's text cannot be read: {exc}") from None
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception:  # one unreadable page must not hide marks on the others
            continue
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
    inherent = {w for marks in _text_codes(original).values() for w in marks} if evidence else set()
    return evidence.findings(exclude=inherent)
