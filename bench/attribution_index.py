"""Choosing attribution candidates among 10,000 released originals: how long it takes.

    python -m bench.attribution_index [--records 10000]

Builds a migrated SQLite database whose fingerprint index holds 10,000 released originals:
7,000 PDFs of 10 text pages and 3,000 photos, as fingerprints.py writes them
(random keys stand for other records' pages; five real PDFs and five real
photos are fingerprinted for real). Then times, median of 7, choosing the
candidates for: a one-page extract of a 40-page PDF, a page of an image-only
PDF, and a 10% crop of a photo, fingerprinting the found file included; and
says whether the right original came first. Nothing is kept.
"""
from __future__ import annotations

import argparse
import io
import random
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from PIL import Image

from bench.common import close_database, portal_app

PDF_PAGES = 10


def _fill(records: int, real: list[tuple[bytes, str]]) -> dict[int, int]:
    """Blob rows and their fingerprints; the blob id of each real original, by its index in `real`."""
    from portal.clawback import fingerprints
    from portal.clawback.models import Fingerprint, FingerprintedBlob
    from portal.core.models import utcnow
    from portal.extensions import db
    from portal.records.models import Blob

    rng = random.Random(7)
    now = utcnow()
    blobs, fps, marks, real_ids = [], [], [], {}
    for i in range(1, records + 1):
        is_pdf = i % 10 < 7
        blobs.append({"id": i, "sha256": f"{i:064x}", "size": 1000, "backend": "local", "key": f"bench/{i}",
                      "content_type": "application/pdf" if is_pdf else "image/jpeg", "created_at": now})
        if i - 1 < len(real):
            data, ctype = real[i - 1]
            blobs[-1]["content_type"] = ctype
            rows = fingerprints.fingerprints(data, ctype, 10 ** 8)
            real_ids[i - 1] = i
        elif is_pdf:
            rows = [("text", p, rng.getrandbits(64) - 2 ** 63, None) for p in range(PDF_PAGES) for _ in range(16)]
        else:
            value = rng.getrandbits(64) - 2 ** 63
            rows = [("photo", w, fingerprints._key("photo", b, rng.getrandbits(8)), value)
                    for w in range(len(fingerprints._WINDOWS)) for b in range(8)]
        fps += [{"blob_id": i, "kind": k, "page": p, "key": key, "value": v} for k, p, key, v in rows]
        marks.append({"blob_id": i, "version": 1, "keys": len(rows), "indexed_at": now})
    db.session.execute(sa.insert(Blob), blobs)
    for start in range(0, len(fps), 50_000):
        db.session.execute(sa.insert(Fingerprint), fps[start:start + 50_000])
    db.session.execute(sa.insert(FingerprintedBlob), marks)
    db.session.commit()
    print(f"{records:,} originals, {len(fps):,} fingerprint rows")
    return real_ids


def run(records: int, url: str | None) -> list[tuple[str, float, bool]]:
    from portal.clawback import fingerprints
    from portal.watermark import mark
    from tests.clawback.test_attribution_index import _jpeg, _pages, _scanned_pdf
    from tests.watermark import image_samples, samples

    long_pdf, scan = samples.pdf(40, seed=11), _scanned_pdf(4, seed=3)
    photo = image_samples.encode(image_samples.photo(4000, 3000, seed=2), "JPEG")
    real = [(long_pdf, "application/pdf"), (scan, "application/pdf"), (photo, "image/jpeg")] + [
        (samples.pdf(10, seed=20 + s), "application/pdf") for s in range(3)]
    stamp = samples.stamp(1)
    copy = Image.open(io.BytesIO(mark(photo, "image/jpeg", stamp)))
    w, h = copy.size
    found = {
        "1-page extract of a 40-page PDF": (0, _pages(mark(long_pdf, "application/pdf", stamp), [23]),
                                            "application/pdf"),
        "a page of an image-only PDF": (1, _pages(mark(scan, "application/pdf", stamp), [3]), "application/pdf"),
        "10% crop of a 12 MP photo, JPEG 80": (2, _jpeg(copy.crop((w // 10, h // 10, w, h))), "image/jpeg"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        app = portal_app(Path(tmp) / "instance", url)
        with app.app_context():
            real_ids = _fill(records, real)
            rows = []
            for name, (which, data, ctype) in found.items():
                times, chosen = [], []
                for _ in range(7):
                    start = time.perf_counter()
                    chosen = fingerprints.candidates(fingerprints.probes(data, ctype, 10 ** 8), 25)
                    times.append(time.perf_counter() - start)
                rows.append((name, statistics.median(times), bool(chosen) and chosen[0] == real_ids[which],
                             len(chosen)))
        close_database(app)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args()
    url = None
    print("| found file | choosing candidates, ms (median of 7) | right original first | candidates |")
    print("|---|---|---|---|")
    for name, seconds, right, n in run(args.records, url):
        print(f"| {name} | {seconds * 1000:.0f} | {'yes' if right else 'NO'} | {n} |")


if __name__ == "__main__":
    main()
