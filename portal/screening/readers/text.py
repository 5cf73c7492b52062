"""Plain text and CSV. A table row's cells are read joined, so a name split into first and
last columns reads as one name; the cell of a match is worked out only for the matches."""
from __future__ import annotations

import bisect
import csv
import io
from typing import Callable

import numpy as np

from ..detectors import code_points
from . import Extract, Limits, Unreadable, column_name

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


def dob_columns(header: list) -> dict[int, str]:
    return {i: str(v).strip() for i, v in enumerate(header)
            if v is not None and str(v).strip().lower() in DOB_HEADERS}


class Table:
    """Rows as one text (cells joined by SEP, rows by newlines) and where each row starts."""

    def __init__(self, header: list):
        self.parts: list[str] = []
        self.rows: list[int] = []
        self.starts: list[int] = []
        self.pos = 0
        self.dob = dob_columns(header)

    def row(self, number: int, values: list) -> None:
        cells = ["" if v is None else str(v) for v in values]
        if self.dob and self.starts:
            # A date under a "DOB" header carries the header, so the date-of-birth detector sees the cue.
            for i, label in self.dob.items():
                if i < len(cells) and cells[i]:
                    cells[i] = f"{label} {cells[i]}"
        line = SEP.join(cells)
        self.rows.append(number)
        self.starts.append(self.pos)
        self.parts.append(line)
        self.pos += len(line) + 1

    def emit(self, out: Extract, where: str, ref: Callable[[int, int], str]) -> None:
        text = "\n".join(self.parts)
        starts, rows = self.starts, self.rows

        def locate(offset: int) -> str:
            i = max(bisect.bisect_right(starts, offset) - 1, 0)
            line_end = text.find("\n", starts[i])
            line = text[starts[i]:line_end if line_end >= 0 else len(text)]
            col = line[:offset - starts[i]].count(SEP) + 1
            return ref(rows[i], col)
        out.text(text, where, locate, cells=SEP.strip())


def _line_ends(text: str) -> list[int]:
    return np.flatnonzero(code_points(text) == 10).tolist() + [len(text)]


def read_csv(data: bytes, limits: Limits) -> Extract:
    text = _decode(data, limits)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    out = Extract()
    try:
        header = next(csv.reader(io.StringIO(text[:65536], newline=""), dialect), [])
    except csv.Error as exc:
        raise Unreadable(f"the CSV cannot be parsed ({exc})") from exc
    if dob_columns(header):
        table = Table(header)
        try:
            for n, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), 1):
                table.row(n, row)
        except csv.Error as exc:
            raise Unreadable(f"the CSV cannot be parsed ({exc})") from exc
        table.emit(out, "CSV", lambda r, c: f"row {r}, column {column_name(c)}")
        return out

    # The raw text is screened as it is: delimiters and quotes normalise to spaces like any
    # punctuation, so adjacent cells read joined, at no cost per row.
    newlines: list[int] = []

    def locate(offset: int) -> str:
        if not newlines:  # once, and only for a file that matched
            newlines.extend(_line_ends(text))
        line = bisect.bisect_left(newlines, offset) + 1
        line_start = newlines[line - 2] + 1 if line > 1 else 0
        try:
            fields = next(csv.reader([text[line_start:offset]], dialect), [""])
        except csv.Error:
            fields = [""]
        return f"line {line}, column {column_name(max(len(fields), 1))}"
    out.text(text, "CSV", locate, cells=dialect.delimiter)
    return out
