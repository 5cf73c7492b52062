"""What the exact-channel formats share: keyed slots, majority votes, and the
rule that decides whether a decoded word may name anyone.

Exact channels (PDF text, document properties, quoting patterns, trailing
whitespace) either carry the 64 bits intact or carry nothing, so a word is
accepted only when its CRC verifies and, when the caller names candidates, it
is one of them. Nothing else is ever reported.
"""
from __future__ import annotations

import hashlib
import re
from typing import Iterable, Sequence

import numpy as np

from .codeword import BITS, CRC_BITS, Codeword, false_match_probability
from .engine import Finding

# The printed form of a code, as it appears in footers, receipts and metadata.
CODE_PATTERN = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]")
CODE_PATTERN_BYTES = re.compile(CODE_PATTERN.pattern.encode())


def assign(seed: bytes, n: int) -> np.ndarray:
    """Which of the 64 bits each of n slots carries.

    Every run of 64 consecutive slots holds each bit once, in an order keyed by
    the seed (a hash of the original), so losing a contiguous part of a file
    thins every bit evenly instead of erasing some. SHAKE-256 and a stable sort
    keep the assignment identical across numpy versions: a leak found years
    later must decode with the same layout.
    """
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    blocks = -(-n // BITS)
    noise = np.frombuffer(hashlib.shake_256(b"wm-slots:" + seed).digest(blocks * BITS), dtype=np.uint8)
    order = np.argsort(noise.reshape(blocks, BITS), axis=1, kind="stable")
    return order.reshape(-1)[:n]


def seed_of(original: bytes, channel: str) -> bytes:
    return hashlib.sha256(channel.encode() + b"\0" + original).digest()


def spread(codeword: Codeword, slots: np.ndarray) -> np.ndarray:
    """The bit value each slot must show."""
    return codeword.bits[slots]


def vote(slots: np.ndarray, observed: np.ndarray, max_dissent: float = 0.2) -> tuple[Codeword, int, int] | None:
    """Majority of the observed slot values per bit.

    Returns the word, the votes cast and the votes that disagreed with the
    majority; None when some bit got no vote or a tie, or when more than
    max_dissent of the votes disagree: a marked channel is unanimous, while a
    pattern the file acquired otherwise (sorting, re-quoting) is near random,
    and must not be given a chance to pass the CRC by luck.
    """
    slots = np.asarray(slots, dtype=np.int64)
    observed = np.asarray(observed, dtype=np.int64)
    if slots.size == 0:
        return None
    total = np.bincount(slots, minlength=BITS)
    ones = np.bincount(slots, weights=observed, minlength=BITS).astype(np.int64)
    if (total == 0).any() or (2 * ones == total).any():
        return None
    bits = (2 * ones > total).astype(np.uint8)
    dissent = int(np.minimum(ones, total - ones).sum())
    if dissent > max_dissent * total.sum():
        return None
    return Codeword.from_bits(bits), int(total.sum()), dissent


def acceptable(word: Codeword, candidates: Sequence[Codeword]) -> bool:
    return word.is_valid and (not candidates or word in candidates)


def codes_in(text: str | bytes) -> set[Codeword]:
    """Printed codes in a text whose CRC verifies."""
    pattern = CODE_PATTERN_BYTES if isinstance(text, bytes) else CODE_PATTERN
    found = set()
    for m in pattern.finditer(text):
        raw = m.group(0)
        word = Codeword.from_text(raw.decode() if isinstance(raw, bytes) else raw)
        if word.is_valid:
            found.add(word)
    return found


def exact_probability(candidates: Sequence[Codeword]) -> float:
    """Chance an unrelated exact read is accepted: it must equal a candidate,
    or, with no candidates named, merely pass the 16-bit CRC."""
    if candidates:
        return false_match_probability(0, len(candidates))
    return 2.0 ** -CRC_BITS


class Evidence:
    """Collects which mechanisms verified which codeword, then builds findings."""

    def __init__(self, candidates: Sequence[Codeword]):
        self.candidates = list(candidates)
        self._marks: dict[Codeword, list[str]] = {}
        self._lines: dict[Codeword, list[str]] = {}

    def add(self, word: Codeword, mark: str, line: str = "") -> bool:
        if not acceptable(word, self.candidates):
            return False
        marks = self._marks.setdefault(word, [])
        if mark not in marks:
            marks.append(mark)
        if line:
            self._lines.setdefault(word, []).append(line)
        return True

    def add_all(self, words: Iterable[Codeword], mark: str, line: str = "") -> None:
        for word in words:
            self.add(word, mark, line)

    def __bool__(self) -> bool:
        return bool(self._marks)

    def findings(self, exclude: set[Codeword] = frozenset()) -> list[Finding]:
        """One finding per accepted word, except words in exclude (codes the
        original itself contains name no recipient)."""
        p = exact_probability(self.candidates)
        out = []
        for word in sorted(set(self._marks) - set(exclude)):
            marks = self._marks[word]
            lines = [f"code {word.text} verified by its CRC"
                     + (" and is among the candidates" if self.candidates else "")
                     + f"; marks: {', '.join(marks)}"] + self._lines.get(word, [])
            out.append(Finding(codeword=word, marks=list(marks), bit_errors=0,
                               false_match_probability=p, evidence=lines))
        return out
