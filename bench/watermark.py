"""Speed and size of the document watermarks, in one run.

    python -m bench.watermark

- a 200-page text PDF, against `qpdf --overlay stamp.pdf --repeat=1 --` with
  the same stamp drawn on a one-page PDF (the C++ command line, process start
  included);
- a 100,000-row CSV and a 100,000-row XLSX (the XLSX is written with
  openpyxl's write-only mode first, outside the timing);
- 100,000 lines of text, and a 32 MB file streamed into the ZIP wrapper;
- reading a marked 200-page PDF and a sorted 100,000-row CSV (one run each);
- and, when bench/watermark_image.py exists, the image rows in the same table.
Times are medians of five runs.
"""
from __future__ import annotations

import io
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import pikepdf

from portal.watermark import mark, package, pdfstamp, read
from tests.watermark import samples

RUNS = 5
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _median(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cpu(fn) -> float:
    """Median CPU seconds of this process and its children: wall time on a
    shared two-core machine also counts other people's work."""
    times = []
    for _ in range(RUNS):
        before = os.times()
        fn()
        after = os.times()
        times.append(sum(after[:4]) - sum(before[:4]))
    return statistics.median(times)


def _row(name, seconds, notes, baseline=None):
    return {"name": name, "seconds": seconds, "baseline_seconds": baseline,
            "ratio": None if baseline is None else seconds / baseline, "notes": notes}


def _stamp_pdf(stamp) -> bytes:
    """The same drawing as the stamp objects (band and diagonal), as the one page qpdf overlays."""
    doc = pikepdf.new()
    page = doc.add_blank_page(page_size=(612, 792))
    band = pdfstamp.band_object(doc, stamp, 612.0, pdfstamp.band_height(612.0, 792.0))
    diagonal = pdfstamp.diagonal_object(doc, stamp)
    place = b" ".join(pdfstamp.num(v) for v in pdfstamp.diagonal_matrix(stamp.code, 612.0, 792.0))
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(PortalStamp0=band, PortalStamp1=diagonal))
    page.obj.Contents = doc.make_stream(b"q " + place + b" cm /PortalStamp1 Do Q q /PortalStamp0 Do Q")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pdf_rows(stamp) -> list[dict]:
    original = samples.pdf(200)
    marked = mark(original, "application/pdf", stamp)
    ours = _median(lambda: mark(original, "application/pdf", stamp))
    size = f"input {len(original) / 1e3:.0f} KB, output {len(marked) / 1e3:.0f} KB ({len(marked) / len(original):.3f}x)"
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        return [_row("mark 200-page text PDF", ours, size + "; qpdf not installed, no baseline")]
    with tempfile.TemporaryDirectory() as tmp:
        src, stamp_file, dst = Path(tmp, "in.pdf"), Path(tmp, "stamp.pdf"), Path(tmp, "out.pdf")
        src.write_bytes(original)
        stamp_file.write_bytes(_stamp_pdf(stamp))
        command = [qpdf, str(src), "--overlay", str(stamp_file), "--repeat=1", "--", str(dst)]
        baseline = _median(lambda: subprocess.run(command, check=True))
        cpu, qpdf_cpu = _cpu(lambda: mark(original, "application/pdf", stamp)), _cpu(
            lambda: subprocess.run(command, check=True))
        qpdf_size = dst.stat().st_size
    return [_row("mark 200-page text PDF", ours, f"{size}; qpdf output {qpdf_size / 1e3:.0f} KB "
                 f"({qpdf_size / len(original):.3f}x); CPU {cpu:.3f} s vs qpdf {qpdf_cpu:.3f} s "
                 f"({cpu / qpdf_cpu:.3f}x)", baseline)]


def tabular_rows(stamp) -> list[dict]:
    rows = []
    original = samples.csv_bytes(100_000)
    marked = mark(original, "text/csv", stamp)
    rows.append(_row("mark 100k-row CSV", _median(lambda: mark(original, "text/csv", stamp)),
                     f"{len(original) / 1e6:.1f} MB -> {len(marked) / 1e6:.1f} MB; quoting + line endings"))
    start = time.perf_counter()
    workbook = _xlsx_100k()
    made = time.perf_counter() - start
    rows.append(_row("mark 100k-row XLSX", _median(lambda: mark(workbook, XLSX, stamp)),
                     f"{len(workbook) / 1e6:.1f} MB; footer on the data sheet (recompressed), notice sheet, "
                     f"custom property; openpyxl write_only took {made:.1f} s to write it (not timed)"))
    text = b"".join(b"Line %d: report paragraph about matter %d.\n" % (i, i * 13 % 997) for i in range(100_000))
    rows.append(_row("mark 100k-line text", _median(lambda: mark(text, "text/plain", stamp)),
                     f"{len(text) / 1e6:.1f} MB; trailing whitespace"))
    return rows


def _xlsx_100k() -> bytes:
    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    for row in samples.csv_rows(100_000):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def stream_row(stamp) -> dict:
    data = bytes(range(256)) * (32 * 4096)   # 32 MB

    def run():
        package.mark_stream(io.BytesIO(data), io.BytesIO(), "big.bin", stamp)
    return _row("ZIP wrapper, 32 MB streamed", _median(run), "mark_stream, 1 MB chunks, deflate")


def read_rows(stamp) -> list[dict]:
    """Reading is rarer than marking (once per found copy); timed once each."""
    candidates = [samples.stamp(i).codeword for i in range(1, 51)]
    rows = []
    for name, ctype, original in (("200-page text PDF", "application/pdf", samples.pdf(200)),
                                  ("100k-row CSV, rows sorted", "text/csv", samples.csv_bytes(100_000))):
        copy = mark(original, ctype, stamp)
        if ctype == "text/csv":
            copy = samples.csv_sorted(copy)
        start = time.perf_counter()
        [finding] = read(copy, original, ctype, candidates)
        rows.append(_row(f"read {name}", time.perf_counter() - start,
                         f"one run, 50 candidates; marks: {', '.join(finding.marks)}"))
    return rows


def run() -> list[dict]:
    stamp = samples.stamp(1)
    return pdf_rows(stamp) + tabular_rows(stamp) + [stream_row(stamp)] + read_rows(stamp)


def table(rows: list[dict]) -> str:
    lines = ["| what | seconds | baseline s | ratio | notes |", "|---|---|---|---|---|"]
    for r in rows:
        base = "" if r["baseline_seconds"] is None else f"{r['baseline_seconds']:.3f}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.3f}"
        lines.append(f"| {r['name']} | {r['seconds']:.3f} | {base} | {ratio} | {r['notes']} |")
    return "\n".join(lines)


def main() -> None:
    rows = run()
    try:
        from bench import watermark_image
    except ImportError:
        watermark_image = None
    if watermark_image is not None:
        rows += watermark_image.run()
    print(table(rows))


if __name__ == "__main__":
    main()
