"""A laid-out PDF table, for reports handed to others (the report for counsel): a heading block, a
table whose header repeats on every page, text wrapped at spaces (a word is split only when it is
wider than its whole column), full-width notes under a row, and "page n of N" on every page.

Drawn with pikepdf and the PDF's standard fonts (Helvetica, Courier: nothing to embed); text is
WinAnsi, so it stays searchable and copyable. Widths come from the fonts' published metrics.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

# Advance widths (1/1000 em) of printable ASCII, 32..126, from Adobe's Helvetica AFM files.
_HELVETICA = [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, *[556] * 10,
              278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667,
              556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278,
              469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
              556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584]
_BOLD = [278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, *[556] * 10,
         333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611,
         833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
         333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389,
         556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584]
FONTS = {"F1": ("Helvetica", _HELVETICA), "F2": ("Helvetica-Bold", _BOLD), "F3": ("Courier", None)}
PAGE_W, PAGE_H, MARGIN = 792, 612, 40  # US Letter, landscape: the table needs the width
PAD, LEADING = 3, 1.25


def text_width(text: str, font: str, size: float) -> float:
    widths = FONTS[font][1]
    if widths is None:  # Courier: every glyph is 600
        return len(text) * 0.6 * size
    return sum(widths[ord(c) - 32] if 32 <= ord(c) <= 126 else 556 for c in text) * size / 1000


def wrap(text: str, width: float, font: str = "F1", size: float = 8) -> list[str]:
    """`text` in lines no wider than `width`, broken at spaces; an explicit newline starts a line."""
    lines: list[str] = []
    for paragraph in (text or "").split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, font, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while text_width(word, font, size) > width:  # longer than the column: no other way
                cut = max(1, next(i for i in range(len(word), 0, -1) if text_width(word[:i], font, size) <= width))
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


@dataclass
class Column:
    title: str
    width: float          # points
    font: str = "F1"


@dataclass
class Row:
    cells: list[str]
    note: str = ""        # a full-width line under the row (a fingerprint), in Courier
    shaded: bool = False


@dataclass
class Report:
    title: str
    heading: list[tuple[str, str]]        # (label, value) lines above the table
    columns: list[Column]
    rows: list[Row]
    footer: str
    empty: str = "Nothing to list."
    size: float = 8


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _text(x: float, y: float, font: str, size: float, text: str) -> bytes:
    return b"BT /%s %.2f Tf %.2f %.2f Td %s Tj ET" % (font.encode(), size, x, y, _pdf_string(text))


class _Canvas:
    def __init__(self, report: Report) -> None:
        self.r = report
        self.pages: list[list[bytes]] = []
        self.y = 0.0

    def new_page(self, with_head: bool = True) -> None:
        self.pages.append([])
        self.y = PAGE_H - MARGIN
        if with_head:
            self.table_head()

    def emit(self, op: bytes) -> None:
        self.pages[-1].append(op)

    def line(self, y: float, gray: float = 0) -> None:
        self.emit(b"%.2f G 0.5 w %d %.2f m %d %.2f l S 0 G" % (gray, MARGIN, y, PAGE_W - MARGIN, y))

    def table_head(self) -> None:
        size = self.r.size
        heights = [wrap(c.title, c.width - 2 * PAD, "F2", size) for c in self.r.columns]
        h = max(map(len, heights)) * size * LEADING + 2 * PAD
        x = MARGIN
        for col, lines in zip(self.r.columns, heights):
            for i, text in enumerate(lines):
                self.emit(_text(x + PAD, self.y - PAD - size - i * size * LEADING, "F2", size, text))
            x += col.width
        self.y -= h
        self.line(self.y)

    def row(self, row: Row) -> None:
        size = self.r.size
        cells = [wrap(text, col.width - 2 * PAD, col.font, size) for col, text in zip(self.r.columns, row.cells)]
        notes = wrap(row.note, PAGE_W - 2 * MARGIN - 2 * PAD, "F3", size - 1) if row.note else []
        h = max(map(len, cells)) * size * LEADING + len(notes) * (size - 1) * LEADING + 2 * PAD
        if self.y - h < MARGIN + 20:
            self.new_page()
        if row.shaded:
            self.emit(b"0.95 g %d %.2f %d %.2f re f 0 g" % (MARGIN, self.y - h, PAGE_W - 2 * MARGIN, h))
        x = MARGIN
        for col, lines in zip(self.r.columns, cells):
            for i, text in enumerate(lines):
                self.emit(_text(x + PAD, self.y - PAD - size - i * size * LEADING, col.font, size, text))
            x += col.width
        top = self.y - PAD - max(map(len, cells)) * size * LEADING
        for i, text in enumerate(notes):
            self.emit(_text(MARGIN + PAD, top - (size - 1) * (i + 1) * LEADING, "F3", size - 1, text))
        self.y -= h
        self.line(self.y, 0.7)


def render(report: Report) -> bytes:
    import pikepdf
    canvas = _Canvas(report)
    canvas.new_page(with_head=False)
    canvas.emit(_text(MARGIN, canvas.y - 16, "F2", 16, report.title))
    canvas.y -= 30
    label_w = max((text_width(label, "F2", 9) for label, _ in report.heading), default=0) + 8
    for label, value in report.heading:
        font = "F3" if label.startswith("Fingerprint") else "F1"
        lines = wrap(value, PAGE_W - 2 * MARGIN - label_w, font, 9)
        canvas.emit(_text(MARGIN, canvas.y - 9, "F2", 9, label))
        for i, text in enumerate(lines):
            canvas.emit(_text(MARGIN + label_w, canvas.y - 9 - i * 12, font, 9, text))
        canvas.y -= 12 * len(lines) + 2
    canvas.y -= 10
    canvas.table_head()
    for row in report.rows:
        canvas.row(row)
    if not report.rows:
        canvas.emit(_text(MARGIN + PAD, canvas.y - 14, "F1", 9, report.empty))

    pdf = pikepdf.new()
    fonts = pikepdf.Dictionary({f"/{key}": pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name("/" + name),
        Encoding=pikepdf.Name.WinAnsiEncoding)) for key, (name, _) in FONTS.items()})
    total = len(canvas.pages)
    for n, ops in enumerate(canvas.pages, 1):
        foot = f"{report.footer} - page {n} of {total}"
        ops = ops + [_text(MARGIN, MARGIN - 18, "F1", 7, foot)]
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, PAGE_W, PAGE_H],
                                  Contents=pdf.make_stream(b"\n".join(ops)),
                                  Resources=pikepdf.Dictionary(Font=fonts))
        pdf.pages.append(pikepdf.Page(page))
    pdf.docinfo["/Title"] = report.title
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()
