"""The redaction engine: pure functions over bytes (no Flask, no database).

Coordinates are what a person sees: points (PDF) or pixels (images), origin at the top left of the
page as displayed (after the page's rotation and crop).
"""
from __future__ import annotations

from . import image, pdf, sheet  # noqa: F401
from .geometry import Area, RedactionError  # noqa: F401
from .sheet import XLSX
from .verify import Plan, Report, verify  # noqa: F401

# What each kind of file can be redacted by.
KINDS = {"application/pdf": "pdf", "image/jpeg": "image", "image/png": "image", "image/tiff": "image",
         "image/webp": "image", "image/gif": "image", XLSX: "sheet", "text/csv": "sheet"}


def kind_of(content_type: str) -> str | None:
    return KINDS.get(content_type)


def redact(content_type: str, data: bytes, plan: Plan, *, dpi: int = 150) -> tuple[bytes, str, Plan]:
    """The redacted file, its content type, and the plan completed with the areas found by search."""
    kind = kind_of(content_type)
    if kind == "pdf":
        found = pdf.find_areas(data, list(plan.terms), list(plan.patterns), plan.labels)
        found += pdf.ocr_areas(data, list(plan.terms), list(plan.patterns), plan.labels)
        for what, _area in found:
            plan.counts[what] = plan.counts.get(what, 0) + 1
        plan.areas = plan.areas + [area for _what, area in found]
        return pdf.redact(data, plan.areas, plan.whole_pages, dpi=dpi), content_type, plan
    if kind == "image":
        out, out_type = image.redact(data, plan.areas)
        return out, out_type, plan
    if kind == "sheet":
        plan.counts = sheet.count_matches(data, content_type, plan.rules)
        if content_type == "text/csv":
            return sheet.redact_csv(data, plan.rules), content_type, plan
        return sheet.redact_xlsx(data, plan.rules), content_type, plan
    raise RedactionError("The portal cannot redact this kind of file.")
