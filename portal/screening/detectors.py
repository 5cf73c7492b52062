"""Finding protected terms and personal data in text; spans point into the ORIGINAL text.

Pure: no Flask, no database. `scan(text, matcher, builtins)` is the reusable entry point (the protected lists' `Matcher` is in
matcher.py) (a
redaction feature can blank exactly the spans it returns).

Matching ignores case, accents, spacing and punctuation: both the text and the terms are
normalised (casefold, NFKD without combining marks, every run of non-alphanumerics -> one
space) and compared whole-word with Aho-Corasick.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .matcher import Matcher


@dataclass(frozen=True)
class Match:
    start: int          # offsets in the original text
    end: int
    kind: str           # "protected", "ssn", "dob", "personal_email", "phone"
    term: str           # the protected term as listed, or the text found
    list: str | None = None


# -- normalisation ----------------------------------------------------------------------------------

@dataclass
class Normalised:
    text: str           # " " + normalised + " ": the padding makes whole-word matching one lookup
    origin: np.ndarray  # origin[i] = index in the original of normalised character i (padding excluded)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the padded normalised span [start, end)."""
        return int(self.origin[start - 1]), int(self.origin[end - 2]) + 1


_ASCII = np.full(128, 32, dtype=np.uint32)   # ASCII code -> folded code; 32 (space) for a separator
for _c in range(128):
    if chr(_c).isalnum():
        _ASCII[_c] = ord(chr(_c).lower())
_DROP = 0   # a combining mark: removed without separating (a decomposed "é" stays one letter)


# Removed without separating, like a combining mark: a soft hyphen or pdfium's end-of-line hyphen
# (U+FFFE, \x02) joins the two halves of a word; zero-width and other format characters are
# invisible, so an adversary may put them inside a name.
_JOINERS = frozenset("\u00ad\ufffe\x02")
_LINE_HYPHEN = re.compile(r"[-\u2010\u2011][ \t]*(?:\r\n|\r|\n)[ \t]*")


@lru_cache(maxsize=8192)
def _fold(ch: str) -> str | None:
    """One character casefolded, without accents: its letters and digits, '' for a separator,
    None for a character removed without separating (combining marks, joiners)."""
    if ch in _JOINERS or unicodedata.combining(ch) or unicodedata.category(ch) == "Cf":
        return None
    out = "".join(c for c in unicodedata.normalize("NFKD", ch.casefold()) if not unicodedata.combining(c))
    return "".join(c for c in out if c.isalnum())


def _collapse(folded: np.ndarray, positions: np.ndarray) -> Normalised:
    """Runs of separators (32) become one; `positions` are the original indexes of `folded`."""
    sep = folded == 32
    kept = ~sep | (sep & ~np.concatenate(([False], sep[:-1])))
    body = folded[kept].astype("<u4").tobytes().decode("utf-32-le")
    return Normalised(" " + body + " ", positions[kept])


def _joined_lines(text: str) -> np.ndarray | None:
    """Indexes of a hyphen that breaks a word at a line's end and of the break itself ("Mar-" /
    "lowe"): removed, so the halves read as one word."""
    if "-\n" not in text and "-\r" not in text and "\u2010" not in text and "\u2011" not in text \
            and not re.search(r"-[ \t]+[\r\n]", text):
        return None
    gone = [i for m in _LINE_HYPHEN.finditer(text) for i in range(m.start(), m.end())]
    return np.array(gone, dtype=np.int64) if gone else None


def normalise(text: str) -> Normalised:
    """Vectorised with numpy on code points: a 6 MB table normalises in a few tens of milliseconds."""
    joined = _joined_lines(text)
    if text.isascii():
        raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        folded = _ASCII[raw]
        if joined is None and b"\x02" not in raw:
            return _collapse(folded, np.arange(len(raw)))
        keep = raw != 2
        if joined is not None:
            keep[joined] = False
        return _collapse(folded[keep], np.flatnonzero(keep))
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    high = cps >= 128
    uniq = np.unique(cps[high])
    mapped = np.empty(len(uniq), dtype=np.uint32)
    for i, cp in enumerate(uniq.tolist()):
        f = _fold(chr(cp))
        if f is not None and len(f) > 1:
            return _normalise_slowly(text)  # a fold into several letters (ß -> ss): rare
        mapped[i] = _DROP if f is None else (ord(f) if f else 32)
    folded = np.empty(len(cps), dtype=np.uint32)
    folded[~high] = _ASCII[cps[~high]]
    folded[high] = mapped[np.searchsorted(uniq, cps[high])]
    keep = (folded != _DROP) & (cps != 2)
    if joined is not None:
        keep[joined] = False
    return _collapse(folded[keep], np.flatnonzero(keep))


def _normalise_slowly(text: str) -> Normalised:
    chars: list[str] = []
    origin: list[int] = []
    in_sep = False
    joined = _joined_lines(text)
    skip = set(joined.tolist()) if joined is not None else ()
    for i, ch in enumerate(text):
        folded = _fold(ch) if not ch.isascii() or ch == "\x02" else (ch.lower() if ch.isalnum() else "")
        if folded is None or i in skip:
            continue
        if folded:
            chars.append(folded)
            origin.extend([i] * len(folded))
            in_sep = False
        elif not in_sep:
            chars.append(" ")
            origin.append(i)
            in_sep = True
    return Normalised(" " + "".join(chars) + " ", np.array(origin, dtype=np.int64))


def normalise_term(term: str) -> str:
    return normalise(term).text.strip()


# -- built-in detectors -----------------------------------------------------------------------------

_SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)(\d{3})([- ])(?!00)\d{2}\2(?!0000)\d{4}(?![\d-])")
_SSN_LABELLED = re.compile(r"(?<![A-Za-z])[sS](?i:sn|ocial\s+security(?:\s+(?:no|number|#))?)\W{0,4}"
                           r"((?!000|666|9\d\d)\d{3}(?!00)\d{2}(?!0000)\d{4})(?!\d)")
_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DATE = re.compile(
    r"(?i)(?<!\d)(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}|"
    rf"{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{4}})(?!\d)")
# Each pattern starts with a literal character class, which lets the regex engine skip ahead fast.
_DOB_CUE = re.compile(r"(?<![A-Za-z])[dDbB](?i:\.?\s?o\.?\s?b\b\.?|orn\b|ate\s+of\s+birth\b|irth\s*date\b|irthday\b)")
_DOB_WORDS = ("dob", "d.o.b", "d o b", "born", "birth")
DOB_WINDOW = 40     # characters after the cue in which a date counts as a date of birth
_EMAIL = re.compile(r"(?i)(?<![\w.+-])[\w.+-]{1,64}@((?:[a-z0-9-]{1,63}\.)+[a-z]{2,24})(?![\w-])")
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}"
                    r"|\+(?:[2-9]\d{0,2})(?:[ .-]?\d{2,4}){3,5})(?![\w-])")

# "Personal" e-mail under the default rule: an address at a free-mail provider.
FREEMAIL = frozenset("""
gmail.com googlemail.com yahoo.com ymail.com rocketmail.com hotmail.com outlook.com live.com msn.com
aol.com icloud.com me.com mac.com protonmail.com proton.me pm.me gmx.com gmx.net gmx.de mail.com
yandex.com yandex.ru zoho.com tutanota.com tuta.io fastmail.com hey.com comcast.net verizon.net att.net
sbcglobal.net bellsouth.net cox.net charter.net earthlink.net juno.com web.de mail.ru qq.com 163.com
""".split())


@dataclass(frozen=True)
class Builtins:
    """Which built-in detectors run, and the e-mail rule ("freemail": free-mail providers only;
    "any": every address outside `own_domains`)."""
    ssn: bool = True
    dob: bool = True
    personal_email: bool = True
    phone: bool = True
    email_rule: str = "freemail"
    own_domains: frozenset[str] = frozenset()


def _personal(domain: str, rules: Builtins) -> bool:
    domain = domain.lower()
    if rules.email_rule == "any":
        return not any(domain == d or domain.endswith("." + d) for d in rules.own_domains)
    return domain in FREEMAIL or any(domain.startswith(p) for p in ("yahoo.", "hotmail.", "outlook.",
                                                                    "live.", "gmx."))


_NUMERIC = np.zeros(256, dtype=bool)
_NUMERIC[[*range(48, 58), *b" ().-+"]] = True
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[48:58] = True


def code_points(text: str) -> np.ndarray:
    """The text's code points, one per Python index."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _lookup(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    if codes.dtype == np.uint8:
        return table[codes]
    out = np.zeros(len(codes), dtype=bool)
    low = codes < len(table)
    out[low] = table[codes[low]]
    return out


def _number_runs(text: str) -> list[tuple[int, int]]:
    """Spans that could hold an SSN or a phone number: runs of digits and ( ) . - + space with
    at least 9 digits. Found with numpy, so a 100,000-row table costs milliseconds; the exact
    patterns then run on these few spans only."""
    codes = code_points(text)
    numeric = np.concatenate(([False], _lookup(_NUMERIC, codes), [False]))
    edges = np.flatnonzero(numeric[1:] != numeric[:-1])
    starts, ends = edges[0::2], edges[1::2]
    long_enough = (ends - starts) >= 9
    starts, ends = starts[long_enough], ends[long_enough]
    if not len(starts):
        return []
    digits = np.concatenate(([0], np.cumsum(_lookup(_DIGIT, codes))))
    keep = (digits[ends] - digits[starts]) >= 9
    return [(max(int(a) - 1, 0), min(int(b) + 1, len(text))) for a, b in zip(starts[keep], ends[keep])]


def _in_runs(pattern: re.Pattern, text: str, runs, group: int = 0):
    for lo, hi in runs:
        for m in pattern.finditer(text, lo, hi):
            yield m.start(group), m.end(group), m.group(group)


def builtin_matches(text: str, rules: Builtins) -> list[Match]:
    out: list[Match] = []
    lowered = text.lower() if (rules.ssn or rules.dob) else ""
    runs = _number_runs(text) if (rules.ssn or rules.phone) else []
    if rules.ssn:
        seen = set()
        for start, end, found in _in_runs(_SSN, text, runs):
            seen.add(start)
            out.append(Match(start, end, "ssn", found))
        if "ssn" in lowered or "social" in lowered:
            for m in _SSN_LABELLED.finditer(text):
                if m.start(1) not in seen:
                    out.append(Match(m.start(1), m.end(1), "ssn", m.group(1)))
    if rules.dob and any(w in lowered for w in _DOB_WORDS):
        dates = set()
        for cue in _DOB_CUE.finditer(text):
            window = text[cue.end():cue.end() + DOB_WINDOW]
            date = _DATE.search(window)
            if date and cue.end() + date.start() not in dates:
                start = cue.end() + date.start()
                dates.add(start)
                out.append(Match(start, start + len(date.group(0)), "dob", date.group(0)))
    if rules.personal_email and "@" in text:
        for m in _EMAIL.finditer(text):
            if _personal(m.group(1), rules):
                out.append(Match(m.start(), m.end(), "personal_email", m.group(0)))
    if rules.phone:
        out.extend(Match(start, end, "phone", found) for start, end, found in _in_runs(_PHONE, text, runs))
    return out


def scan(text: str, matcher: Matcher | None = None, builtins: Builtins | None = None,
         cells: str | None = None) -> list[Match]:
    """Every protected term and built-in detection in `text`, sorted by position.

    Spans are offsets into `text` itself, so a caller can quote or blank them. `cells` is the
    cell delimiter when the text is a table (one row a line).
    """
    found: list[Match] = []
    if matcher is not None and matcher.size:
        found.extend(set(matcher.find(normalise(text), text, cells)))
    if builtins is not None:
        found.extend(builtin_matches(text, builtins))
    found.sort(key=lambda m: (m.start, m.end, m.kind))
    return found


def snippet(text: str, match: Match, width: int = 40) -> str:
    """The match with some text around it, on one line."""
    lo, hi = max(0, match.start - width), min(len(text), match.end + width)
    body = text[lo:match.start] + "[" + text[match.start:match.end] + "]" + text[match.end:hi]
    body = " ".join(body.split())
    return ("…" if lo else "") + body + ("…" if hi < len(text) else "")
