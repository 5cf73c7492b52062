"""Clean copies: metadata removed without touching a single pixel, replacing the record.

Offered only where cleaning cannot change what the record says: JPEG and PNG metadata (EXIF
with GPS, XMP, comments, text chunks). Spreadsheets are not cleaned here: deleting a hidden
sheet or a comment can change the values formulas compute, silently; staff make the redacted
version in the source application and upload it as the replacement.
"""
from __future__ import annotations

import io
import struct
import zlib

from .. import audit
from ..auth.models import User
from ..core import storage as files
from ..core.errors import Invalid, NotFound, Unprocessable
from ..extensions import db
from ..record_requests.services import get_managed
from ..records.models import Record

CLEANABLE = {"image/jpeg", "image/png"}
_JPEG_DROP = {0xE1, 0xE2, 0xEC, 0xED, 0xFE}   # APP1 (EXIF, XMP), APP2 (FlashPix; ICC kept), APP12-13, COM
_PNG_DROP = {b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"}


class NotCleanable(Exception):
    pass


def _orientation_exif(data: bytes) -> bytes | None:
    """A minimal EXIF block keeping only the orientation, so the photo still shows upright."""
    from PIL import Image
    try:
        orientation = Image.open(io.BytesIO(data)).getexif().get(0x0112, 1)
    except Exception:
        return None
    if orientation in (None, 1):
        return None
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def strip_jpeg(data: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise NotCleanable("not a JPEG")
    out, i = [b"\xff\xd8"], 2
    keep_orientation = _orientation_exif(data)
    if keep_orientation:
        block = keep_orientation if keep_orientation.startswith(b"Exif") else b"Exif\x00\x00" + keep_orientation
        out.append(b"\xff\xe1" + struct.pack(">H", len(block) + 2) + block)
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise NotCleanable("damaged JPEG")
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            out.append(data[i:])
            return b"".join(out)
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        segment = data[i:i + 2 + length]
        if marker not in _JPEG_DROP or (marker == 0xE2 and segment[4:16] == b"ICC_PROFILE\x00"):
            out.append(segment)
        i += 2 + length
    raise NotCleanable("damaged JPEG")


def strip_png(data: bytes) -> bytes:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise NotCleanable("not a PNG")
    out, i = [data[:8]], 8
    while i + 8 <= len(data):
        length = struct.unpack(">I", data[i:i + 4])[0]
        kind = data[i + 4:i + 8]
        chunk = data[i:i + 12 + length]
        if len(chunk) < 12 + length or zlib.crc32(chunk[4:8 + length]) != struct.unpack(">I", chunk[-4:])[0]:
            raise NotCleanable("damaged PNG")
        if kind not in _PNG_DROP:
            out.append(chunk)
        i += 12 + length
        if kind == b"IEND":
            return b"".join(out)
    raise NotCleanable("damaged PNG")


def cleanable(record: Record) -> bool:
    return record.content_type in CLEANABLE


def clean_copy(actor: User, record_id: int, *, max_size: int) -> Record:
    """Upload the cleaned bytes as the record's replacement; the original stays, withheld."""
    from ..records.services import upload
    record = db.session.get(Record, record_id)
    if record is None:
        raise NotFound("No such record.")
    get_managed(actor, record.request_id)
    if not cleanable(record):
        raise Invalid("A clean copy is made only of JPEG and PNG photos (their metadata).",
                      fields={"record": "type"})
    with files.storage().open(record.blob.key) as fh:
        data = fh.read()
    try:
        cleaned = (strip_jpeg if record.content_type == "image/jpeg" else strip_png)(data)
    except NotCleanable as exc:
        raise Unprocessable(f"The photo could not be cleaned: {exc}.") from exc
    if cleaned == data:
        raise Invalid("This photo carries no metadata to remove.", fields={"record": "clean"})
    copy = upload(actor, record.request_id, io.BytesIO(cleaned), record.filename, replaces_id=record.id,
                  max_size=max_size)
    record.exemption = "Replaced by a copy without metadata (GPS, EXIF, XMP)"
    audit.record(actor, "record.clean_copy", f"record:{copy.id}",
                 {"original": record.id, "original_sha256": record.blob.sha256, "sha256": copy.blob.sha256,
                  "removed": "EXIF (GPS), XMP, comments" if record.content_type == "image/jpeg"
                  else "eXIf, text chunks, tIME"})
    return copy
