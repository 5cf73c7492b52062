"""Redacting 20 terms in a 200-page text PDF, with the text layer restored, in one run.

    python -m bench.redaction [RUNS]

Baseline, measured in the same run: rendering the same 200 pages with pypdfium2 at the same
resolution, and nothing else (the least any rasterising redaction must do). Reported: the
redaction (search, render, paint, JPEG, text layer, write), the verification (pypdfium2,
pdftotext twice, pdfminer.six, structure and under-box checks), and each as a ratio to the
baseline. CPU seconds of this process and its children (a shared machine's wall time also counts
other people's work), medians of RUNS runs (default 3).
"""
from __future__ import annotations

import os
import statistics
import sys

from portal.redaction.engine import Plan, redact, verify
from tests.redaction import samples

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
PAGES = 200
DPI = 150
NAMES = ["Ana Diaz", "Bo Chen", "Cy Ode", "Dee Fox", "Eli Gray", "Fay Hunt", "Gus Iver", "Hal Jones",
         "Ida Kent", "Jo Lund", "Kim Moss", "Lee Nash", "Max Orr", "Ned Pike", "Ola Quin", "Pat Rowe",
         "Quy Sand", "Rae Tull", "Sol Urie", "Tam Vale"]


def document() -> bytes:
    pages = []
    for p in range(PAGES):
        lines = []
        for n in range(40):
            name = NAMES[(p * 7 + n) % len(NAMES)]
            lines.append(f"Line {n + 1} of page {p + 1}: overtime approved for {name}, unit {n % 9}, "
                         f"{(p * n) % 60} hours.")
        pages.append(lines)
    return samples.text_pdf(pages)


def cpu(fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(RUNS):
        before = os.times()
        result = fn()
        after = os.times()
        times.append(sum(after[:4]) - sum(before[:4]))
    return statistics.median(times), result


def main() -> None:
    data = document()
    plan = Plan(terms={name: i for i, name in enumerate(NAMES, 1)}, labels={n: "b6" for n in NAMES})

    def baseline():
        import pypdfium2 as pdfium
        doc = pdfium.PdfDocument(data)
        for i in range(len(doc)):
            doc[i].render(scale=DPI / 72).to_pil()
        doc.close()

    def run():
        return redact("application/pdf", data, Plan(terms=dict(plan.terms), labels=dict(plan.labels)), dpi=DPI)

    base, _ = cpu(baseline)
    took, (out, _, done) = cpu(run)
    checked, report = cpu(lambda: verify("application/pdf", data, out, done))
    assert report.ok, report.problems
    found = sum(done.counts.values())
    print(f"input: {PAGES} pages, {len(data) / 1e6:.2f} MB; {len(NAMES)} terms found {found} times; "
          f"output {len(out) / 1e6:.2f} MB at {DPI} dpi")
    print("| step | CPU seconds | ratio to baseline |")
    print("| --- | --- | --- |")
    print(f"| baseline: pypdfium2 renders the 200 pages | {base:.2f} | 1.00 |")
    print(f"| redact 20 terms, text layer restored | {took:.2f} | {took / base:.2f} |")
    print(f"| verify (4 extractors, structure, under-box) | {checked:.2f} | {checked / base:.2f} |")
    print(f"checks: {'; '.join(report.checks)}")


if __name__ == "__main__":
    main()
