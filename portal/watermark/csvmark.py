"""CSV: marks that keep every value.

Three channels, each carrying the 64 bits many times over at slots keyed by a
hash of the original:
- quoting: a field that needs no quotes is written quoted (1) or bare (0);
- line endings: a record ends in CRLF (1) or LF (0);
- row order, only when the release says order carries no meaning: each pair of
  adjacent data rows is kept (0) or swapped (1).
Any RFC 4180 reader sees the same values. Reading aligns the candidate's rows
to the original's by their values, so sorting or extracting rows keeps the
quoting and line-ending votes of the rows that remain. A CSV library or a
spreadsheet that rewrites the file re-quotes it and erases both.

Only with stamp.content_marks, a fourth channel changes values: a zero-width
space (0) or non-joiner (1) at the end of text cells. It survives re-writing
by any CSV tool, and dies when invisible characters are stripped.

The tokenizer works on bytes: the only bytes it adds are ASCII quotes and CRs,
which is safe in UTF-8 and every single-byte encoding.
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from .codeword import Codeword
from .engine import Finding, Stamp, WatermarkError
from .keyed import Evidence, assign, seed_of, vote

_DELIMITERS = (b",", b";", b"\t", b"|")
ZW = (b"\xe2\x80\x8b", b"\xe2\x80\x8c")   # U+200B, U+200C in UTF-8
_TEXT = re.compile(rb"[A-Za-z\x80-\xff]")


def _sniff(data: bytes) -> bytes:
    first = data.split(b"\n", 1)[0]
    first = re.sub(rb'"(?:[^"]|"")*"', b"", first)
    counts = [first.count(d) for d in _DELIMITERS]
    return _DELIMITERS[int(np.argmax(counts))] if max(counts) else b","


class Table:
    """The file as (field, separator) tokens, exactly as written."""

    def __init__(self, data: bytes, what: str, delimiter: bytes | None = None):
        if b"\0" in data:
            raise WatermarkError(f"{what} is not a text CSV: it contains NUL bytes "
                                 "(binary, encrypted or UTF-16)")
        self.delimiter = delimiter or _sniff(data)
        d = re.escape(self.delimiter)
        # Groups: the field as written; the text of a field that needs no quotes,
        # quoted or bare (the slots of the quoting mark); the separator.
        safe = rb'[^' + d + rb'"\r\n]+'
        token = re.compile(rb'("(' + safe + rb')"|"(?:[^"]|"")*"|(' + safe + rb')|[^' + d + rb'"\r\n][^'
                           + d + rb'\r\n]*|)(' + d + rb"|\r\n|\n|\r|\Z)")
        tokens = token.findall(data)
        self.fields = [t[0] for t in tokens]
        self.seps = [t[3] for t in tokens]
        if sum(map(len, self.fields)) + sum(map(len, self.seps)) != len(data):
            raise WatermarkError(f"{what} is a malformed CSV: {self._problem(data, token)}")
        if tokens and tokens[-1][0] == tokens[-1][3] == b"":
            del self.fields[-1], self.seps[-1], tokens[-1]   # the empty match at the end of the data
        self.safe = [t[1] or t[2] for t in tokens]
        self.ends = [i for i, s in enumerate(self.seps) if s != self.delimiter]
        if self.seps and self.seps[-1] == self.delimiter:
            self.ends.append(len(self.seps) - 1)
        self.starts = [0] + [e + 1 for e in self.ends[:-1]]

    @staticmethod
    def _problem(data: bytes, token: re.Pattern) -> str:
        pos = 0
        while pos < len(data):
            m = token.match(data, pos)
            if m is None or m.end() == pos:
                break
            pos = m.end()
        line = data.count(b"\n", 0, pos) + 1
        if data[pos:pos + 1] == b'"' and token.match(data + b'"', pos) is not None:
            return f"a quoted field on line {line} is never closed (truncated or malformed)"
        return f"stray quote or text after a closing quote on line {line}, byte {pos}"

    def check_complete(self, what: str) -> None:
        if len(self.ends) > 1 and self.seps[-1] == b"":
            last, first = self._width(-1), self._width(0)
            if last < first:
                raise WatermarkError(f"{what} looks truncated: its last row has {last} fields, "
                                     f"its first has {first}, and it ends mid-line")

    def _width(self, r: int) -> int:
        return self.ends[r] - self.starts[r] + 1

    def value(self, i: int) -> bytes:
        """The field's value, less the zero-width content mark, so that marked
        rows still align with the original's."""
        f = self.fields[i]
        v = f[1:-1].replace(b'""', b'"') if f[:1] == b'"' else f
        return v.replace(ZW[0], b"").replace(ZW[1], b"") if b"\xe2\x80" in v else v

    def quote_slots(self) -> np.ndarray:
        """Token indices of fields whose value needs no quoting and is not empty."""
        return np.flatnonzero(np.fromiter(map(len, self.safe), np.int64, len(self.safe)))

    def text_slots(self) -> np.ndarray:
        """Quote slots holding text below the header: numbers stay numbers and
        column names stay names under the content mark."""
        header_end = self.ends[0] if self.ends else -1
        return np.array([i for i in self.quote_slots().tolist() if i > header_end and _TEXT.search(self.safe[i])],
                        dtype=np.int64)

    def ending_slots(self) -> np.ndarray:
        """Record numbers whose terminator is a line break we may choose."""
        return np.array([r for r, e in enumerate(self.ends) if self.seps[e] in (b"\r\n", b"\n")], dtype=np.int64)

    def pair_slots(self) -> np.ndarray:
        """First record of each swappable pair of data rows (the header stays first,
        and a last row without a line break stays last)."""
        rows = len(self.ends) - (1 if self.seps and self.seps[-1] == b"" else 0)
        return np.arange(1, rows - 1, 2, dtype=np.int64)

    def record_values(self, r: int) -> tuple[bytes, ...]:
        return tuple(self.value(i) for i in range(self.starts[r], self.ends[r] + 1))


def mark(original: bytes, stamp: Stamp) -> bytes:
    table = Table(original, "the original")
    table.check_complete("the original")
    word = stamp.codeword.bits
    # Four pieces per token (opening quote, text, closing quote, separator), so
    # the marks are whole-array assignments rather than a loop over fields.
    n = len(table.fields)
    out = np.empty(4 * n, dtype=object)
    out[0::4] = out[2::4] = b""
    out[1::4], out[3::4] = table.fields, table.seps
    slots = table.quote_slots()
    quoted = slots[word[assign(seed_of(original, "csv-quote"), len(slots))] == 1]
    out[4 * slots + 1] = np.array(table.safe, dtype=object)[slots]
    out[4 * quoted] = out[4 * quoted + 2] = b'"'
    if stamp.content_marks:
        _mark_text_cells(table, original, word, out)
    endings = table.ending_slots()
    crlf = word[assign(seed_of(original, "csv-ending"), len(endings))] == 1
    ends = 4 * np.asarray(table.ends, dtype=np.int64)[endings] + 3
    out[ends[crlf]], out[ends[~crlf]] = b"\r\n", b"\n"
    if not stamp.row_order_free:
        return b"".join(out.tolist())
    records = [b"".join(out[4 * a:4 * b + 4].tolist()) for a, b in zip(table.starts, table.ends)]
    pairs = table.pair_slots()
    swap = word[assign(seed_of(original, "csv-order"), len(pairs))]
    for r, s in zip(pairs.tolist(), swap.tolist()):
        if s:
            records[r], records[r + 1] = records[r + 1], records[r]
    return b"".join(records)


def _mark_text_cells(table: Table, original: bytes, word: np.ndarray, out: np.ndarray) -> None:
    try:
        original.decode("utf-8")
    except UnicodeDecodeError:
        raise WatermarkError("content marks need a UTF-8 CSV; this one is in another encoding") from None
    cells = table.text_slots()
    bits = word[assign(seed_of(original, "csv-zero-width"), len(cells))]
    out[4 * cells + 1] = [text + ZW[b] for text, b in zip(out[4 * cells + 1].tolist(), bits.tolist())]


def _align(table: Table, candidate: Table) -> dict[int, int]:
    """Original record -> candidate record, matched by values, first come first served."""
    waiting: dict[tuple, list[int]] = {}
    for r in range(len(table.ends)):
        waiting.setdefault(table.record_values(r), []).append(r)
    for queue in waiting.values():
        queue.reverse()
    aligned = {}
    for c in range(len(candidate.ends)):
        queue = waiting.get(candidate.record_values(c))
        if queue:
            aligned[queue.pop()] = c
    return aligned


def read(candidate: bytes, original: bytes, candidates: Sequence[Codeword]) -> list[Finding]:
    table = Table(original, "the original")
    cand = Table(candidate, "the candidate", table.delimiter)
    aligned = _align(table, cand)
    evidence = Evidence(candidates)

    quote_slots = table.quote_slots()
    slot_of = dict(zip(quote_slots.tolist(), assign(seed_of(original, "csv-quote"), len(quote_slots)).tolist()))
    text_slots = table.text_slots()
    text_of = dict(zip(text_slots.tolist(), assign(seed_of(original, "csv-zero-width"), len(text_slots)).tolist()))
    bits, seen, zw_bits, zw_seen = [], [], [], []
    for r, c in aligned.items():
        a, b = table.starts[r], cand.starts[c]
        for k in range(table.ends[r] - a + 1):
            if a + k in slot_of:
                field = cand.fields[b + k]
                bits.append(slot_of[a + k])
                seen.append(field[:1] == b'"')
                end = field.rstrip(b'"')[-3:]
                if a + k in text_of and end in ZW:
                    zw_bits.append(text_of[a + k])
                    zw_seen.append(end == ZW[1])
    _decide(evidence, "quoting pattern", bits, seen)
    _decide(evidence, "zero-width characters (content mark)", zw_bits, zw_seen)
    pooled_bits, pooled_seen = bits, seen

    endings = table.ending_slots()
    ending_bits = assign(seed_of(original, "csv-ending"), len(endings)).tolist()
    bits, seen = [], []
    for r, bit in zip(endings.tolist(), ending_bits):
        sep = cand.seps[cand.ends[aligned[r]]] if r in aligned else b""
        if sep in (b"\r\n", b"\n"):
            bits.append(bit)
            seen.append(sep == b"\r\n")
    _decide(evidence, "line endings", bits, seen)
    if not evidence.findings():
        # A few surviving rows may leave bits without a vote in each channel
        # alone; both carry the same 64 bits, so their votes can be pooled.
        _decide(evidence, "quoting and line endings together", pooled_bits + bits, pooled_seen + seen)

    pairs = table.pair_slots()
    pair_bits = assign(seed_of(original, "csv-order"), len(pairs)).tolist()
    bits, seen = [], []
    for r, bit in zip(pairs.tolist(), pair_bits):
        if r in aligned and r + 1 in aligned:
            bits.append(bit)
            seen.append(aligned[r + 1] < aligned[r])
    _decide(evidence, "row order", bits, seen)
    return evidence.findings()


def _decide(evidence: Evidence, mark_name: str, bits: list[int], seen: list[bool]) -> None:
    result = vote(np.array(bits, dtype=np.int64), np.array(seen, dtype=np.int64))
    if result is not None:
        word, votes, dissent = result
        evidence.add(word, mark_name, f"{mark_name}: {votes - dissent} of {votes} slot votes agree")
