"""What the PDF stamp draws: a band below the page, and a faint diagonal beneath its content.

The record's own page is never drawn over. The footer, the QR code and the
invisible text layer go in a band the page did not have (its box is extended
downwards as displayed); the diagonal code is drawn *under* the page's content,
as filled outlines rather than text, so it neither hides any ink nor merges
into the words a text extractor reads (see docs/watermarking.md).
"""
from __future__ import annotations

import math

import pikepdf
import segno
from pikepdf import Array, Dictionary, Name

from .engine import Stamp
from .glyphs import GLYPHS

STAMP_KEY = Name("/PortalDisclosureCode")
LAYER_PREFIX = "PORTAL-DISCLOSURE-CODE:"
QR_SIZE = 60.0      # points: an ID-only code of this size decodes from a 75 dpi render
PAD = 6.0


def scale_for(width: float, height: float) -> float:
    return min(1.0, width / 612.0, height / 612.0)


def band_height(width: float, height: float) -> float:
    """Height of the band added below a page of this displayed size: whole points, so
    the page's own area renders on the same pixel grid as before."""
    return float(math.ceil((QR_SIZE + 2 * PAD) * max(scale_for(width, height), 0.25)))


def _pdf_string(text: str) -> bytes:
    # WinAnsi covers the footer's middle dot; characters it lacks print as '?',
    # which leaves the code (pure ASCII) intact.
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def num(x: float) -> bytes:
    return (b"%.3f" % x).rstrip(b"0").rstrip(b".") or b"0"


def _qr_ops(code: str, x: float, y: float, size: float) -> bytes:
    """The QR code as filled rectangles, one per run of dark modules in a row."""
    matrix = segno.make(code, error="m", micro=False).matrix
    quiet = 2
    n = len(matrix) + 2 * quiet
    m = size / n
    ops = [b"0 g"]
    for r, row in enumerate(matrix):
        top = y + size - (r + quiet + 1) * m
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                ops.append(b" ".join([num(x + (start + quiet) * m), num(top), num((c - start) * m), num(m), b"re"]))
            else:
                c += 1
    ops.append(b"f")
    return b"\n".join(ops)


def _band_content(stamp: Stamp, width: float, band: float) -> bytes:
    """Footer and QR code in the band (0 <= y <= band), plus the invisible text layer."""
    qr = band - 2 * PAD * band / (QR_SIZE + 2 * PAD)
    pad = (band - qr) / 2
    room = max(width - 3 * pad - qr, 50.0)
    # Helvetica averages about half an em per character in the footer's mix.
    footer_size = max(3.0, min(7.0, room / (0.5 * len(stamp.footer))))
    layer_size = max(2.0, min(4.0, footer_size * 0.6))
    return b"\n".join([
        b"q 0 g BT /PortalF " + num(footer_size) + b" Tf " + num(pad) + b" " + num(band / 2) + b" Td "
        + _pdf_string(stamp.footer) + b" Tj ET Q",
        b"q BT 3 Tr /PortalF " + num(layer_size) + b" Tf " + num(pad) + b" " + num(pad) + b" Td "
        + _pdf_string(LAYER_PREFIX + stamp.code) + b" Tj ET Q",
        b"q " + _qr_ops(stamp.code, width - pad - qr, pad, qr) + b" Q",
    ])


def _outline(code: str) -> tuple[bytes, float]:
    """The code as filled outlines in glyph units (1000 per em), and its width."""
    ops, advance, total = [], 0, 0
    for c in code:
        wid, path = GLYPHS.get(c, GLYPHS["0"])
        ops.append(b"1 0 0 1 " + num(advance) + b" 0 cm " + path.encode() + b" f")
        advance = wid
        total += wid
    return b"q /PortalGS gs 0.5 g\n" + b"\n".join(ops) + b"\nQ", total


def diagonal_matrix(code: str, width: float, height: float) -> list[float]:
    """Where the outline goes on an upright page: corner to corner, centred."""
    ems = sum(GLYPHS.get(c, GLYPHS["0"])[0] for c in code) / 1000
    size = min(72.0, 0.6 * math.hypot(width, height) / ems)
    angle = math.atan2(height, width)
    cos, sin = math.cos(angle), math.sin(angle)
    half = ems * size / 2
    dx = width / 2 - cos * half + sin * size * 0.35
    dy = height / 2 - sin * half - cos * size * 0.35
    k = size / 1000
    return [cos * k, sin * k, -sin * k, cos * k, dx, dy]


def _xobject(pdf: pikepdf.Pdf, stamp: Stamp, content: bytes, width: float, height: float,
             resources: Dictionary) -> pikepdf.Stream:
    xobj = pikepdf.Stream(pdf, content)
    xobj.stream_dict.update({"/Type": Name.XObject, "/Subtype": Name.Form,
                             "/BBox": Array([0, 0, width, height]), "/Resources": resources})
    xobj.stream_dict[STAMP_KEY] = pikepdf.String(stamp.code)
    return pdf.make_indirect(xobj)


def band_object(pdf: pikepdf.Pdf, stamp: Stamp, width: float, band: float) -> pikepdf.Stream:
    font = Dictionary(PortalF=Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                         Encoding=Name.WinAnsiEncoding))
    return _xobject(pdf, stamp, _band_content(stamp, width, band), width, band, Dictionary(Font=font))


def diagonal_object(pdf: pikepdf.Pdf, stamp: Stamp) -> pikepdf.Stream:
    """One object for every page: each places it with diagonal_matrix for its size."""
    gs = Dictionary(PortalGS=Dictionary(Type=Name.ExtGState, ca=0.15, CA=0.15))
    content, width = _outline(stamp.code)
    return _xobject(pdf, stamp, content, width, 1000, Dictionary(ExtGState=gs))
