"""Exports a records office hands to others: spreadsheet-safe cells and a plain PDF report."""
from __future__ import annotations

import io

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")  # OWASP; ASVS 5.0 1.2.10 adds NUL


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _pdf_string(text: str) -> bytes:
    raw = text.encode("latin-1", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_report(title: str, lines: list[str], footer: str) -> bytes:
    """A paginated monospace PDF of `lines`: plain, searchable, fit to hand to counsel."""
    import pikepdf
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Courier,
                                                Encoding=pikepdf.Name.WinAnsiEncoding))
    wrapped = []
    for line in lines:
        while len(line) > 95:
            wrapped.append(line[:95])
            line = "    " + line[95:]
        wrapped.append(line)
    per_page = 60
    pages = [wrapped[i:i + per_page] for i in range(0, len(wrapped), per_page)] or [[]]
    for n, chunk in enumerate(pages, 1):
        ops = [b"BT /F1 13 Tf 50 750 Td " + _pdf_string(title) + b" Tj ET", b"BT /F1 8 Tf 50 730 Td 10 TL"]
        ops += [_pdf_string(line) + b" Tj T*" for line in chunk]
        ops.append(b"ET")
        ops.append(b"BT /F1 7 Tf 50 30 Td " + _pdf_string(f"{footer} - page {n} of {len(pages)}") + b" Tj ET")
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792],
                                  Contents=pdf.make_stream(b"\n".join(ops)),
                                  Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))
        pdf.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()
