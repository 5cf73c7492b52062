"""What to redact in a text: terms and patterns, as character spans.

The one place matching lives. Patterns are our broad regexes together with the pre-release
screen's own detectors, so whatever the screen flags, redacting that pattern removes; "protected"
uses the screen's protected lists (the caller supplies their matcher with `protected_terms`).
Pure: no Flask.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from ..screening.detectors import Builtins, scan
from ..screening.matcher import Matcher

# Deliberately broad: a redaction that over-reaches is seen and fixed; one that misses leaks.
PATTERNS: dict[str, tuple[str, re.Pattern]] = {
    "ssn": ("Social Security number",
            re.compile(r"(?<!\d)\d{3}[-\s\u2010-\u2015]?\d{2}[-\s\u2010-\u2015]?\d{4}(?!\d)")),
    "phone": ("telephone number",
              re.compile(r"(?<![\d+])(?:\+?1[\s.\-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.\-])\d{3}[\s.\-]\d{4}(?!\d)")),
    "email": ("e-mail address",
              re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")),
    "dob": ("date of birth", None),                   # the screen's detector only
    "protected": ("a term of a protected list", None),  # the screen's lists
}
# The screen's built-in detectors behind each pattern name.
_SCREEN = {"ssn": Builtins(ssn=True, dob=False, personal_email=False, phone=False),
           "phone": Builtins(ssn=False, dob=False, personal_email=False, phone=True),
           "dob": Builtins(ssn=False, dob=True, personal_email=False, phone=False)}
_protected: ContextVar[Matcher | None] = ContextVar("protected_matcher", default=None)


@contextmanager
def protected_terms(matcher: Matcher):
    """Within this block, the pattern "protected" matches the terms of `matcher`."""
    token = _protected.set(matcher)
    try:
        yield
    finally:
        _protected.reset(token)

# Between the letters of a word: a hyphenated line break (pdfium may report the hyphen as \x02).
_SPLIT = r"(?:[\-\u00ad\x02]?[ \t]*(?:\r\n|\r|\n)[ \t]*)?"
# Between words: any run of spacing and line breaks, or none (space-insensitive).
_GAP = r"[\s\u00ad\x02\-]*"


@lru_cache(maxsize=1024)
def term_regex(term: str) -> re.Pattern:
    """Case-insensitive; spaces in the term match any spacing or none; a word may break across lines."""
    words = term.split()
    if not words:
        raise ValueError("empty term")
    body = _GAP.join(_SPLIT.join(re.escape(c) for c in word) for word in words)
    start = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    end = r"(?!\w)" if re.search(r"\w$", words[-1]) else ""
    return re.compile(start + body + end, re.IGNORECASE)


@lru_cache(maxsize=64)
def _term_matcher(terms: tuple[str, ...]) -> Matcher:
    return Matcher((term, term) for term in terms)


def find_spans(text: str, terms=(), patterns=(), cells: str | None = None) -> list[tuple[int, int, str]]:
    """Sorted (start, end, label) spans of `text` matching any term or named pattern.

    Terms are matched the way the screen matches its lists (accents, case, spacing, name order,
    letter-spacing, line-break hyphens; split over two cells when `cells` is the table's
    delimiter), and also by `term_regex`, so a term is found wherever either finds it."""
    spans = []
    terms = tuple(dict.fromkeys(terms))
    for term in terms:
        for m in term_regex(term).finditer(text):
            spans.append((m.start(), m.end(), term))
    if terms:
        spans += [(m.start, m.end, m.term) for m in scan(text, _term_matcher(terms), None, cells)]
    for name in patterns:
        regex = PATTERNS[name][1]
        if regex is not None:
            spans += [(m.start(), m.end(), name) for m in regex.finditer(text)]
        if name in _SCREEN:
            spans += [(m.start, m.end, name) for m in scan(text, None, _SCREEN[name])]
        elif name == "protected":
            matcher = _protected.get()
            if matcher is None:
                raise LookupError("the protected lists were not supplied (matching.protected_terms)")
            spans += [(m.start, m.end, name) for m in scan(text, matcher, None, cells)]
    return sorted(set(spans))


@lru_cache(maxsize=64)
def _term_fuzzy(terms: tuple[str, ...]):
    from ..screening.matcher import variants
    from ..screening.fuzzy import FuzzyIndex
    forms = {form: term for term in terms for form in variants(term)}
    return FuzzyIndex(list(forms)), forms


def fuzzy_spans(words: list[str], terms=(), patterns=()) -> list[tuple[int, int, str]]:
    """(first word, last word + 1, label) of terms, and of the protected lists' names, in OCR'd
    words, with OCR's usual errors tolerated."""
    out = []
    terms = tuple(dict.fromkeys(terms))
    if terms:
        index, forms = _term_fuzzy(terms)
        out += [(m.start, m.end, forms[m.term]) for m in index.find(words)]
    if "protected" in patterns and _protected.get() is not None:
        out += [(m.start, m.end, "protected") for m in _protected.get().fuzzy().find(words)]
    return out


def protected_matcher() -> Matcher | None:
    """The protected lists supplied with `protected_terms`, if any."""
    return _protected.get()
