import io
import random
import zipfile

import pytest
from tests.watermark import samples

from portal.watermark import Codeword, derive, false_match_probability, mark, read, supported
from portal.watermark.package import mark_stream

OTHER = "application/octet-stream"


@pytest.fixture(scope="module")
def original():
    # Opaque bytes that no file-type signature matches (random bytes now and then look like MP3).
    return b"OPAQUE-RECORD\n" + random.Random(7).randbytes(3000) + b"end of record"


def test_wrapper_holds_the_original_and_a_plain_receipt(original):
    stamp = samples.stamp(51)
    marked = mark(original, OTHER, stamp)
    archive = zipfile.ZipFile(io.BytesIO(marked))
    assert archive.namelist() == ["DISCLOSURE.txt", "record.bin"]
    assert archive.read("record.bin") == original
    receipt = archive.read("DISCLOSURE.txt").decode()
    for words in (stamp.recipient, stamp.tracking_number, stamp.code, "2026-11-28", stamp.portal_url, "SHA-256"):
        assert words in receipt
    assert stamp.code.encode() in archive.comment
    assert {i.date_time for i in archive.infolist()} == {(2026, 11, 28, 0, 0, 0)}


def test_wrapper_is_deterministic(original):
    assert mark(original, OTHER, samples.stamp(51)) == mark(original, OTHER, samples.stamp(51))


@pytest.mark.parametrize("leak", list(samples.PACKAGE_LEAKS))
def test_wrapper_leaks(leak, original):
    stamp = samples.stamp(52)
    copy = samples.PACKAGE_LEAKS[leak](mark(original, OTHER, stamp))
    findings = read(copy, original, OTHER, [stamp.codeword, samples.stamp(53).codeword])
    expected = [] if leak == "record taken out alone" else [stamp.codeword]
    assert [f.codeword for f in findings] == expected


def test_no_finding_on_unmarked_or_foreign(original):
    assert read(original, original, OTHER, []) == []
    assert read(mark(original, OTHER, samples.stamp(54)), original, OTHER, [samples.stamp(55).codeword]) == []


def test_wrap_flag_wraps_any_type_and_reading_finds_it():
    pdf = samples.pdf(2)
    stamp = samples.stamp(56, wrap=True)
    wrapped = mark(pdf, "application/pdf", stamp)
    assert zipfile.ZipFile(io.BytesIO(wrapped)).read("record.pdf") == pdf
    assert [f.codeword for f in read(wrapped, pdf, "application/pdf", [stamp.codeword])] == [stamp.codeword]


class _Pipe(io.RawIOBase):
    """A destination that cannot seek, like an HTTP response body."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += b
        return len(b)


@pytest.mark.parametrize("seekable", [True, False])
def test_mark_stream_matches_and_streams(seekable, original):
    stamp = samples.stamp(57)
    dst = io.BytesIO() if seekable else _Pipe()
    mark_stream(io.BytesIO(original), dst, "../../etc/report.bin", stamp)
    data = dst.getvalue() if seekable else bytes(dst.data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["DISCLOSURE.txt", "report.bin"]
    assert archive.read("report.bin") == original
    assert [f.codeword for f in read(data, original, OTHER, [])] == [stamp.codeword]


def test_engine_dispatch():
    assert supported("application/pdf") == "pdf"
    assert supported("text/csv; charset=utf-8") == "tabular"
    assert supported("text/plain") == "text"
    assert supported("application/zip") == "package"


def test_codewords_verify_and_false_match_is_tiny():
    word = derive(b"k", "grant")
    assert word.is_valid and Codeword.from_text(word.text) == word
    assert not Codeword(word.value ^ 1).is_valid
    assert false_match_probability(0, 100) < 1e-17
