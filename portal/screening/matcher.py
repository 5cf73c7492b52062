"""Protected lists' names in text: the matcher built once per list revision.

Pure: no Flask. Text and terms are normalised by `detectors.normalise`; matches are
`detectors.Match` with offsets into the original text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

import ahocorasick
import numpy as np

from .detectors import Match, Normalised, code_points, normalise_term


# -- protected lists ---------------------------------------------------------------------------------

_NAME_WORD = re.compile(r"^[^\W\d_]+$")
MAX_NAME_WORDS = 6
COMPACT_MIN = 8     # a name with its spaces dropped ("QuintessaMarlowe") is matched from this length


def is_name(norm: str) -> bool:
    words = norm.split(" ")
    return 2 <= len(words) <= MAX_NAME_WORDS and all(_NAME_WORD.match(w) for w in words)


def splits(norm: str) -> list[tuple[str, str]]:
    """(first part, last part) at every split point of a name: "maria de la cruz" gives
    ("maria", "de la cruz"), ("maria de", "la cruz"), ("maria de la", "cruz")."""
    words = norm.split(" ")
    return [(" ".join(words[:k]), " ".join(words[k:])) for k in range(1, len(words))]


def variants(term: str) -> set[str]:
    """The normalised forms a term is looked for in: a person's name also as "Last First" for
    every split point ("Marlowe-Vance, Quintessa", "de la Cruz, Maria")."""
    norm = normalise_term(term)
    if not norm:
        return set()
    out = {norm}
    if is_name(norm):
        out.update(f"{last} {first}" for first, last in splits(norm))
    return out


def _joins(form: str) -> set[str]:
    """`form` with some of the spaces between its words dropped ("quintessamarlowe vance"), for
    text whose spaces were lost; only forms at least COMPACT_MIN letters long when joined, so a
    short name never becomes a common word."""
    words = form.split(" ")
    if len("".join(words)) < COMPACT_MIN:
        return set()
    gaps = len(words) - 1
    if gaps > 3:
        return {"".join(words)}
    out = set()
    for mask in range(1, 2 ** gaps):
        text = words[0]
        for i, word in enumerate(words[1:]):
            text += ("" if mask >> i & 1 else " ") + word
        out.add(text)
    return out


@dataclass
class _Key:
    length: int
    whole: list      # (term, list) found when this key is found
    parts: list      # (term, list, split, side): a part of a name, for names split over cells


class Matcher:
    """Aho-Corasick over (term, list) pairs, built once per list revision.

    A name is found: with its words in order, or "Last First" at any split point, whole-word; with
    some spaces between its words dropped ("QuintessaMarlowe-Vance", a rebuilt text layer); with
    its letters spaced out ("Q u i n t e s s a"); and, in a table, as its first and last parts in
    two whole cells of one row, in any order, adjacent or not. One pass over the text does all but
    letter-spacing, which is looked for only around runs of single letters.
    """

    def __init__(self, terms: Iterable[tuple[str, str]]):
        self._automaton = ahocorasick.Automaton()
        self._squeezed = ahocorasick.Automaton()    # names with no spaces, for letter-spaced runs
        self._forms: dict[str, tuple[str, str]] = {}  # normalised form -> (term, list), for OCR
        self._fuzzy = None
        self.size = 0
        keys: dict[str, _Key] = {}

        def key(text: str) -> _Key:
            found = keys.get(text)
            if found is None:
                found = keys[text] = _Key(len(text) + 2, [], [])
            return found
        for term, list_name in terms:
            norm = normalise_term(term)
            for form in variants(term):
                self._forms.setdefault(form, (term, list_name))
                for text in {form} | (_joins(form) if is_name(form) else set()):
                    entry = key(text)
                    if (term, list_name) not in entry.whole:
                        entry.whole.append((term, list_name))
                if is_name(form):
                    squeezed = form.replace(" ", "")
                    if not self._squeezed.exists(squeezed):
                        self._squeezed.add_word(squeezed, (len(squeezed), term, list_name))
            if is_name(norm):
                for k, (first, last) in enumerate(splits(norm)):
                    key(first).parts.append((term, list_name, k, 0))
                    key(last).parts.append((term, list_name, k, 1))
        for text, entry in keys.items():
            self._automaton.add_word(f" {text} ", entry)
            self.size += bool(entry.whole)
        for automaton in (self._automaton, self._squeezed):
            if len(automaton):
                automaton.make_automaton()

    def fuzzy(self):
        """The OCR matcher over the same forms (portal.screening.fuzzy), built on first use."""
        if self._fuzzy is None:
            from .fuzzy import FuzzyIndex
            self._fuzzy = FuzzyIndex(list(self._forms))
        return self._fuzzy

    def form_of(self, form: str) -> tuple[str, str]:
        return self._forms[form]

    def find(self, norm: Normalised, text: str | None = None, cells: str | None = None) -> list[Match]:
        """Matches in the normalised `norm` of `text`. With `cells` (the table's delimiter) and
        the original text, names split over two cells of a row are found too."""
        if not self.size:
            return []
        out, parts = [], []
        for end, entry in self._automaton.iter(norm.text):
            # The key includes a space each side; the word itself is [start + 1, end).
            start, stop = norm.span(end - entry.length + 2, end)
            out.extend(Match(start, stop, "protected", term, list_name) for term, list_name in entry.whole)
            if entry.parts and cells and text is not None:
                parts.append((start, stop, entry.parts))
        out.extend(self._letter_spaced(norm, {(m.start, m.term) for m in out}))
        if parts:
            covered = [(m.start, m.end, m.term) for m in out]
            out.extend(m for m in _split_cells(parts, text, cells)
                       if not any(t == m.term and s < m.end and m.start < e for s, e, t in covered))
        return out

    def _letter_spaced(self, norm: Normalised, seen: set) -> list[Match]:
        """Names in runs of single letters ("Q u i n t e s s a  M a r l o w e"): each run is read
        with its spaces dropped, together with the words next to it."""
        padded = code_points(norm.text)
        single = np.flatnonzero((padded[1:-1] != 32) & (padded[:-2] == 32) & (padded[2:] == 32)) + 1
        if len(single) < 2:
            return []
        breaks = np.flatnonzero(np.diff(single) != 2)
        out = []
        for lo, hi in zip(np.concatenate(([0], breaks + 1)), np.concatenate((breaks, [len(single) - 1]))):
            if hi - lo < 1:
                continue
            first, last = int(single[lo]), int(single[hi])
            start, stop = first - 1, last + 1
            for _ in range(MAX_NAME_WORDS - 1):
                start = max(norm.text.rfind(" ", 0, start), 0)
                found = norm.text.find(" ", stop + 1)
                stop = len(norm.text) - 1 if found < 0 else found
            start += 1
            # The window: a name's length of words each side, the run squeezed; `where` maps back
            # to padded indexes.
            where = [i for i in range(start, stop) if not (first <= i <= last and padded[i] == 32)]
            window = "".join(norm.text[i] for i in where)
            for automaton, spaced in ((self._automaton, True), (self._squeezed, False)):
                body = f" {window} " if spaced else window.replace(" ", "")
                index = ([-1] + where + [-1]) if spaced else [i for i in where if padded[i] != 32]
                for end, value in automaton.iter(body):
                    length, names = (value.length, value.whole) if spaced else (value[0], [value[1:]])
                    a, b = (end - length + 2, end - 1) if spaced else (end - length + 1, end)
                    lo_i, hi_i = index[a], index[b]
                    if lo_i < 0 or hi_i < 0 or padded[lo_i - 1] != 32 or padded[hi_i + 1] != 32:
                        continue
                    if not (lo_i <= last and hi_i >= first):
                        continue    # outside the run: the ordinary pass saw it
                    s, e = norm.span(lo_i, hi_i + 1)
                    for term, list_name in names:
                        if (s, term) not in seen:
                            seen.add((s, term))
                            out.append(Match(s, e, "protected", term, list_name))
        return out


_QUOTES = " \t\"'"


def _whole_cell(text: str, start: int, end: int, delimiter: str) -> tuple[int, int] | None:
    """The cell's (start, row) if text[start:end] is all of one cell's text (quotes and spacing
    aside); None otherwise."""
    lo = start
    while lo > 0 and text[lo - 1] in _QUOTES:
        lo -= 1
    hi = end
    while hi < len(text) and text[hi] in _QUOTES:
        hi += 1
    before = text[lo - 1] if lo > 0 else "\n"
    after = text[hi] if hi < len(text) else "\n"
    if before not in (delimiter, "\n", "\r") or after not in (delimiter, "\n", "\r"):
        return None
    return lo, text.rfind("\n", 0, lo)


def _split_cells(parts: list, text: str, delimiter: str) -> list[Match]:
    """First and last parts of a name, each a whole cell of the same row (any order)."""
    rows: dict[int, dict] = {}
    for start, stop, entries in parts:
        cell = _whole_cell(text, start, stop, delimiter)
        if cell is None:
            continue
        seen = rows.setdefault(cell[1], {})
        for term, list_name, k, side in entries:
            seen.setdefault((term, list_name, k), [None, None])[side] = (cell[0], start, stop)
    out = []
    for found in rows.values():
        for (term, list_name, _k), sides in found.items():
            if sides[0] and sides[1] and sides[0][0] != sides[1][0]:
                out.extend(Match(s, e, "protected", term, list_name) for _cell, s, e in sides)
    return out
