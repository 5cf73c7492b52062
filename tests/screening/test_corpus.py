"""The adversarial corpus of issue 20, against the pure engines: every file that hides a protected
name is held naming it and where; every redaction leaves it readable by no reader (pdfium,
pdftotext, pdfminer.six, the PDF's objects, the package XML, image metadata, Tesseract OCR of the
pixels), or, when another line was redacted, the output is held; every control is released.

What fails today is listed in tests/data/corpus_misses.py (MISSES_TODAY) and marked
xfail(strict=True): a fix shows up as XPASS, which fails the run until its line is deleted.
`python -m tests.data.screening_corpus --report` prints the same results as a table.
"""
from __future__ import annotations

import pytest

from tests.conftest import unavailable
from tests.data.screening_corpus import MISSES_TODAY, PROTECTED, _build, cases
from tests.screening.corpus_check import redaction_problem, screen_problem
from tests.screening.corpus_readers import finds, tools_missing


def _params(stages):
    out = []
    for case in cases():
        for stage in stages(case):
            reason = MISSES_TODAY.get((case.id, stage))
            marks = [pytest.mark.xfail(strict=True, reason=f"issue 20: {reason}")] if reason else []
            out.append(pytest.param(case, stage, id=f"{case.id}/{stage}", marks=marks))
    return out


@pytest.mark.parametrize(("case", "stage"), _params(lambda c: ["screen"]))
def test_screened_held_naming_the_term_and_place_controls_released(case, stage):
    problem = screen_problem(case)
    assert problem is None, f"{case.id}: {problem}"


@pytest.mark.parametrize(("case", "method"), _params(lambda c: c.methods))
def test_redacted_name_is_read_by_no_reader(case, method):
    if tools_missing():
        unavailable(f"{', '.join(tools_missing())} not installed (apt-get install poppler-utils tesseract-ocr)")
    problem = redaction_problem(case, method)
    assert problem is None, f"{case.id} redacted by {method}: {problem}"


def test_the_corpus_is_large_deterministic_and_each_file_hides_one_listed_name():
    built = _build()
    hiding = [c for c in built if c.name]
    assert len(hiding) >= 80 and len(built) - len(hiding) >= 10
    assert len({c.id for c in built}) == len(built)
    assert [c.data for c in built] == [c.data for c in cases()]   # same code, same bytes
    assert all(c.name in PROTECTED for c in hiding)
    assert set(MISSES_TODAY) <= {(c.id, s) for c in built for s in ("screen", *c.methods)}


def test_the_leak_check_reads_every_form_the_corpus_uses():
    """The readers' matching must be at least as broad as the rule the corpus states, or a
    redaction test could pass on a name it failed to recognise."""
    assert finds("Quintessa Marlowe-Vance", "Q u i n t e s s a  M a r-\nlowe\u00adVance")
    assert finds("Maria de la Cruz", "de la Cruz, Maria") and finds("Maria de la Cruz", "Cruz, Maria de la")
    assert finds("José Ñúñez", "JOSE NUNEZ")
    assert finds("Quintessa Marlowe-Vance", "Quintesa Marlowe-Vanee", ocr=True)   # two OCR slips
    assert not finds("Quintessa Marlowe-Vance", "Quintessa Marlow")
