"""Image metadata: EXIF (GPS above all), XMP and PNG text chunks. Pixels are never decoded."""
from __future__ import annotations

import io
import re

from . import Extract, Limits, Unreadable

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
# Tags whose text may name people: ImageDescription, Make, Model, Software, Artist, Copyright,
# UserComment, CameraOwnerName, BodySerialNumber, XPTitle..XPSubject.
TEXT_TAGS = (0x010E, 0x010F, 0x0110, 0x0131, 0x013B, 0x8298, 0x9286, 0xA430, 0xA431,
             0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F)
_XMP = re.compile(rb"<x:xmpmeta.*?</x:xmpmeta>", re.S)


def _text(value) -> str:
    if isinstance(value, bytes):
        if value[:8] in (b"ASCII\x00\x00\x00", b"UNICODE\x00"):
            value = value[8:]
        for enc in ("utf-16-le", "utf-8") if b"\x00" in value else ("utf-8",):
            try:
                return value.decode(enc).strip("\x00 ")
            except UnicodeDecodeError:
                continue
        return ""
    return str(value)


def _degrees(dms, ref) -> float | None:
    try:
        d, m, s = (float(x) for x in dms)
    except (TypeError, ValueError):
        return None
    value = d + m / 60 + s / 3600
    return -value if ref in ("S", "W") else value


def read(data: bytes, limits: Limits) -> Extract:
    from PIL import Image, UnidentifiedImageError
    try:
        img = Image.open(io.BytesIO(data))
        exif = img.getexif()
        info = dict(img.info)
    except Image.DecompressionBombError as exc:  # not an OSError: it escaped as a 500 at release
        raise Unreadable(f"the image has too many pixels to read safely ({exc})") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise Unreadable(f"the image cannot be read ({type(exc).__name__})") from exc
    out = Extract()
    gps = exif.get_ifd(GPS_IFD) if exif else {}
    if gps:
        lat, lon = _degrees(gps.get(2), gps.get(1)), _degrees(gps.get(4), gps.get(3))
        where = f"{lat:.5f}, {lon:.5f}" if lat is not None and lon is not None else "position present"
        out.find("gps", "EXIF GPS", where)
    if exif:
        texts = [_text(exif.get(t)) for t in TEXT_TAGS if exif.get(t)]
        texts += [_text(v) for t, v in exif.get_ifd(EXIF_IFD).items() if t in TEXT_TAGS]
        texts = [t for t in texts if t]
        if texts:  # orientation and exposure alone say nothing about anyone
            out.find("exif", "EXIF", "; ".join(texts)[:200])
            out.text(" | ".join(texts), "EXIF")
    xmp = info.get("xmp") or (info.get("XML:com.adobe.xmp") or "")
    if not xmp:
        found = _XMP.search(data[:4 * 1024 ** 2])
        xmp = found.group(0) if found else ""
    if xmp:
        xmp_text = xmp.decode("utf-8", "replace") if isinstance(xmp, bytes) else str(xmp)
        out.find("xmp", "XMP", f"{len(xmp_text):,} characters")
        out.text(re.sub(r"<[^>]+>", " ", xmp_text), "XMP")
    chunks = [f"{k}: {_text(v) if isinstance(v, bytes) else v}" for k, v in info.items()
              if isinstance(v, (str, bytes)) and k not in ("xmp", "XML:com.adobe.xmp", "exif", "icc_profile")]
    out.text(" | ".join(chunks), "image text fields and comments")
    return out
