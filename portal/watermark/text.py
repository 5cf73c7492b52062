"""Plain text: a keyed pattern of trailing whitespace, a space (1) or a tab (0)
after lines that had none.

Both choices are visible to no reader and change no word. A line stripped of
its trailing whitespace gives no vote rather than a wrong one, which is why
the pattern is space-or-tab rather than space-or-nothing. Only lines whose
text is unique in the original carry a slot, so reading can find each line in
a reordered or partial copy by its text alone.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np

from .codeword import Codeword
from .engine import Finding, Stamp, WatermarkError
from .keyed import Evidence, assign, seed_of, vote

_MARK = {1: b" ", 0: b"\t"}


def _lines(data: bytes, what: str) -> list[bytes]:
    if b"\0" in data:
        raise WatermarkError(f"{what} is not plain text: it contains NUL bytes (binary, encrypted or UTF-16)")
    return data.split(b"\n")


def _slots(lines: list[bytes]) -> dict[bytes, int]:
    """Text of each slot line -> its line number."""
    texts = [line.rstrip(b"\r") for line in lines]
    counts = Counter(texts)
    return {t: i for i, t in enumerate(texts) if t and t[-1:] not in (b" ", b"\t") and counts[t] == 1}


def mark(original: bytes, stamp: Stamp) -> bytes:
    lines = _lines(original, "the original")
    slots = _slots(lines)
    bits = stamp.codeword.bits[assign(seed_of(original, "text-trailing"), len(slots))]
    for (text, i), bit in zip(slots.items(), bits.tolist()):
        lines[i] = text + _MARK[bit] + lines[i][len(text):]
    return b"\n".join(lines)


def read(candidate: bytes, original: bytes, candidates: Sequence[Codeword]) -> list[Finding]:
    slots = _slots(_lines(original, "the original"))
    slot_bit = dict(zip(slots, assign(seed_of(original, "text-trailing"), len(slots)).tolist()))
    bits, seen = [], []
    for line in _lines(candidate, "the candidate"):
        line = line.rstrip(b"\r")
        text = line.rstrip(b" \t")
        tail = line[len(text):]
        if text in slot_bit and tail in (b" ", b"\t"):
            bits.append(slot_bit[text])
            seen.append(tail == b" ")
    evidence = Evidence(candidates)
    result = vote(np.array(bits, dtype=np.int64), np.array(seen, dtype=np.int64))
    if result is not None:
        word, votes, dissent = result
        evidence.add(word, "trailing whitespace", f"trailing whitespace: {votes - dissent} of {votes} lines agree")
    return evidence.findings()
