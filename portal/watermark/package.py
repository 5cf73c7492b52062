"""Any other type, or any type when the stamp asks: a per-recipient ZIP holding
the original untouched and a DISCLOSURE.txt receipt.

The file itself carries no mark: the receipt and the ZIP comment name the
code, and the portal's SHA-256 of the delivered ZIP matches an untouched leak.
Entries are dated with the issue date and written with fixed attributes, so
the same original and stamp always give the same bytes. The receipt is
stored uncompressed, so its code can be found even in a damaged ZIP.
"""
from __future__ import annotations

import io
import posixpath
import re
import shutil
import zipfile
from typing import BinaryIO, Sequence

import filetype

from .codeword import Codeword
from .engine import Finding, Stamp
from .keyed import CODE_PATTERN_BYTES, Evidence, codes_in

RECEIPT = "DISCLOSURE.txt"
CHUNK = 1 << 20
_COMMENT_PREFIX = b"Disclosure code "
_RECEIPT_LINE = re.compile(rb"Disclosure code: (" + CODE_PATTERN_BYTES.pattern + rb")")
# Formats that are already compressed: deflating them again only costs time.
_STORED_MIME = ("image/", "video/", "audio/", "application/zip", "application/gzip", "application/x-7z",
                "application/x-rar", "application/x-bzip2", "application/x-xz", "application/pdf")


def receipt(stamp: Stamp, filename: str) -> str:
    return "\r\n".join([
        "DISCLOSURE RECEIPT",
        "",
        f"This archive holds a copy of a public record released through {stamp.portal_url}.",
        "",
        f"Released to: {stamp.recipient}",
        f"Request: {stamp.tracking_number}",
        f"Date: {stamp.issued.isoformat()}",
        f"File: {filename}",
        f"Disclosure code: {stamp.code}",
        "",
        "What is embedded and why: this copy was prepared for the recipient named above. The",
        "disclosure code is written in this receipt and in the archive's comment. The file itself",
        "is the record exactly as the agency holds it; it is not altered. The portal keeps a",
        "fingerprint (SHA-256) of this archive, so if a copy turns up where it should not, the",
        "portal can tell which release it came from. The code identifies the release, not the",
        "content, and carries no other personal data.",
        "",
    ])


def _info(name: str, stamp: Stamp, stored: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(stamp.issued.year, stamp.issued.month, stamp.issued.day, 0, 0, 0))
    info.create_system = 3          # fixed, not the platform's default
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    return info


def _safe_name(filename: str, head: bytes) -> str:
    name = posixpath.basename(filename.replace("\\", "/")).strip()
    name = re.sub(r"[\x00-\x1f]", "", name)
    if not name or name in (".", "..") or name == RECEIPT:
        name = "record." + (filetype.guess_extension(head) or "bin")
    return name


def _is_compressed(head: bytes) -> bool:
    kind = filetype.guess_mime(head) or ""
    return kind.startswith(_STORED_MIME)


def mark_stream(src: BinaryIO, dst: BinaryIO, filename: str, stamp: Stamp) -> None:
    """Write the wrapper for a file of any size in constant memory."""
    head = src.read(CHUNK)
    name = _safe_name(filename, head)
    size = None
    if src.seekable():
        here = src.tell()
        size = src.seek(0, io.SEEK_END) - here + len(head)
        src.seek(here)
    with zipfile.ZipFile(dst, "w") as zf:
        zf.comment = _COMMENT_PREFIX + stamp.code.encode() + b" - see " + RECEIPT.encode()
        zf.writestr(_info(RECEIPT, stamp, stored=True), receipt(stamp, name).encode("utf-8"))
        info = _info(name, stamp, stored=_is_compressed(head))
        if size is not None:
            info.file_size = size
        with zf.open(info, "w", force_zip64=size is None) as out:
            out.write(head)
            shutil.copyfileobj(src, out, CHUNK)


def mark(original: bytes, stamp: Stamp, filename: str = "") -> bytes:
    out = io.BytesIO()
    mark_stream(io.BytesIO(original), out, filename, stamp)
    return out.getvalue()


def is_wrapper(candidate: bytes) -> bool:
    if candidate[:4] != b"PK\x03\x04":
        return False
    try:
        return RECEIPT in zipfile.ZipFile(io.BytesIO(candidate)).namelist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return False


def read(candidate: bytes, original: bytes, candidates: Sequence[Codeword]) -> list[Finding]:
    """Codes in the receipt and the comment; the raw bytes are searched as well,
    so a truncated archive, or a receipt unpacked and passed on alone, still
    shows its code. Anything else gives no finding (the bare record has no mark)."""
    evidence = Evidence(candidates)
    try:
        archive = zipfile.ZipFile(io.BytesIO(candidate))
        evidence.add_all(codes_in(archive.comment), "ZIP comment")
        if RECEIPT in archive.namelist():
            evidence.add_all(codes_in(archive.read(RECEIPT)), "receipt")
            held = [n for n in archive.namelist() if n != RECEIPT]
            if held and archive.getinfo(held[0]).file_size == len(original) and archive.read(held[0]) == original:
                for f in evidence.findings():
                    evidence.add(f.codeword, "receipt", f"the enclosed {held[0]} is identical to the original")
    except (zipfile.BadZipFile, ValueError, EOFError, KeyError, OSError):
        pass
    if not evidence:
        for m in _RECEIPT_LINE.finditer(candidate):
            evidence.add_all(codes_in(m.group(1)), "receipt")
    return evidence.findings()
