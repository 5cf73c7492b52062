"""The check of a PDF copy just made: it finds every mark where it was written,
and says which one is missing when a mark is not there."""
from tests.watermark import samples
from tests.watermark.samples import _pikepdf_edit as _edited

from portal.watermark import mark, verify
from portal.watermark.pdf import INFO_KEY
from portal.watermark.pdfcheck import missing_marks

PDF = "application/pdf"


def test_a_fresh_copy_has_every_mark():
    original, stamp = samples.pdf(6), samples.stamp(1)
    marked = mark(original, PDF, stamp)
    assert missing_marks(marked, stamp) == []
    assert verify(marked, original, PDF, stamp)


def test_another_recipients_code_or_the_original_does_not_pass():
    original = samples.pdf(3)
    marked = mark(original, PDF, samples.stamp(1))
    assert "document info" in missing_marks(marked, samples.stamp(2))
    assert not verify(marked, original, PDF, samples.stamp(2))
    assert not verify(original, original, PDF, samples.stamp(1))


def test_each_missing_mark_is_named():
    original, stamp = samples.pdf(3), samples.stamp(1)
    marked = mark(original, PDF, stamp)

    def drop_info(pdf):
        del pdf.docinfo[INFO_KEY]

    def undraw_last_page(pdf):
        page = pdf.pages[-1]
        page.obj.Contents = page.obj.Contents[0:len(page.obj.Contents) - 1]

    assert missing_marks(_edited(marked, drop_info), stamp) == ["document info"]
    assert missing_marks(_edited(marked, undraw_last_page), stamp) == ["stamp drawn on page 3"]
    assert missing_marks(b"%PDF-1.7 broken", stamp)[0].startswith("the copy cannot be opened")
