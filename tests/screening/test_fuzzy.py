"""Protected names in OCR'd words: OCR's usual misreadings match, other names do not."""
import random
import time

import pytest

from portal.screening.matcher import variants
from portal.screening.fuzzy import FuzzyIndex, budget, fuzzy_find

TERMS = ["Quintessa Marlowe-Vance", "Quintessa", "Hartwell", "Badge 4471", "Jane Roe", "Li Wu"]
FORMS = [form for term in TERMS for form in variants(term)]


def _find(text: str) -> list[tuple[str, str, int]]:
    words = text.split()
    return [(m.term, " ".join(words[m.start:m.end]), m.distance) for m in fuzzy_find(words, FORMS)]


@pytest.mark.parametrize("read,term", [
    ("Quintcssa", "quintessa"),                       # e read as c
    ("Quintessa", "quintessa"),
    ("Qulntessa", "quintessa"),                       # i read as l
    ("Quin tessa", "quintessa"),                      # a word split in two
    ("Hartwcll", "hartwell"),                         # 8 letters: one edit
    ("Quintcssa Mar1owe-Vance", "quintessa marlowe vance"),   # 21 letters: two edits
    ("QuintessaMarlowe-Vance", "quintessa marlowe vance"),    # the space lost
    ("Quintessa Marlowe Vance", "quintessa marlowe vance"),
])
def test_ocr_misreadings_of_a_protected_name_match(read, term):
    assert term in [t for t, _, _ in _find(f"Officer {read} was on duty")]


@pytest.mark.parametrize("read", [
    "Hartwood",          # another 8-letter name: two edits from Hartwell
    "Hartwelling",       # a longer word is not the name
    "Quintana",          # a different name sharing a start
    "Badge 4472",        # one digit off is another badge: numbers are matched exactly
    "Jane Rae",          # 7 letters: no edit allowed
    "Janet Roe",
])
def test_other_words_do_not_match(read):
    assert _find(f"Officer {read} was on duty") == []


def test_a_match_names_its_words_and_its_distance():
    words = ["Report", "by", "Quintcssa", "Marlowe-Vance", "today"]
    found = {m.term: m for m in fuzzy_find(words, FORMS)}
    m = found["quintessa marlowe vance"]
    assert (m.start, m.end, m.distance) == (2, 4, 1)
    assert (found["quintessa"].start, found["quintessa"].end) == (2, 3)


def test_short_names_and_whole_words():
    assert [t for t, _, _ in _find("met Li Wu and LiWu")] == ["li wu", "li wu"]
    assert _find("annual Hartwellness report") == []


def test_edit_budget_follows_the_letters_of_a_name():
    assert [budget(f) for f in ("jane roe", "hartwell", "quintessa", "abcdefghijk", "abcdefghijkl",
                                "quintessa marlowe vance", "badge 4471")] == [0, 1, 1, 1, 2, 2, 0]


def test_ten_thousand_terms_stay_fast():
    rng = random.Random(7)
    syllables = "an ar el en in is la le li ma mar na ne ri ro sa ta te tha va vi wel son ton".split()

    def name():
        return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))).capitalize()
    terms = [f"{name()} {name()}" for _ in range(10_000)]
    index = FuzzyIndex(form for t in terms for form in variants(t))
    page = [name() if rng.random() < 0.3 else rng.choice(["the", "report", "of", "officer"])
            for _ in range(500)]
    page[100:102] = terms[1234].split()

    start = time.perf_counter()
    found = index.find(page)
    elapsed = time.perf_counter() - start

    assert normalise(terms[1234]) in [m.term for m in found if m.start == 100]
    assert elapsed < 1.0, f"{elapsed:.2f} s for one page against 10,000 terms"


def normalise(term: str) -> str:
    from portal.screening.detectors import normalise_term
    return normalise_term(term)
