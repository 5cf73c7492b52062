"""CSV, XLSX and DOCX share one entry in the engine's table; the bytes say which
one a file is (a declared content type is often wrong for spreadsheets)."""
from __future__ import annotations

from typing import Sequence

from . import csvmark, docxmark, ooxml, xlsxmark
from .codeword import Codeword
from .engine import Finding, Stamp, WatermarkError


def _is_package(data: bytes) -> bool:
    if data[:8] == ooxml.CFB_MAGIC:
        raise WatermarkError("this is an encrypted (password-protected) Office file or a legacy .doc/.xls; "
                             "only unencrypted .docx/.xlsx can be marked")
    return data[:4] == b"PK\x03\x04"


def mark(original: bytes, stamp: Stamp) -> bytes:
    if not _is_package(original):
        return csvmark.mark(original, stamp)
    package = ooxml.Package(original, "the original")
    main = package.main_part()
    if main.startswith("word/"):
        docxmark.mark(package, stamp)
    elif main.startswith("xl/"):
        xlsxmark.mark(package, stamp)
    else:
        raise WatermarkError(f"unsupported Office package (main part {main}); expected a .docx or .xlsx")
    return package.save()


def read(candidate: bytes, original: bytes, candidates: Sequence[Codeword]) -> list[Finding]:
    if _is_package(original):
        return ooxml.read(candidate, original, candidates)
    return csvmark.read(candidate, original, candidates)
