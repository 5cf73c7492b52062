"""Exports a records office hands to others: spreadsheet-safe cells (the PDF report: core/pdftable.py)."""
from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")  # OWASP; ASVS 5.0 1.2.10 adds NUL

def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text

