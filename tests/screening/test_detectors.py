"""Detectors on plain text: spans in the original, evasions, each built-in detector."""
import pytest

from portal.screening.detectors import Builtins, scan
from portal.screening.matcher import Matcher

LIST = Matcher([("José Álvarez", "Undercover"), ("AB-1234", "Serials"), ("Ann", "Short"),
                ("Quintessa Marlowe-Vance", "Undercover"), ("Maria de la Cruz", "Undercover"),
                ("Li Wei", "Undercover")])


def _found(text, matcher=LIST, builtins=None):
    return [(m.kind, text[m.start:m.end]) for m in scan(text, matcher, builtins)]


@pytest.mark.parametrize("text, seen", [
    ("Officer José Álvarez reported", "José Álvarez"),
    ("OFFICER JOSE ALVAREZ", "JOSE ALVAREZ"),                    # case and accents
    ("officer jose    alvarez", "jose    alvarez"),              # extra spaces
    ("Alvarez, Jose (unit 4)", "Alvarez, Jose"),                  # Last, First
    ("J o s e", None),
    ("name: jose\n  alvarez", "jose\n  alvarez"),                # across a line break
    ("Jose,Alvarez,Narcotics", "Jose,Alvarez"),                   # split across CSV columns
    ("Joséalvarez", "Joséalvarez"),                               # spaces dropped (a text layer)
    ("Joséalvarezian", None),                                     # not a whole word
    ("Marlowe-Vance, Quintessa", "Marlowe-Vance, Quintessa"),     # Last, First with a double surname
    ("de la Cruz, Maria", "de la Cruz, Maria"),                   # a surname of three words
    ("Cruz, Maria de la", "Cruz, Maria de la"),                   # every split point
    ("Q u i n t e s s a  M a r l o w e - V a n c e", "Q u i n t e s s a  M a r l o w e - V a n c e"),
    ("L i  W e i", "L i  W e i"),                                 # letter-spaced short name
    ("Oli Weight", None),                                         # the letters, inside other words
    ("QuintessaMarlowe-Vance", "QuintessaMarlowe-Vance"),         # spaces dropped
    ("Quin\u00adtessa Marlowe-Vance", "Quin\u00adtessa Marlowe-Vance"),     # soft hyphen
    ("Quintessa Mar\ufffelowe-Vance", "Quintessa Mar\ufffelowe-Vance"),    # pdfium's line-end hyphen
    ("Quintessa Mar-\nlowe-Vance", "Quintessa Mar-\nlowe-Vance"),          # hyphenated line break
    ("Q\u200buintessa Marlowe-Vance", "Q\u200buintessa Marlowe-Vance"),     # zero-width space
    ("Quintéssa MARLOWE VANCE", "Quintéssa MARLOWE VANCE"),
    ("badge ab 1234 issued", "ab 1234"),
    ("badge AB1234", None),
    ("annual report", None),
    ("to Ann.", "Ann"),
])
def test_protected_terms_ignore_case_accents_spacing_and_order(text, seen):
    found = [t for k, t in _found(text) if k == "protected"]
    assert found == ([seen] if seen else [])


def test_spans_point_into_the_original_text_even_after_multi_character_folds():
    text = "Straße ﬁle: José  Álvarez!"
    [m] = scan(text, LIST)
    assert text[m.start:m.end] == "José  Álvarez" and m.term == "José Álvarez" and m.list == "Undercover"


@pytest.mark.parametrize("kind, text, hit", [
    ("ssn", "SSN 123-45-6789 on file", "123-45-6789"),
    ("ssn", "social security number: 123456789", "123456789"),
    ("ssn", "invoice 000-12-3456 and 666-12-3456", None),
    ("ssn", "order 123456789", None),
    ("dob", "DOB: 04/12/1981", "04/12/1981"),
    ("dob", "She was born on March 3, 1975 in Ohio", "March 3, 1975"),
    ("dob", "Date of birth 1980-01-02", "1980-01-02"),
    ("dob", "Meeting on 04/12/1981", None),
    ("personal_email", "write to maria.lopez@gmail.com", "maria.lopez@gmail.com"),
    ("personal_email", "write to records@city.gov", None),
    ("phone", "call (555) 123-4567 now", "(555) 123-4567"),
    ("phone", "call 555.123.4567", "555.123.4567"),
    ("phone", "call +44 20 7946 0958", "+44 20 7946 0958"),
    ("phone", "case 2025-0001234", None),
])
def test_builtin_detectors(kind, text, hit):
    found = [t for k, t in _found(text, None, Builtins()) if k == kind]
    assert found == ([hit] if hit else [])


def test_each_builtin_can_be_switched_off():
    text = "SSN 123-45-6789 DOB 01/02/1980 a@gmail.com (555) 123-4567"
    assert {k for k, _ in _found(text, None, Builtins())} == {"ssn", "dob", "personal_email", "phone"}
    off = Builtins(ssn=False, dob=False, personal_email=False, phone=False)
    assert _found(text, None, off) == []


def test_email_rule_any_flags_every_address_outside_the_agency():
    rules = Builtins(email_rule="any", own_domains=frozenset({"city.gov"}))
    found = _found("a@city.gov b@parks.city.gov c@lawfirm.com", None, rules)
    assert found == [("personal_email", "c@lawfirm.com")]


@pytest.mark.parametrize("text", [
    "Jose\u0301 A\u0301lvarez",          # decomposed accents
    "ДЕЛО: José Álvarez",                  # another script around it
    "Straße 5, José Álvarez",              # a fold into two letters takes the slow path
])
def test_non_ascii_texts_find_the_same_spans(text):
    [m] = scan(text, LIST)
    assert text[m.start:m.end].endswith("lvarez") and m.term == "José Álvarez"


def test_fast_and_slow_normalisation_agree():
    from portal.screening.detectors import _normalise_slowly, normalise
    text = "  Ünïcode—TEXT, with 12 digits; ДЕЛО 5 and e\u0301\u0301!  "
    fast, slow = normalise(text), _normalise_slowly(text)
    assert fast.text == slow.text and fast.origin.tolist() == slow.origin.tolist()


@pytest.mark.parametrize("table, seen", [
    ("id,first,unit,last\n1,Quintessa,4,Marlowe-Vance\n", ["Quintessa", "Marlowe-Vance"]),
    ("last,x,first\n\"de la Cruz\",3,\"Maria\"\n", ["de la Cruz", "Maria"]),
    ("a,b\nMaria Lopez,Juan Cruz\n", []),                   # two other people in one row
    ("first,last\nQuintessa,Smith\nJo,Marlowe-Vance\n", []),  # the parts on different rows
    ("note\nQuintessa met Marlowe-Vance\n", []),             # parts inside one cell's sentence
])
def test_names_split_over_two_cells_of_a_row(table, seen):
    found = [table[m.start:m.end] for m in scan(table, LIST, None, cells=",") if m.kind == "protected"]
    assert found == seen
