"""The image watermark: round trips, the leaks it must survive, and what it must refuse."""
from __future__ import annotations

import io
import struct
import zlib
from datetime import date

import numpy as np
import pytest
from PIL import Image, ImageEnhance

from portal.watermark import Stamp, WatermarkError, derive, image
from portal.watermark.codeword import Codeword

from tests.watermark.image_samples import encode, photo

KEY = b"test key"
CODES = [derive(KEY, f"grant-{i}") for i in range(20)]
OURS, FOREIGN = CODES[3], derive(KEY, "someone else")


def stamp(code: Codeword = OURS, style: str = "corner") -> Stamp:
    return Stamp(code, "Jane Q. Reporter", "R-2026-00123", date(2026, 11, 28),
                 "https://records.example.gov", image_stamp=style)


@pytest.fixture(scope="module")
def pixels() -> np.ndarray:
    return photo(512, 384, seed=11)


@pytest.fixture(scope="module")
def original(pixels) -> bytes:
    return encode(pixels, "JPEG")


@pytest.fixture(scope="module")
def marked(original) -> bytes:
    return image.mark(original, stamp())


def save(im: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def attributed(copy: bytes, original: bytes, candidates=CODES) -> Codeword | None:
    findings = image.read(copy, original, candidates)
    assert len(findings) <= 1
    return findings[0].codeword if findings else None


@pytest.mark.parametrize("fmt,params", [
    ("JPEG", {}), ("PNG", {}), ("TIFF", {"compression": "tiff_lzw"}),
    ("WEBP", {"lossless": True}), ("WEBP", {"lossless": False, "quality": 90}),
])
@pytest.mark.parametrize("style", ["corner", "tiled"])
def test_round_trip_keeps_format_and_verifies(pixels, fmt, params, style):
    original = encode(pixels, fmt, **params)
    copy = image.mark(original, stamp(style=style))
    out = Image.open(io.BytesIO(copy))
    assert out.format == fmt and out.width == 512
    assert out.height == 384 if style == "tiled" else 400 < out.height < 440
    [finding] = image.read(copy, original, CODES)
    assert finding.codeword == OURS
    assert finding.marks == ["luminance", "metadata"]
    assert finding.bit_errors == 0
    assert finding.false_match_probability < 1e-9
    assert "64 of 64 bits match, 0 errors" in finding.evidence[0]


def test_visible_stamp_sits_in_a_strip_below_or_across_the_picture(original):
    before = np.asarray(opened(original), dtype=np.int16)

    def stamped(style):
        after = np.asarray(opened(image.mark(original, stamp(style=style))), dtype=np.int16)
        return after, np.abs(after[:384] - before).max(axis=2) > 25     # well above the invisible mark

    (strip, covered), (_, tiled) = stamped("strip"), stamped("tiled")
    assert covered.mean() < 0.001                 # no part of the picture is hidden
    below = strip[384:].max(axis=2)
    assert (below < 40).mean() > 0.6 and (below > 200).mean() > 0.02   # the white label on grey
    assert all(tiled[rows].mean() > 0.02 for rows in np.array_split(np.arange(384), 4))


def test_same_input_same_bytes(original):
    assert image.mark(original, stamp()) == image.mark(original, stamp())
    assert image.mark(original, stamp()) != image.mark(original, stamp(CODES[4]))


def test_invisible_mark_alone_keeps_psnr_above_38_db(pixels):
    marked = image._embed(pixels, image._plan(image._luma(pixels)), OURS)
    mse = np.mean((marked.astype(np.float64) - pixels) ** 2)
    psnr = 10 * np.log10(255 ** 2 / mse)
    print(f"PSNR of the invisible mark alone: {psnr:.2f} dB")
    assert 38.0 <= psnr < 42.0
    # Luminance only: the colour differences between channels do not move.
    diff = marked.astype(np.int16) - pixels
    unclipped = (pixels > 5).all(axis=2) & (pixels < 250).all(axis=2)
    assert (diff[..., 0] == diff[..., 1])[unclipped].all()


def _half(im):
    return save(im.resize((im.width // 2, im.height // 2), Image.Resampling.LANCZOS), quality=75)


def _screenshot(im):
    # 1920 pixels across is 48% of a 4000-pixel photo; these test pictures are smaller,
    # so the same 48% is applied, with the bilinear filter screenshot tools use.
    size = (round(im.width * 0.48), round(im.height * 0.48))
    return save(im.resize(size, Image.Resampling.BILINEAR), quality=85)


def _crop(im):
    w, h = im.width * 9 // 10, im.height * 9 // 10
    return save(im.crop((13, 27, 13 + w, 27 + h)), quality=75)


def _corner_crop(im):
    return save(im.crop((im.width // 10, 0, im.width, im.height)), "PNG")


def _crop_then_shrink(im):
    part = im.crop((40, 10, 40 + im.width * 8 // 10, 10 + im.height * 8 // 10))
    return save(part.resize((part.width * 3 // 4, part.height * 3 // 4)), quality=85)


LEAKS = {
    "as delivered": lambda im: None,
    "JPEG 75": lambda im: save(im, quality=75),
    "50% then JPEG 75": _half,
    "screenshot size then JPEG 85": _screenshot,
    "10% crop, JPEG 75": _crop,
    "10% off one side": _corner_crop,
    "20% crop, then 75% size": _crop_then_shrink,
    "brighter by 10%": lambda im: save(ImageEnhance.Brightness(im).enhance(1.1), quality=75),
    "darker by 10%": lambda im: save(ImageEnhance.Brightness(im).enhance(0.9), quality=75),
}


@pytest.mark.parametrize("leak", LEAKS)
@pytest.mark.parametrize("style", ["corner", "tiled"])
def test_mark_survives(original, leak, style):
    copy = image.mark(original, stamp(style=style))
    leaked = LEAKS[leak](opened(copy)) or copy
    findings = image.read(leaked, original, CODES)
    assert [f.codeword for f in findings] == [OURS]
    assert "luminance" in findings[0].marks
    assert findings[0].false_match_probability < 1e-9


def test_without_candidates_a_crc_verified_word_is_accepted(original, marked):
    leaked = save(opened(marked), quality=75)
    [finding] = image.read(leaked, original, [])
    assert finding.codeword == OURS and finding.bit_errors == 0


def test_unmarked_and_foreign_copies_give_no_finding(original):
    assert image.read(original, original, CODES) == []
    assert image.read(original, original, []) == []
    recompressed = save(opened(original), quality=75)
    assert image.read(recompressed, original, CODES) == []
    assert image.read(_half(opened(original)), original, CODES) == []
    assert image.read(recompressed, original, []) == []
    foreign = image.mark(original, stamp(FOREIGN))
    assert image.read(foreign, original, CODES) == []
    assert image.read(save(opened(foreign), quality=75), original, CODES) == []


def test_a_different_picture_gives_no_finding(original, marked):
    other = encode(photo(512, 384, seed=99), "JPEG")
    assert image.read(save(opened(marked), quality=90), other, CODES) == []
    [metadata_only] = image.read(marked, other, CODES)      # the EXIF code names the file
    assert metadata_only.marks == ["metadata"]


def test_exif_orientation_is_applied_and_dropped(pixels):
    upright = Image.fromarray(pixels)
    stored = upright.transpose(Image.Transpose.ROTATE_90)   # as a camera held sideways stores it
    exif = Image.Exif()
    exif[0x0112] = 6                                          # "rotate 90 clockwise to view"
    exif[0x010F] = "Test Camera"
    original = save(stored, quality=95, exif=exif.tobytes())
    copy = image.mark(original, stamp())
    out = Image.open(io.BytesIO(copy))
    assert out.width == upright.width and out.height > upright.height   # the strip below
    assert 0x0112 not in out.getexif()
    assert out.getexif()[0x010F] == "Test Camera"
    similar = np.abs(np.asarray(out.convert("RGB"), dtype=np.int16)[:300] - pixels[:300])
    assert np.median(similar) < 4                            # the pixels face the right way
    assert attributed(save(out.convert("RGB"), quality=75), original) == OURS


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "P", "CMYK", "I;16"])
def test_other_modes_are_converted_and_marked(pixels, mode):
    im = Image.fromarray(pixels)
    if mode == "I;16":
        im = Image.fromarray(np.asarray(im.convert("L")).astype(np.uint16) * 257)
    else:
        im = im.convert(mode)
    original = save(im, "TIFF" if mode == "CMYK" else "PNG")
    copy = image.mark(original, stamp())
    assert Image.open(io.BytesIO(copy)).mode in ("L", "LA", "RGB", "RGBA")
    assert attributed(copy, original) == OURS


def _bomb(side: int) -> bytes:
    """A valid PNG whose header claims side x side pixels."""
    png = save(Image.new("L", (1, 1)), "PNG")
    ihdr = b"IHDR" + struct.pack(">II", side, side) + png[24:29]
    return png[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + png[33:]


@pytest.mark.parametrize("data,message", [
    (b"", "cannot decode"),
    (b"not an image at all", "cannot decode"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "cannot decode"),
    (encode(photo(40, 300), "PNG"), "too small"),
    (_bomb(11000), "100-megapixel limit"),        # ours
    (_bomb(20000), "100-megapixel limit"),        # Pillow's own, past twice its default
])
def test_refuses_malformed_and_bombs(data, message):
    with pytest.raises(WatermarkError, match=message):
        image.mark(data, stamp())


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_refuses_truncated(original, fmt):
    whole = save(opened(original), fmt)
    with pytest.raises(WatermarkError, match="truncated"):
        image.mark(whole[: len(whole) // 2], stamp())


def test_refuses_other_formats_and_animations(pixels):
    with pytest.raises(WatermarkError, match="not a JPEG, PNG, TIFF or WebP"):
        image.mark(save(Image.fromarray(pixels), "GIF"), stamp())
    frames = [Image.fromarray(pixels), Image.fromarray(255 - pixels)]
    pages = io.BytesIO()
    frames[0].save(pages, "TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(WatermarkError, match="multi-page"):
        image.mark(pages.getvalue(), stamp())


def test_read_refuses_a_damaged_copy(original):
    with pytest.raises(WatermarkError):
        image.read(b"garbage", original, CODES)


def test_unknown_stamp_style_is_refused(original):
    with pytest.raises(WatermarkError, match="unknown image stamp"):
        image.mark(original, stamp(style="diagonal"))
