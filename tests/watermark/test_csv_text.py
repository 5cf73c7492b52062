import csv
import io
import random

import pytest
from tests.watermark import samples

from portal.watermark import WatermarkError, mark, read
from portal.watermark.csvmark import Table

CSV, TEXT = "text/csv", "text/plain"


def values(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(), newline="")))


@pytest.fixture(scope="module")
def original():
    return samples.csv_bytes(2000)


@pytest.fixture(scope="module")
def stamp():
    return samples.stamp(11)


@pytest.fixture(scope="module")
def marked(original, stamp):
    return mark(original, CSV, stamp)


def test_csv_values_never_change(original, marked):
    assert marked != original
    assert values(marked) == values(original)


def test_csv_tokenizer_agrees_with_the_csv_module(marked):
    table = Table(marked, "marked")
    ours = [[v.decode() for v in table.record_values(r)] for r in range(len(table.ends))]
    assert ours == values(marked)


def test_csv_deterministic(original, stamp, marked):
    assert mark(original, CSV, stamp) == marked


@pytest.mark.parametrize("leak, survives", [
    ("as delivered", {"quoting pattern", "line endings"}),
    ("rows sorted", {"quoting pattern", "line endings"}),
    ("10% of rows", None),
    ("line endings normalised to LF", {"quoting pattern"}),
    ("rewritten by a CSV library", set()),
])
def test_csv_leaks(leak, survives, original, marked, stamp):
    copy = samples.CSV_LEAKS[leak](marked)
    findings = read(copy, original, CSV, [stamp.codeword, samples.stamp(12).codeword])
    if survives == set():
        assert findings == []
        return
    assert [f.codeword for f in findings] == [stamp.codeword]
    if survives:
        assert set(findings[0].marks) == survives


def test_csv_row_order_only_when_free(original, stamp):
    kept = mark(original, CSV, stamp)
    assert [r[0] for r in values(kept)] == [r[0] for r in values(original)]
    free = mark(original, CSV, samples.stamp(11, row_order_free=True))
    assert [r[0] for r in values(free)] != [r[0] for r in values(original)]
    assert sorted(values(free)) == sorted(values(original))
    [finding] = read(free, original, CSV, [stamp.codeword])
    assert "row order" in finding.marks
    # quoting and line endings travel with their rows, so sorting leaves them readable
    [finding] = read(samples.csv_sorted(free), original, CSV, [stamp.codeword])
    assert finding.codeword == stamp.codeword and "row order" not in finding.marks


def test_csv_content_mark_is_opt_in_and_survives_a_rewrite(original, marked):
    stamp = samples.stamp(11, content_marks=True)
    assert "\u200b" not in marked.decode() and "\u200c" not in marked.decode()
    changed = mark(original, CSV, stamp)
    rows, before = values(changed), values(original)
    assert rows[0] == before[0]   # the header keeps its names
    assert rows != before and [[v.strip("\u200b\u200c") for v in r] for r in rows] == before
    [finding] = read(samples.csv_rewritten(changed), original, CSV, [stamp.codeword])
    assert finding.codeword == stamp.codeword
    assert finding.marks == ["zero-width characters (content mark)"]


def test_csv_other_delimiters_and_no_final_newline(stamp):
    original = samples.csv_bytes(200).replace(b",", b";").rstrip(b"\r\n")
    marked = mark(original, CSV, stamp)
    assert values(marked.replace(b";", b",")) == values(original.replace(b";", b","))
    assert [f.codeword for f in read(marked, original, CSV, [])] == [stamp.codeword]


def test_csv_no_finding_on_unmarked_or_foreign(original, marked):
    assert read(original, original, CSV, []) == []
    assert read(marked, original, CSV, [samples.stamp(13).codeword]) == []
    assert read(samples.csv_sorted(original), original, CSV, []) == []


@pytest.mark.parametrize("bad, message", [
    (b'id,name\n1,"Ann"x\n', "malformed"),
    (b'id,name\n1,"Ann\n2,Bob\n', "never closed"),
    (b"id,name,city\n1,Ann,Springfield\n2,Bob", "truncated"),
    (b"\x00\x01binary" + random.Random(64).randbytes(64), "NUL"),
])
def test_csv_refuses_malformed_truncated_and_binary(bad, message):
    with pytest.raises(WatermarkError, match=message):
        mark(bad, CSV, samples.stamp(1))


def test_encrypted_office_file_sent_as_csv_is_refused():
    with pytest.raises(WatermarkError, match="encrypted"):
        mark(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), CSV, samples.stamp(1))


@pytest.fixture(scope="module")
def text_original():
    return samples.text_bytes(400)


@pytest.mark.parametrize("leak", list(samples.TEXT_LEAKS))
def test_text_leaks(leak, text_original):
    stamp = samples.stamp(21)
    marked = mark(text_original, TEXT, stamp)
    assert mark(text_original, TEXT, stamp) == marked
    assert [line.rstrip() for line in marked.split(b"\n")] == text_original.split(b"\n")
    findings = read(samples.TEXT_LEAKS[leak](marked), text_original, TEXT, [stamp.codeword])
    if leak == "trailing whitespace stripped":
        assert findings == []
    else:
        assert [f.codeword for f in findings] == [stamp.codeword]


def test_text_no_finding_on_unmarked_or_foreign(text_original):
    marked = mark(text_original, TEXT, samples.stamp(21))
    assert read(text_original, text_original, TEXT, []) == []
    assert read(marked, text_original, TEXT, [samples.stamp(22).codeword]) == []


def test_text_refuses_binary():
    with pytest.raises(WatermarkError, match="NUL"):
        mark(b"abc\x00def", TEXT, samples.stamp(1))
