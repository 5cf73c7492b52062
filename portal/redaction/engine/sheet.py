"""Spreadsheet and CSV redaction: whole columns, whole rows, or the matching text in cells.

The output is a new workbook holding only what a reader could see: visible sheets, visible rows
and columns, and values (formulas are replaced by their last computed value, because a formula can
reach into what was removed). Comments, defined names, document properties, data validation,
external links and macros are never copied.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from ..matching import find_spans
from .geometry import RedactionError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_LETTERS = re.compile(r"^[A-Za-z]{1,3}$")


@dataclass(frozen=True)
class Rule:
    kind: str                  # column | row | term | pattern
    target: str                # column letter or header; row number; the term; the pattern name
    label: str = ""
    sheet: str | None = None   # None: every sheet

    def applies_to(self, sheet: str | None) -> bool:
        return self.sheet is None or sheet is None or self.sheet == sheet


def marker(label: str) -> str:
    return f"[REDACTED {label}]".replace("  ", " ") if label else "[REDACTED]"


def _col_index(letters: str) -> int:
    n = 0
    for c in letters.upper():
        n = n * 26 + ord(c) - 64
    return n


@dataclass
class Grid:
    """A sheet as a reader sees it: the visible rows and columns, in order (1-based originals)."""
    name: str | None
    rows: list[int]
    cols: list[int]
    values: dict[tuple[int, int], object]

    def header(self) -> dict[str, int]:
        if not self.rows:
            return {}
        return {str(self.values.get((self.rows[0], c), "")).strip().lower(): c for c in self.cols}

    def column(self, target: str) -> int | None:
        target = target.strip()
        col = self.header().get(target.lower())
        if col is None and _LETTERS.match(target) and _col_index(target) in self.cols:
            col = _col_index(target)
        return col

    def targets(self, rules: list[Rule]) -> dict[tuple[int, int], str]:
        """Original (row, column) cells that rules blank out entirely, with their citation."""
        cells: dict[tuple[int, int], str] = {}
        for rule in rules:
            if not rule.applies_to(self.name):
                continue
            if rule.kind == "column" and (col := self.column(rule.target)):
                cells.update({(r, col): rule.label for r in self.rows[1:]})
            elif rule.kind == "row":
                cells.update({(int(rule.target), c): rule.label for c in self.cols})
        return cells


_SEP = " | "


def _row_spans(values: list, rules: list[Rule], sheet) -> list[list[tuple[int, int, str]]]:
    """Per cell, the (start, end, label) spans that term and pattern rules match in it. The row is
    matched as one text, so a name split over two cells (in any order) is found in both."""
    terms = [r for r in rules if r.kind == "term" and r.applies_to(sheet)]
    patterns = [r for r in rules if r.kind == "pattern" and r.applies_to(sheet)]
    out: list[list] = [[] for _ in values]
    if not (terms or patterns) or all(v is None for v in values):
        return out
    texts = ["" if v is None else str(v) for v in values]
    row = _SEP.join(texts)
    labels = {r.target: r.label for r in terms + patterns}
    starts, pos = [], 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + len(_SEP)
    for start, end, what in find_spans(row, [r.target for r in terms], [r.target for r in patterns],
                                       cells=_SEP.strip()):
        for i, text in enumerate(texts):
            lo, hi = max(start, starts[i]), min(end, starts[i] + len(text))
            if lo < hi:
                out[i].append((lo - starts[i], hi - starts[i], labels.get(what, "")))
    return out


def _redacted_value(value, spans: list[tuple[int, int, str]]):
    if value is None or not spans:
        return value
    if not isinstance(value, str):
        return marker(spans[0][2])
    text, out, last = str(value), [], 0
    for start, end, label in sorted(spans):
        if end <= last:
            continue
        out += [text[last:max(start, last)], marker(label)]
        last = end
    return "".join(out) + text[last:]


def apply(grid: Grid, rules: list[Rule]) -> list[list]:
    """The visible cells, redacted, as rows of values."""
    targets = grid.targets(rules)
    out = []
    for r in grid.rows:
        values = [grid.values.get((r, c)) for c in grid.cols]
        spans = _row_spans(values, rules, grid.name)
        out.append([marker(targets[r, c]) if (r, c) in targets else _redacted_value(v, s)
                    for c, v, s in zip(grid.cols, values, spans)])
    return out


def count_matches(data: bytes, content_type: str, rules: list[Rule]) -> dict[str, int]:
    """Per rule target: the cells it blanks (columns, rows) or the cells whose text it matched."""
    sheets = [csv_grid(data)] if content_type == "text/csv" else grids(load_xlsx(data))
    counts: dict[str, int] = {}
    for rule in rules:
        n = 0
        for g in sheets:
            if not rule.applies_to(g.name):
                continue
            if rule.kind in ("column", "row"):
                n += len(g.targets([rule]))
            else:
                for r in g.rows:
                    spans = _row_spans([g.values.get((r, c)) for c in g.cols], [rule], g.name)
                    n += sum(1 for s in spans if s)
        counts[rule.target] = counts.get(rule.target, 0) + n
    return counts


# -- XLSX -----------------------------------------------------------------------------------

def load_xlsx(data: bytes):
    import openpyxl
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged package
        raise RedactionError("This spreadsheet cannot be read.") from exc


def grids(wb) -> list[Grid]:
    """Every visible sheet's visible grid; hidden and very hidden sheets are left out."""
    out = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        hidden_cols = set()
        for dim in ws.column_dimensions.values():
            if dim.hidden:
                hidden_cols |= set(range(dim.min or 1, (dim.max or dim.min or 1) + 1))
        rows = [r for r in range(1, ws.max_row + 1)
                if not (ws.row_dimensions[r].hidden if r in ws.row_dimensions else False)]
        cols = [c for c in range(1, ws.max_column + 1) if c not in hidden_cols]
        values = {(cell.row, cell.column): cell.value for row in ws.iter_rows() for cell in row
                  if cell.value is not None}
        out.append(Grid(ws.title, rows, cols, values))
    return out


def _title(name: str, rules: list[Rule], n: int) -> str:
    """A sheet's name, or "Sheet n" where a term or pattern matches it (a name can hide there)."""
    terms = [r.target for r in rules if r.kind == "term"]
    patterns = [r.target for r in rules if r.kind == "pattern"]
    return f"Sheet {n}" if find_spans(name, terms, patterns) else name


def redact_xlsx(data: bytes, rules: list[Rule]) -> bytes:
    import openpyxl
    source = load_xlsx(data)
    sheets = grids(source)
    if not sheets:
        raise RedactionError("This workbook has no visible sheet.")
    out = openpyxl.Workbook()
    out.remove(out.active)
    for n, grid in enumerate(sheets, 1):
        ws = out.create_sheet(_title(grid.name, rules, n))
        for row in apply(grid, rules):
            ws.append(row)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def check_rules(data: bytes, content_type: str, rules: list[Rule]) -> None:
    """Clear errors for rules that name no sheet, row or column of this file."""
    sheets = grids(load_xlsx(data)) if content_type != "text/csv" else [csv_grid(data)]
    names = {g.name for g in sheets}
    for rule in rules:
        if rule.sheet is not None and content_type != "text/csv" and rule.sheet not in names:
            raise RedactionError(f"There is no visible sheet named {rule.sheet!r}.")
        for g in sheets:
            if not rule.applies_to(g.name):
                continue
            if rule.kind == "row" and int(rule.target) not in g.rows:
                raise RedactionError(f"There is no visible row {rule.target}.")
            if rule.kind == "column" and g.column(rule.target) is None:
                raise RedactionError(f"There is no column {rule.target!r}.")


# -- CSV ------------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _dialect(text: str):
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def csv_grid(data: bytes) -> Grid:
    text = _decode(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), _dialect(text)))
    except csv.Error as exc:
        raise RedactionError(f"This CSV file cannot be read ({exc}).") from exc
    width = max((len(r) for r in rows), default=0)
    values = {(r, c): v for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1) if v != ""}
    return Grid(None, list(range(1, len(rows) + 1)), list(range(1, width + 1)), values)


def redact_csv(data: bytes, rules: list[Rule]) -> bytes:
    text = _decode(data)
    dialect = _dialect(text)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=dialect.delimiter, lineterminator="\r\n")
    for row in apply(csv_grid(data), rules):
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode("utf-8")
