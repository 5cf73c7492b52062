"""The engine's interface and the dispatch by content type.

Each format module exposes `mark(original: bytes, stamp) -> bytes` and
`read(candidate: bytes, original: bytes, candidates) -> list[Finding]`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from typing import Sequence

from .codeword import Codeword


class WatermarkError(Exception):
    """The input cannot be marked or read (malformed, truncated, encrypted, too large)."""


@dataclass(frozen=True)
class Stamp:
    codeword: Codeword
    recipient: str
    tracking_number: str
    issued: date
    portal_url: str
    image_stamp: str = "strip"         # "strip" (below the picture; "corner" is its old name) or "tiled"
    row_order_free: bool = False       # a release may say row order carries no meaning
    content_marks: bool = False        # opt-in marks that change a record's values
    wrap: bool = False                 # force the ZIP-with-receipt wrapper

    @property
    def code(self) -> str:
        return self.codeword.text

    @property
    def footer(self) -> str:
        return (f"Released to {self.recipient} \u00b7 request {self.tracking_number} \u00b7 "
                f"code {self.code} \u00b7 {self.issued.isoformat()} \u00b7 {self.portal_url}")


@dataclass
class Finding:
    codeword: Codeword
    marks: list[str] = field(default_factory=list)     # which mechanisms verified it
    bit_errors: int = 0
    false_match_probability: float = 0.0
    evidence: list[str] = field(default_factory=list)  # plain-words lines


_MODULES = {
    "application/pdf": "pdf",
    "image/jpeg": "image", "image/png": "image", "image/tiff": "image", "image/webp": "image",
    "text/csv": "tabular",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "tabular",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "tabular",
    "text/plain": "text",
}


def _module(content_type: str):
    # Import only the module a type needs: each pulls in heavy libraries, and a
    # missing optional one must not break every other format.
    name = _MODULES.get(content_type.split(";")[0].strip().lower(), "package")
    return import_module(f"{__package__}.{name}")


def supported(content_type: str) -> str:
    """Name of the format module that marks this type ("package" means the ZIP wrapper)."""
    return _module(content_type).__name__.rsplit(".", 1)[-1]


def mark(original: bytes, content_type: str, stamp: Stamp) -> bytes:
    from . import package
    module = package if stamp.wrap else _module(content_type)
    return module.mark(original, stamp)


# Formats whose copy just made can be checked where its marks were written, cheaply.
_EXACT_CHECKS = {"pdf": "pdfcheck"}


def has_exact_check(content_type: str) -> bool:
    return supported(content_type) in _EXACT_CHECKS


def verify(marked: bytes, original: bytes, content_type: str, stamp: Stamp) -> bool:
    """Whether a copy just marked carries stamp's code.

    A format with an exact check looks where its marks were written; any other
    is read back as attribution would read it.
    """
    name = supported(content_type)
    if name in _EXACT_CHECKS:
        return not import_module(f"{__package__}.{_EXACT_CHECKS[name]}").missing_marks(marked, stamp)
    return any(f.codeword == stamp.codeword for f in read(marked, original, content_type, [stamp.codeword]))


def read(candidate: bytes, original: bytes, content_type: str,
         candidates: Sequence[Codeword] = ()) -> list[Finding]:
    """Findings in candidate, each a codeword that verified; empty when none did."""
    from . import package
    module = _module(content_type)
    # A copy delivered in the wrapper (stamp.wrap) is not a file of its own type.
    if module is not package and package.is_wrapper(candidate):
        module = package
    findings = module.read(candidate, original, candidates)
    if not findings and module is not package:
        findings = package.read(candidate, original, candidates)
    return findings
