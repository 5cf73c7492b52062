"""Speed of the image watermark on a 12-megapixel photo, against blind-watermark in the same run.

    python -m bench.watermark_image

The photo is synthetic (tests/watermark/image_samples.py: sky, 1/f texture,
hard-edged shapes, grain), 4000 x 3000, stored as JPEG quality 90 and cached
in bench/out/. Our times are the median of five runs and include decoding the
JPEG and encoding the marked copy; the baseline (blind-watermark 0.4.4, its
default settings, embedding the same 64 bits) is timed once, from reading the
file to writing the marked JPEG.
"""
from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from PIL import Image

from portal.watermark import Stamp, derive, image
from tests.watermark.image_samples import encode, photo

OUT = Path(__file__).parent / "out"
RUNS = 5


def twelve_megapixels() -> bytes:
    path = OUT / "photo-4000x3000.jpg"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        path.write_bytes(encode(photo(4000, 3000, seed=7), "JPEG", quality=90))
    return path.read_bytes()


def _median(fn, *args) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _baseline(original: bytes, bits) -> float:
    import contextlib

    from blind_watermark import WaterMark

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.jpg"), os.path.join(tmp, "out.jpg")
        Path(src).write_bytes(original)
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):     # it prints a banner
            bwm = WaterMark(password_img=1, password_wm=1)
            bwm.read_img(src)
            bwm.read_wm([bool(b) for b in bits], mode="bit")
            bwm.embed(dst)
        return time.perf_counter() - start


def _save(im: Image.Image, **params) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", **params)
    return buf.getvalue()


def run() -> list[dict]:
    original = twelve_megapixels()
    code = derive(b"bench key", "grant-1")
    stamp = Stamp(code, "Jane Q. Reporter", "R-2026-00123", date(2026, 11, 28),
                  "https://records.example.gov")
    candidates = [code] + [derive(b"bench key", f"grant-{i}") for i in range(2, 101)]
    rows = []
    baseline = _baseline(original, code.bits)
    for style in ("corner", "tiled"):
        styled = Stamp(**{**stamp.__dict__, "image_stamp": style})
        ours = _median(image.mark, original, styled)
        rows.append({"name": f"mark 12 MP JPEG, {style} stamp", "seconds": ours,
                     "baseline_seconds": baseline, "ratio": ours / baseline,
                     "notes": "decode, stamp, mark, encode JPEG 92; baseline: blind-watermark "
                              "0.4.4 embed of the same 64 bits, file to file"})
    marked = image.mark(original, stamp)
    im = Image.open(io.BytesIO(marked)).convert("RGB")
    copies = {
        "as delivered": marked,
        "50% then JPEG 75": _save(im.resize((2000, 1500), Image.Resampling.LANCZOS), quality=75),
        "1920 px then JPEG 85": _save(im.resize((1920, 1440), Image.Resampling.BILINEAR),
                                      quality=85),
        "10% crop, JPEG 75": _save(im.crop((200, 150, 3800, 2850)), quality=75),
    }
    for name, copy in copies.items():
        findings = image.read(copy, original, candidates)
        assert [f.codeword for f in findings] == [code], name
        ours = _median(image.read, copy, original, candidates)
        rows.append({"name": f"read 12 MP, {name}", "seconds": ours, "baseline_seconds": None,
                     "ratio": None, "notes": f"100 candidates; {findings[0].evidence[0]}"})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| what | seconds | baseline s | ratio | notes |", "|---|---|---|---|---|"]
    for r in rows:
        base = "" if r["baseline_seconds"] is None else f"{r['baseline_seconds']:.2f}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.3f}"
        lines.append(f"| {r['name']} | {r['seconds']:.3f} | {base} | {ratio} | {r['notes']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run()))
