"""Protected terms in OCR'd words, tolerating OCR's usual errors.

Pure: no Flask. `FuzzyIndex(forms)` is built once per list revision from the matcher's normalised
term forms (`matcher.variants`); `index.find(words)` takes a page's OCR words in reading order
and returns `FuzzyMatch(form, start, end, distance)`: words [start, end) hold the term.
`fuzzy_find(words, forms)` does both at once, for a single use.

What counts as a match, and why:

- Text and terms are normalised as the screen does everywhere (`detectors.normalise_term`); a
  word with a lower-case letter followed by a capital ("QuintessaMarlowe") is split there first.
- Spacing is ignored: OCR splits a word ("Quin tessa") or joins two ("Marlowe Vance" read as
  "MarloweVance"). A term matches words [start, end) whose letters, run together, are the term's
  letters run together, within the edit budget; a match always begins and ends at word edges, so
  "Ann" is still not found inside "annual".
- The edit budget (insertions, deletions, substitutions: Levenshtein distance) depends on the
  term's letters, spaces excluded, and applies to names only (terms of letters alone):
      fewer than 8 letters: 0    8 to 11 letters: 1    12 or more: 2
  A term with a digit (a badge, a serial number) is matched exactly: one digit off is another
  badge. Before comparing, "rn" is read as "m" and "vv" as "w" on both sides, OCR's commonest
  two-for-one misreadings.
- A budget of 1 on 8 letters means two real names one letter apart (Marianne, Marianna) match
  each other. The screen errs towards holding: a person reads the hold.

Speed: each term is cut into budget + 1 pieces; a match with at most `budget` edits keeps one
piece intact, so one Aho-Corasick pass over the page's letters finds every place worth comparing
(the piece's position in the term fixes where the match must start, give or take the budget),
and only those are compared with rapidfuzz's Levenshtein. 10,000 terms cost a few milliseconds
per page.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Iterable, Sequence

import ahocorasick
from rapidfuzz.distance import Levenshtein

from .detectors import normalise_term

_CAMEL = re.compile(r"(?<=[a-z\u00df-\u00ff])(?=[A-Z\u00c0-\u00de])")
_CONFUSIONS = (("rn", "m"), ("vv", "w"))


@dataclass(frozen=True)
class FuzzyMatch:
    term: str       # the normalised form, as given to the index
    start: int      # first word
    end: int        # one past the last word
    distance: int   # edits between the words' letters and the term's


def budget(form: str) -> int:
    """Edits allowed for a normalised term form (see the module's docstring)."""
    letters = form.replace(" ", "")
    if not letters.isalpha():
        return 0
    return 0 if len(letters) < 8 else 1 if len(letters) < 12 else 2


def _fold(s: str) -> str:
    for a, b in _CONFUSIONS:
        s = s.replace(a, b)
    return s


def _pieces(compact: str, k: int) -> list[tuple[int, str]]:
    """`compact` cut into k + 1 pieces as even as can be: (offset, piece)."""
    n = k + 1
    cuts = [round(i * len(compact) / n) for i in range(n + 1)]
    return [(cuts[i], compact[cuts[i]:cuts[i + 1]]) for i in range(n) if cuts[i + 1] > cuts[i]]


class FuzzyIndex:
    def __init__(self, forms: Iterable[str]):
        self.forms: list[str] = []
        self._compact: list[str] = []
        self._budget: list[int] = []
        self._automaton = ahocorasick.Automaton()
        pieces: dict[str, list[tuple[int, int]]] = {}
        for form in dict.fromkeys(forms):
            compact = _fold(form.replace(" ", ""))
            if not compact:
                continue
            k = min(budget(form), len(compact) - 1)
            term = len(self.forms)
            self.forms.append(form)
            self._compact.append(compact)
            self._budget.append(k)
            for offset, piece in _pieces(compact, k):
                pieces.setdefault(piece, []).append((term, offset))
        for piece, where in pieces.items():
            self._automaton.add_word(piece, (len(piece), tuple(where)))
        if pieces:
            self._automaton.make_automaton()

    def find(self, words: Sequence[str]) -> list[FuzzyMatch]:
        if not self.forms:
            return []
        letters, starts, ends, word_of = _tokens(words)
        if not letters:
            return []
        best: dict[tuple[int, int, int], int] = {}
        for last, (length, where) in self._automaton.iter(letters):
            at = last - length + 1
            for term, offset in where:
                self._try(term, at - offset, letters, starts, ends, best)
        return _settle(best, self.forms, word_of)

    def _try(self, term: int, begin: int, letters: str, starts, ends, best) -> None:
        k = self._budget[term]
        compact = self._compact[term]
        for i in range(bisect_left(starts, begin - k), bisect_right(starts, begin + k)):
            s = starts[i]
            finish = s + len(compact)
            for j in range(max(i, bisect_left(ends, finish - k)), bisect_right(ends, finish + k)):
                key = (term, i, j)
                if key in best:
                    continue
                d = Levenshtein.distance(letters[s:ends[j]], compact, score_cutoff=k)
                if d <= k:
                    best[key] = d


def _tokens(words: Sequence[str]):
    """The page's letters run together, where each token starts and ends in them, and the word
    each token came from."""
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    word_of: list[int] = []
    pos = 0
    for w, word in enumerate(words):
        for chunk in _CAMEL.split(word):
            for token in normalise_term(chunk).split():
                token = _fold(token)
                starts.append(pos)
                pos += len(token)
                ends.append(pos)
                parts.append(token)
                word_of.append(w)
    return "".join(parts), starts, ends, word_of


def _settle(best: dict[tuple[int, int, int], int], forms: list[str], word_of: list[int]) -> list[FuzzyMatch]:
    """Per term, the closest matches that do not overlap (the fewest edits first, then the
    fewest tokens), as word ranges."""
    by_term: dict[int, list[tuple[int, int, int]]] = {}
    for (term, i, j), d in best.items():
        by_term.setdefault(term, []).append((d, j - i, i))
    out: list[FuzzyMatch] = []
    for term, found in by_term.items():
        taken: list[tuple[int, int]] = []
        for d, span, i in sorted(found):
            j = i + span
            if any(i <= b and j >= a for a, b in taken):
                continue
            taken.append((i, j))
            out.append(FuzzyMatch(forms[term], word_of[i], word_of[j] + 1, d))
    out.sort(key=lambda m: (m.start, m.end, m.term))
    return out


def fuzzy_find(words: Sequence[str], forms: Iterable[str]) -> list[FuzzyMatch]:
    """`FuzzyIndex(forms).find(words)`: for one page; build the index once for many."""
    return FuzzyIndex(forms).find(words)
