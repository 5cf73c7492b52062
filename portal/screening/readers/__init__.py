"""Readers: every place a file keeps text, and the hygiene findings about what it hides.

Pure: bytes in, an Extract out; no Flask. Each reader is bounded by `Limits`: a hostile file
yields an `unreadable` or `too_large` finding, never a hang or a crash.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 256 * 1024 ** 2        # a file larger than this is not read (finding: too_large)
    max_unzipped: int = 512 * 1024 ** 2     # total uncompressed size of an OOXML package
    max_zip_ratio: int = 200                # uncompressed / compressed, per member
    max_zip_members: int = 5000
    max_pages: int = 2000
    max_revisions: int = 10                 # earlier PDF revisions read
    max_cells: int = 5_000_000
    max_sheet_xml: int = 64 * 1024 ** 2     # worksheet XML a workbook may hold (openpyxl loads it all)
    max_text: int = 64 * 1024 ** 2          # characters kept from one file
    max_depth: int = 3                      # embedded files inside embedded files
    max_embedded: int = 50


@dataclass
class Segment:
    """A piece of text and where it is. `locate(offset)` names a finer place (a table's cell),
    computed only for the few offsets that match."""
    text: str
    where: str
    locate: Callable[[int], str] | None = None
    cells: str | None = None        # a table's cell delimiter (one row a line): split names are found
    fallback: bool = False          # a catch-all read (a package's raw parts): its matches only
                                    # count for terms no other place of the file showed

    def where_at(self, offset: int) -> str:
        return self.locate(offset) if self.locate else self.where


def column_name(col: int) -> str:
    """1 -> A, 27 -> AA."""
    name = ""
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


@dataclass
class Finding:
    """Something hidden or risky, with or without a list match. `detail` is shown to staff."""
    kind: str
    where: str
    detail: str = ""


@dataclass
class Embedded:
    name: str
    data: bytes
    where: str


@dataclass
class Extract:
    segments: list[Segment] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    embedded: list[Embedded] = field(default_factory=list)
    ocr_pages: set[int] = field(default_factory=set)    # pages whose text the extractors cannot trust

    def text(self, text: str, where: str, locate: Callable[[int], str] | None = None, *,
             cells: str | None = None, fallback: bool = False) -> None:
        if text and text.strip():
            self.segments.append(Segment(text, where, locate, cells, fallback))

    def find(self, kind: str, where: str, detail: str = "") -> None:
        self.findings.append(Finding(kind, where, detail))


class Unreadable(Exception):
    """The file cannot be read safely; the message says why, in plain words."""


FINDING_LABELS = {
    "hidden_sheet": "Hidden sheet",
    "very_hidden_sheet": "Very hidden sheet (not listed by Excel's Unhide)",
    "hidden_rows": "Hidden rows",
    "hidden_columns": "Hidden columns",
    "comments": "Comments or notes",
    "defined_names": "Defined names",
    "external_links": "Links to other workbooks",
    "tracked_changes": "Tracked changes (inserted or deleted text still in the file)",
    "gps": "GPS position in the photo",
    "exif": "Camera metadata (EXIF)",
    "xmp": "XMP metadata",
    "pdf_revisions": "Earlier revisions kept by incremental saves",
    "text_under_box": "Text under a drawn box (a redaction that did not remove the text)",
    "embedded_file": "Embedded file",
    "javascript": "JavaScript",
    "unreadable": "Could not be read",
    "too_large": "Too large to screen",
    "screening_in_progress": "Screening in progress (OCR in the worker)",
    "ocr_failed": "OCR could not read the file (retried by the worker)",
    "faces": "Photos showing faces",
}


def check_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """An OOXML package, after refusing zip bombs: too many members, too large, too compressed."""
    import io
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unreadable(f"not a readable package ({exc})") from exc
    if len(infos) > limits.max_zip_members:
        raise Unreadable(f"{len(infos)} parts inside; the limit is {limits.max_zip_members}")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 ** 2 and info.file_size > limits.max_zip_ratio * max(info.compress_size, 1):
            raise Unreadable(f"{info.filename} expands {info.file_size // max(info.compress_size, 1)} times "
                             "(a zip bomb?)")
    if total > limits.max_unzipped:
        raise Unreadable(f"expands to {total:,} bytes; the limit is {limits.max_unzipped:,}")
    return zf


def read(data: bytes, content_type: str, limits: Limits = Limits()) -> Extract:
    """The text and findings of one file. Raises Unreadable for a file that cannot be read safely."""
    from . import docx, image, pdf, text, xlsx
    if len(data) > limits.max_bytes:
        raise Unreadable(f"{len(data):,} bytes; files over {limits.max_bytes:,} bytes are not screened")
    readers = {
        "application/pdf": pdf.read,
        "text/csv": text.read_csv,
        "text/plain": text.read_plain,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": xlsx.read,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": docx.read,
    }
    reader = readers.get(content_type)
    if reader is None and content_type.startswith("image/"):
        reader = image.read
    if reader is None:
        return Extract()    # audio, video, archives: nothing this screen can read (said on the page)
    return reader(data, limits)
