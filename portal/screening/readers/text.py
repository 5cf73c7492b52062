"""Plain text and CSV. A CSV row's cells are joined, so a name split into first and last
columns reads as one name; each cell's position is kept for "row 5, column B"."""
from __future__ import annotations

import csv
import io

from . import Extract, Limits, Unreadable

SEP = " | "
DOB_HEADERS = frozenset(("dob", "d.o.b", "d.o.b.", "date of birth", "birth date", "birthdate", "born",
                         "birthday"))


def _decode(data: bytes, limits: Limits) -> str:
    text = data.decode("utf-8-sig", errors="replace")
    if len(text) > limits.max_text:
        raise Unreadable(f"{len(text):,} characters; the limit is {limits.max_text:,}")
    return text


def read_plain(data: bytes, limits: Limits) -> Extract:
    out = Extract()
    out.text(_decode(data, limits), "text")
    return out


class Table:
    """Rows joined into one text, with every cell's start offset."""

    def __init__(self):
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.cells: list[tuple[int, int]] = []
        self.pos = 0
        self.dob_columns: dict[int, str] = {}

    def header(self, values: list) -> None:
        self.dob_columns = {i: str(v).strip() for i, v in enumerate(values)
                            if v is not None and str(v).strip().lower() in DOB_HEADERS}

    def row(self, row: int, values: list) -> None:
        first = True
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            text = str(value)
            if col in self.dob_columns and row > 1:
                # A date under a "DOB" header carries the header, so the date-of-birth detector sees the cue.
                text = f"{self.dob_columns[col]} {text}"
            if not first:
                self.parts.append(SEP)
                self.pos += len(SEP)
            first = False
            self.starts.append(self.pos)
            self.cells.append((row, col + 1))
            self.parts.append(text)
            self.pos += len(text)
        self.parts.append("\n")
        self.pos += 1

    def emit(self, out: Extract, where: str, cell_ref: str) -> None:
        out.text("".join(self.parts), where, starts=self.starts, cells=self.cells, cell_ref=cell_ref)


def read_csv(data: bytes, limits: Limits) -> Extract:
    text = _decode(data, limits)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    table = Table()
    try:
        for n, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), 1):
            if n == 1:
                table.header(row)
            table.row(n, row)
    except csv.Error as exc:
        raise Unreadable(f"the CSV cannot be parsed ({exc})") from exc
    out = Extract()
    table.emit(out, "CSV", "row {row}, column {col}")
    return out
