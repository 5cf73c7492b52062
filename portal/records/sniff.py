"""Decide a file's type from its bytes, never from its name."""
from __future__ import annotations

import csv
import io

import filetype

OOXML = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ALLOWED_BINARY = {
    "application/pdf", "image/jpeg", "image/png", "image/tiff", "image/webp", "image/gif",
    "application/zip", "audio/mpeg", "video/mp4", "application/gzip", *OOXML.values(),
}


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


def _looks_like_csv(text: str) -> bool:
    lines = [ln for ln in text.splitlines()[:20] if ln.strip()]
    if len(lines) < 2:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|")
    except csv.Error:
        return False
    widths = {len(row) for row in csv.reader(io.StringIO("\n".join(lines[:-1] or lines)), dialect)}
    return len(widths) == 1 and widths.pop() >= 2


def sniff(head: bytes) -> str | None:
    """The content type of a file starting with `head` (at least 8 KB), or None if refused."""
    kind = filetype.guess(head)
    if kind is not None:
        if kind.extension in OOXML:
            return OOXML[kind.extension]
        return kind.mime if kind.mime in ALLOWED_BINARY else None
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if _is_text(head):
        return "text/csv" if _looks_like_csv(head.decode("utf-8", "ignore")) else "text/plain"
    return None
