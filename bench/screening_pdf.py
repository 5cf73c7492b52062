"""Screening a 200-page text PDF: every extractor and place against one extractor alone.

Run from the repository root:

    python -m bench.screening_pdf

The screen (`portal.screening.engine.screen_file`, the release path with OCR on) reads each page
with pypdf, pdfium and pdftotext, the outline, labels, structure tree, marked content, form fields
and annotation appearances, and decides which pages OCR must read (none here: every page has a
text layer). Baselines in the same run: pypdf's text extraction alone (the screen's one extractor
before issue 20), and pdfium's alone. Target: the screen <= 2x one extractor. Medians of RUNS.
"""
from __future__ import annotations

import io
import random
import statistics
import sys
import time

from portal.screening.detectors import Builtins
from portal.screening.matcher import Matcher
from portal.screening.engine import Policy, screen_file
from portal.screening.ocr_screen import OcrBudget
from portal.screening.readers import Limits

PAGES = 200
RUNS = 3
TARGET = 2.0
WORDS = "report officer district shift patrol vehicle incident summary hours overtime unit".split()


def make_pdf(rng: random.Random) -> bytes:
    import pikepdf
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for n in range(PAGES):
        lines = [" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(45)]
        if n == 150:
            lines[20] = "Officer Quintessa Marlowe-Vance signed the log."
        body = " ".join(f"({line}) Tj T*" for line in lines)
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792],
            Contents=pdf.make_stream(f"BT /F1 10 Tf 50 760 Td 15 TL {body} ET".encode()),
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _median(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    data = make_pdf(random.Random(5))
    matcher = Matcher([("Quintessa Marlowe-Vance", "Undercover")] + [(f"Name{i} Person{i}", "L") for i in range(2000)])
    policy = Policy(matcher, Builtins(), Limits(), frozenset(), OcrBudget(None))
    result = screen_file(data, "application/pdf", policy)
    found = sorted({m["where"] for m in result["matches"] if m["kind"] == "protected"})

    def pypdf_alone():
        from pypdf import PdfReader
        reader = PdfReader(io.BytesIO(data))
        return [p.extract_text() for p in reader.pages]

    def pdfium_alone():
        import pypdfium2 as pdfium
        doc = pdfium.PdfDocument(data)
        try:
            return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
        finally:
            doc.close()

    screen = _median(lambda: screen_file(data, "application/pdf", policy))
    one_pypdf = _median(pypdf_alone)
    one_pdfium = _median(pdfium_alone)
    print(f"{PAGES}-page text PDF, {len(data):,} bytes; protected name found at: {found}")
    print(f"{'method':58} {'seconds':>8} {'ratio':>7}")
    print(f"{'screen_file (pypdf + pdfium + pdftotext + places, OCR on)':58} {screen:8.3f} {1.0:6.2f}x")
    print(f"{'baseline: pypdf text extraction alone':58} {one_pypdf:8.3f} {screen / one_pypdf:6.2f}x")
    print(f"{'baseline: pdfium text extraction alone':58} {one_pdfium:8.3f} {screen / one_pdfium:6.2f}x")
    met = screen <= TARGET * one_pypdf and found == ["page 151"]
    print(f"target: the screen <= {TARGET}x one extractor (pypdf), name found on page 151: "
          + ("met" if met else "MISSED"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
