"""Who does a leaked copy name? Format x transformation -> right / wrong / none.

    python -m bench.attribution_eval

Attribution: for each format, 50 copies, each marked for its own codeword
(the 50 are the candidate list), each put through every transformation in
tests/watermark/samples.py and read against its original.

False attribution: over 10,000 files that must name no one: unmarked files
(and their transformed versions) and "foreign" copies marked for codewords
outside the candidate list. A single wrong attribution fails the run. Unmarked
files are also read with no candidate list, where only the CRC guards.
When bench/attribution_eval_image.py exists, its rows join the table.
"""
from __future__ import annotations

import logging
import os
import sys
import time
from datetime import date

from portal.watermark import Stamp, derive, mark, read
from tests.watermark import samples

COPIES = 50
ISSUED = date(2026, 11, 28)
PDF, CSV, TEXT, OTHER = "application/pdf", "text/csv", "text/plain", "application/octet-stream"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# format: (content type, originals by seed, leaks)
FORMATS = {
    "PDF (6 pages)": (PDF, lambda s: samples.pdf(6, seed=s), samples.PDF_LEAKS),
    "CSV (2,000 rows)": (CSV, lambda s: samples.csv_bytes(2000, seed=s), samples.CSV_LEAKS),
    "XLSX": (XLSX, lambda s: samples.xlsx(20 + s), samples.XLSX_LEAKS),
    "DOCX": (DOCX, lambda s: samples.docx(2 + s, footer=bool(s % 2)), samples.DOCX_LEAKS),
    "text (400 lines)": (TEXT, lambda s: samples.text_bytes(400, seed=s), samples.TEXT_LEAKS),
    "other type (ZIP wrapper)": (OTHER, lambda s: os.urandom(2000 + s), samples.PACKAGE_LEAKS),
}


def _outcome(findings, code) -> str:
    found = [f.codeword for f in findings]
    return "none" if not found else "right" if found == [code] else "wrong"


def _tally(rows, fmt, name, outcomes):
    rows.append({"format": fmt, "transformation": name, "right": outcomes.count("right"),
                 "wrong": outcomes.count("wrong"), "none": outcomes.count("none")})


def attribution() -> list[dict]:
    codes = [derive(samples.KEY, f"eval-{i}") for i in range(COPIES)]
    rows = []
    for fmt, (ctype, make, leaks) in FORMATS.items():
        originals = [make(s) for s in range(3)]
        outcomes = {name: [] for name in leaks}
        for i, code in enumerate(codes):
            original = originals[i % len(originals)]
            stamp = Stamp(code, f"Recipient {i}", f"R-2026-{i:05d}", ISSUED, "https://records.example.gov")
            copy = mark(original, ctype, stamp)
            for name, leak in leaks.items():
                outcomes[name].append(_outcome(read(leak(copy), original, ctype, codes), code))
        for name, result in outcomes.items():
            _tally(rows, fmt, name, result)
    return rows


# Small files for the false-attribution run: (content type, original by seed, count, leaks used).
SMALL = [
    (CSV, lambda s: samples.csv_bytes(150, seed=s), 3000, ("as delivered", "rows sorted", "10% of rows")),
    (TEXT, lambda s: samples.text_bytes(120, seed=s), 3000, ("as delivered", "lines shuffled")),
    (OTHER, lambda s: os.urandom(300 + s % 97), 2400, ("as delivered", "re-zipped without comment")),
    (XLSX, lambda s: samples.xlsx(3 + s % 5), 500, ("as delivered",)),
    (DOCX, lambda s: samples.docx(1 + s % 4), 500, ("as delivered",)),
    (PDF, lambda s: samples.pdf(1, seed=s), 600, ("as delivered", "metadata stripped")),
]
LEAKS = {**samples.PDF_LEAKS, **samples.CSV_LEAKS, **samples.TEXT_LEAKS, **samples.XLSX_LEAKS,
         **samples.DOCX_LEAKS, **samples.PACKAGE_LEAKS}


def false_attribution() -> list[dict]:
    candidates = [derive(samples.KEY, f"eval-{i}") for i in range(COPIES)]
    unmarked, unmarked_blind, foreign = [], [], []
    for ctype, make, count, leak_names in SMALL:
        for s in range(count // 2):
            original = make(s)
            leak = LEAKS[leak_names[s % len(leak_names)]]
            plain = leak(original) if ctype != OTHER else original
            unmarked.append("wrong" if read(plain, original, ctype, candidates) else "none")
            if s % 10 == 0:
                unmarked_blind.append("wrong" if read(plain, original, ctype, []) else "none")
            outsider = samples.stamp(100_000 + s)
            copy = leak(mark(original, ctype, outsider))
            foreign.append("wrong" if read(copy, original, ctype, candidates) else "none")
    rows = []
    _tally(rows, "false attribution", f"unmarked, {COPIES} candidates", unmarked)
    _tally(rows, "false attribution", "unmarked, no candidate list (CRC only)", unmarked_blind)
    _tally(rows, "false attribution", f"marked for an outsider, {COPIES} candidates", foreign)
    return rows


def run() -> list[dict]:
    return attribution() + false_attribution()


def table(rows: list[dict]) -> str:
    lines = ["| format | transformation | right | wrong | none |", "|---|---|---|---|---|"]
    lines += [f"| {r['format']} | {r['transformation']} | {r['right']} | {r['wrong']} | {r['none']} |"
              for r in rows]
    return "\n".join(lines)


def main() -> int:
    # pypdf warns about the trailer of files it re-saved itself; the table is the output.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    start = time.perf_counter()
    rows = run()
    try:
        from bench import attribution_eval_image
    except ImportError:
        attribution_eval_image = None
    if attribution_eval_image is not None:
        rows += attribution_eval_image.run()
    print(table(rows))
    false = [r for r in rows if r["format"] == "false attribution"]
    print(f"\nfalse-attribution files: {sum(r['wrong'] + r['none'] for r in false)}, "
          f"wrong: {sum(r['wrong'] for r in false)}; {time.perf_counter() - start:.0f} s")
    return 1 if any(r["format"] == "false attribution" and r["wrong"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
