"""How often a leaked image copy is attributed to the right recipient, a wrong one, or nobody.

    python -m bench.attribution_eval_image

Attribution: for each delivery format, 50 recipients (50 codewords) each get a
copy of one of five synthetic 1600 x 1200 photos (tests/watermark/image_samples.py;
smaller than a camera's 12 MP to keep the run short, which makes it harder:
fewer blocks carry each chip). Stamps alternate corner and tiled. Every copy
goes through each leak, and is read against all 50 codewords.

False attribution: unmarked originals, and copies marked for someone not among
the candidates, through the same leaks, at 800 x 600 to keep the run short; any
finding there is wrong. Unmarked copies are also read with no candidate list,
where only a CRC-verified word may be reported.

"Screenshot size" is a 48% downscale (bilinear) then JPEG 85: what a 1920-pixel
screenshot does to a 4000-pixel photo. Two rows beyond the required ones show
where the mark stops: a quarter-size copy and a 2-degree rotation.
"""
from __future__ import annotations

import io
import time
from datetime import date

import numpy as np
from PIL import Image, ImageEnhance

from portal.watermark import Stamp, derive, image
from tests.watermark.image_samples import encode, photo

KEY = b"attribution eval"
FORMATS = {"JPEG": {}, "PNG": {}, "TIFF": {"compression": "tiff_lzw"}, "WEBP": {"quality": 90}}


def _jpeg(im: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _crop(im: Image.Image, rng: np.random.Generator) -> bytes:
    w, h = im.width * 9 // 10, im.height * 9 // 10
    x, y = int(rng.integers(0, im.width - w + 1)), int(rng.integers(0, im.height - h + 1))
    return _jpeg(im.crop((x, y, x + w, y + h)), 75)


def _scaled(im: Image.Image, factor: float, method, quality: int) -> bytes:
    size = (round(im.width * factor), round(im.height * factor))
    return _jpeg(im.resize(size, method), quality)


LEAKS = {
    "as delivered": lambda im, data, rng: data,
    "JPEG 75": lambda im, data, rng: _jpeg(im, 75),
    "50% then JPEG 75": lambda im, data, rng: _scaled(im, 0.5, Image.Resampling.LANCZOS, 75),
    "screenshot size then JPEG 85":
        lambda im, data, rng: _scaled(im, 0.48, Image.Resampling.BILINEAR, 85),
    "10% crop then JPEG 75": lambda im, data, rng: _crop(im, rng),
    "brightness +10% then JPEG 75":
        lambda im, data, rng: _jpeg(ImageEnhance.Brightness(im).enhance(1.1), 75),
    "brightness -10% then JPEG 75":
        lambda im, data, rng: _jpeg(ImageEnhance.Brightness(im).enhance(0.9), 75),
}
BEYOND = {
    "(beyond) 25% then JPEG 75":
        lambda im, data, rng: _scaled(im, 0.25, Image.Resampling.LANCZOS, 75),
    "(beyond) rotated 2 degrees then JPEG 75":
        lambda im, data, rng: _jpeg(im.rotate(2, Image.Resampling.BICUBIC), 75),
}


def _stamp(code, i: int) -> Stamp:
    return Stamp(code, f"Recipient {i}", f"R-2026-{i:05d}", date(2026, 11, 28),
                 "https://records.example.gov", image_stamp=("corner", "tiled")[i % 2])


def _tally(rows, fmt, name, outcomes, errors=()):
    rows.append({"format": fmt, "transformation": name, "right": outcomes.count("right"),
                 "wrong": outcomes.count("wrong"), "none": outcomes.count("none"),
                 "max_bit_errors": max(errors, default=None)})


def attribution(copies_per_leak: int = 50) -> list[dict]:
    rng = np.random.default_rng(1)
    codes = [derive(KEY, f"grant-{i}") for i in range(copies_per_leak)]
    photos = [photo(1600, 1200, seed=100 + s) for s in range(5)]
    rows = []
    for fmt, params in FORMATS.items():
        originals = [encode(p, fmt, **params) for p in photos]
        outcomes = {name: [] for name in {**LEAKS, **BEYOND}}
        errors = {name: [] for name in {**LEAKS, **BEYOND}}
        for i, code in enumerate(codes):
            original = originals[i % len(originals)]
            copy = image.mark(original, _stamp(code, i))
            im = Image.open(io.BytesIO(copy)).convert("RGB")
            for name, leak in {**LEAKS, **BEYOND}.items():
                findings = image.read(leak(im, copy, rng), original, codes)
                found = [f.codeword for f in findings]
                outcomes[name].append("none" if not found else
                                      "right" if found == [code] else "wrong")
                errors[name] += [f.bit_errors for f in findings if f.codeword == code]
        for name, result in outcomes.items():
            _tally(rows, fmt, name, result, errors[name])
    return rows


def false_attribution(originals: int = 100, foreign_per_original: int = 10) -> list[dict]:
    rng = np.random.default_rng(2)
    candidates = [derive(KEY, f"grant-{i}") for i in range(50)]
    leaks = list(LEAKS.items())
    unmarked, unmarked_blind, foreign = [], [], []
    for s in range(originals):
        original = encode(photo(800, 600, seed=1000 + s), "JPEG")
        im = Image.open(io.BytesIO(original)).convert("RGB")
        for _, leak in leaks:
            copy = leak(im, original, rng)
            unmarked.append("wrong" if image.read(copy, original, candidates) else "none")
            unmarked_blind.append("wrong" if image.read(copy, original, []) else "none")
        for k in range(foreign_per_original):
            outsider = derive(KEY, f"outsider-{s}-{k}")
            copy = image.mark(original, _stamp(outsider, k))
            marked = Image.open(io.BytesIO(copy)).convert("RGB")
            for _, leak in (leaks[0], leaks[1 + k % (len(leaks) - 1)]):
                found = image.read(leak(marked, copy, rng), original, candidates)
                foreign.append("wrong" if found else "none")
    rows = []
    _tally(rows, "false attribution", "unmarked, 7 leaks, 50 candidates", unmarked)
    _tally(rows, "false attribution", "unmarked, 7 leaks, no candidate list", unmarked_blind)
    _tally(rows, "false attribution", "marked for an outsider, 50 candidates", foreign)
    return rows


def run() -> list[dict]:
    return attribution() + false_attribution()


def table(rows: list[dict]) -> str:
    lines = ["| format | transformation | right | wrong | none | most bit errors when right |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r['format']} | {r['transformation']} | {r['right']} | {r['wrong']} | "
              f"{r['none']} | {'' if r['max_bit_errors'] is None else r['max_bit_errors']} |"
              for r in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    start = time.perf_counter()
    result = table(run())
    print(result)
    print(f"\n{time.perf_counter() - start:.0f} s")
