"""Per-recipient marks for photos and images (JPEG, PNG, TIFF, WebP).

Three marks, each found by `read` independently:

* a visible stamp, in a strip added below the picture or tiled across it
  (`stamp.image_stamp`); the strip is cut off again before reading;
* an invisible mark in the luminance: 128 balanced chips spread over every
  8x8-pixel block. Each block's Haar-DWT low band (4x4 coefficients) has its
  largest singular value moved up or down by a small amount, so the change
  follows the block's own structure and hides in texture. (The usual extra
  DCT of the block is left out: it is orthonormal, so it does not change
  singular values.) Only luminance is touched, as JPEG's 4:2:0 halves colour;
* the code in the EXIF ImageUniqueID, which anything that strips metadata loses.

Reading is informed: the portal kept the original, so the copy is aligned to it
(align.py), the original's content is subtracted, and each chip is a weighted
correlation of what is left with the block pattern it was spread over. That
cancels the picture itself, which is what limits blind decoders; the visible
stamp and any damage show up as noisy blocks and get little weight.
"""
from __future__ import annotations

import io
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from PIL import Image
from PIL.JpegImagePlugin import get_sampling
from scipy import ndimage

from . import align, overlay
from .codeword import BITS, Codeword, chips_to_bits, false_match_probability, nearest
from .engine import Finding, Stamp, WatermarkError

MAX_PIXELS = 100_000_000            # larger files are refused: a decoded 100 MP image is 300 MB
MIN_SIDE = 64                       # smaller has too few blocks to carry 128 chips
FORMATS = ("JPEG", "PNG", "TIFF", "WEBP")
JPEG_QUALITY = 92                   # re-encoding loss stays well under the mark's strength
WEBP_QUALITY = 92
PSNR_DB = 40.0                      # strength of the invisible mark, before the visible stamp
FALSE_MATCH_LIMIT = 1e-9
_SOFTEN = 1.0                       # pixels of blur on the mark's block edges
_CHIPS = 2 * BITS
_SEED = 0x1D1A_2026                 # public: the spreading only has to be fixed, not secret
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
_LOSSLESS_TIFF = {"raw", "tiff_lzw", "tiff_deflate", "tiff_adobe_deflate", "packbits"}
_EXIF_IFD, _UNIQUE_ID, _ORIENTATION = 0x8769, 0xA420, 0x0112
_SAME_AXES = (Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.FLIP_TOP_BOTTOM,
              Image.Transpose.ROTATE_180)


@dataclass
class _Picture:
    pixels: np.ndarray              # uint8, H x W (L), H x W x 2 (LA), x 3 (RGB) or x 4 (RGBA)
    format: str
    exif: Image.Exif
    save: dict                      # encoder options that keep the original's character


def _open(data: bytes) -> _Picture:
    """Decode, upright and normalise to L, LA, RGB or RGBA; WatermarkError if that fails."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            if im.format not in FORMATS:
                raise WatermarkError(f"not a JPEG, PNG, TIFF or WebP image (found {im.format})")
            if im.width * im.height > MAX_PIXELS:
                raise WatermarkError(f"image of {im.width}x{im.height} pixels is over the "
                                     f"{MAX_PIXELS // 1_000_000}-megapixel limit")
            if min(im.size) < MIN_SIDE:
                raise WatermarkError(f"image of {im.width}x{im.height} pixels is too small to "
                                     f"mark (at least {MIN_SIDE} each way)")
            if getattr(im, "n_frames", 1) > 1:
                raise WatermarkError("multi-page and animated images are not supported")
            im.load()
    except WatermarkError:
        raise
    except Image.DecompressionBombError as exc:
        raise WatermarkError(f"image refused: over the {MAX_PIXELS // 1_000_000}-megapixel "
                             f"limit, a possible decompression bomb") from exc
    except Exception as exc:  # decoders raise many types for hostile or damaged input
        raise WatermarkError(f"cannot decode the image (malformed or truncated): {exc}") from exc

    fmt = im.format
    save = {"dpi": im.info["dpi"]} if "dpi" in im.info else {}
    if im.mode not in ("CMYK", "LAB") and im.info.get("icc_profile"):
        save["icc_profile"] = im.info["icc_profile"]     # a CMYK profile would lie about RGB
    if fmt == "JPEG":
        sampling = get_sampling(im)                      # keep 4:4:4 where the original had it
        save.update(quality=JPEG_QUALITY, subsampling=sampling if sampling >= 0 else 2)
    elif fmt == "TIFF":
        compression = im.info.get("compression", "raw")
        save["compression"] = compression if compression in _LOSSLESS_TIFF else "tiff_lzw"
    elif fmt == "WEBP":
        save.update({"lossless": True} if _webp_lossless(data) else {"quality": WEBP_QUALITY})

    exif = im.getexif()
    turn = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
            4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
            6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_90}.get(exif.get(_ORIENTATION, 1))
    exif.pop(_ORIENTATION, None)    # the pixels are upright from here on
    if turn is not None:
        im = im.transpose(turn)
        if turn not in _SAME_AXES and "dpi" in save:
            save["dpi"] = save["dpi"][::-1]

    if im.mode.startswith("I;16") or im.mode == "I":    # 16-bit greys: the copy is 8-bit
        pixels = np.clip(np.asarray(im, dtype=np.float64) / 257.0 + 0.5, 0, 255).astype(np.uint8)
        return _Picture(pixels, fmt, exif, save)
    if im.mode in ("1", "L", "LA", "RGB", "RGBA"):
        target = {"1": "L"}.get(im.mode, im.mode)
    elif im.mode in ("P", "PA"):
        target = "RGBA" if im.mode == "PA" or "transparency" in im.info else "RGB"
    elif im.mode in ("CMYK", "YCbCr", "LAB", "HSV", "RGBX", "RGBa"):
        target = "RGBA" if im.mode == "RGBa" else "RGB"
    else:
        raise WatermarkError(f"image mode {im.mode} is not supported")
    if target in ("L", "RGB") and "transparency" in im.info:
        target += "A"
    return _Picture(np.asarray(im if im.mode == target else im.convert(target)), fmt, exif, save)


def _webp_lossless(data: bytes) -> bool:
    """Whether the WebP bitstream is VP8L (lossless); found by walking the RIFF chunks."""
    pos = 12
    while pos + 8 <= len(data):
        kind, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        if kind in (b"VP8 ", b"VP8L"):
            return kind == b"VP8L"
        pos += 8 + size + (size & 1)
    return False


def _encode(pic: _Picture, pixels: np.ndarray, code: Codeword) -> bytes:
    unique = f"{code.value:032X}"
    if pic.format == "TIFF":
        # A TIFF's "EXIF" is its own directory of layout tags (strips, photometric):
        # copying those onto the new pixels would break the file, so only the code goes.
        meta = {"tiffinfo": {_UNIQUE_ID: unique}}
    else:
        pic.exif.get_ifd(_EXIF_IFD)[_UNIQUE_ID] = unique
        meta = {"exif": pic.exif.tobytes()}
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, pic.format, **meta, **pic.save)
    return buf.getvalue()


def _luma(pixels: np.ndarray) -> np.ndarray:
    if pixels.ndim == 2:
        return pixels.astype(np.float32)
    if pixels.shape[2] == 2:
        return pixels[..., 0].astype(np.float32)
    return pixels[..., :3] @ _LUMA


# ---- the invisible mark ------------------------------------------------------------------

@dataclass
class _Plan:
    """Where each chip goes, derived from the original alone so the reader can rebuild it."""
    level: int                      # Haar level: a block is 4 * 2**level pixels square
    u: np.ndarray                   # (rows, cols, 4) each block's main left singular vector
    v: np.ndarray                   # (rows, cols, 4) and right one
    amp: np.ndarray                 # (rows, cols) strength of the change in each block
    chip: np.ndarray                # (rows, cols) which of the 128 chips the block carries
    sign: np.ndarray                # (rows, cols) +-1 spreading, so no regular pattern shows
    null: np.ndarray                # (rows, cols) an unused +-1 sequence: measures the noise


def _level(shape: tuple[int, ...]) -> int:
    """Bigger blocks on big pictures, so a 1920-pixel screenshot of them still resolves a block."""
    level = 1
    while max(shape) / 2 ** level > 2560:
        level += 1
    return level


def _blocks(y: np.ndarray, level: int) -> np.ndarray:
    """The Haar low band at `level`, cut into 4x4 blocks: (rows, cols, 4, 4)."""
    side = 4 * 2 ** level
    rows, cols = y.shape[0] // side, y.shape[1] // side
    low = y[:rows * side, :cols * side]
    for _ in range(level):          # strided sums: far faster than reshape-and-sum
        low = low[0::2] + low[1::2]
        low = (low[:, 0::2] + low[:, 1::2]) * np.float32(0.5)
    return low.reshape(rows, 4, cols, 4).transpose(0, 2, 1, 3)


def _plan(y: np.ndarray) -> _Plan:
    level = _level(y.shape)
    b = _blocks(y, level)
    # Main singular pair by power iteration: a batched LAPACK SVD of 190,000 blocks takes a
    # second, and natural blocks are dominated by their mean, so four steps converge.
    gram = np.einsum("...ab,...ac->...bc", b, b)
    v = np.full(b.shape[:-1], 0.5, dtype=np.float32)
    for _ in range(4):
        nv = np.einsum("...bc,...c->...b", gram, v)
        norm = np.linalg.norm(nv, axis=-1, keepdims=True)
        v = np.where(norm > 1e-6, nv / np.maximum(norm, 1e-6), 0.5)
    bv = np.einsum("...ab,...b->...a", b, v)
    s0 = np.linalg.norm(bv, axis=-1)
    u = np.where(s0[..., None] > 1e-6, bv / np.maximum(s0, 1e-6)[..., None], 0.5)
    # Texture hides the change: flat blocks get a third of what busy ones get.
    side = 4 * 2 ** level
    detail = np.sqrt(np.maximum((b * b).sum(axis=(-2, -1)) - s0 * s0, 0.0)) / side
    mask = 0.5 + np.minimum(detail, 8.0) / 8.0
    mse = 255.0 ** 2 / 10 ** (PSNR_DB / 10)
    amp = mask * np.sqrt(mse * side * side / np.mean(mask * mask))
    rng = np.random.default_rng(_SEED)
    n = mask.size
    chip = (rng.permutation(n) % _CHIPS).reshape(mask.shape)
    sign = rng.integers(0, 2, size=(2, n), dtype=np.int8) * 2 - 1
    return _Plan(level, u, v, amp.astype(np.float32), chip, sign[0].reshape(mask.shape),
                 sign[1].reshape(mask.shape))


def _delta(plan: _Plan, chips: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The luminance change that carries the chips, at the original's size."""
    d = plan.amp * plan.sign * (2.0 * chips[plan.chip] - 1.0)
    change = d[..., None, None] * plan.u[..., :, None] * plan.v[..., None, :]
    rows, cols = d.shape
    s = 2 ** plan.level
    low = change.transpose(0, 2, 1, 3).reshape(rows * 4, cols * 4)
    # Soften the block edges, which the eye picks out in flat sky, keeping the energy.
    soft = ndimage.gaussian_filter(low, _SOFTEN / s, truncate=3.0)
    low = (soft * np.sqrt(np.mean(low * low) / max(float(np.mean(soft * soft)), 1e-12)) / s
           ).reshape(rows * 4, 1, cols * 4, 1)
    out = np.zeros(shape, dtype=np.float32)
    out[:rows * 4 * s, :cols * 4 * s] = np.broadcast_to(
        low, (rows * 4, s, cols * 4, s)).reshape(rows * 4 * s, cols * 4 * s)
    return out


def _soft(plan: _Plan, residual: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Soft chip values (about +-1 when cleanly marked) and the same from the null sequence."""
    b = _blocks(residual, plan.level)
    r = np.einsum("...a,...ab,...b->...", plan.u, b, plan.v)
    # Noise per block from the part of the residual the mark does not explain; the
    # floor is the rounding to 8-bit pixels. Blocks under the visible stamp or hit by
    # damage come out noisy and count little.
    noise = np.maximum((b * b).sum(axis=(-2, -1)) - r * r, 0.0) / 15.0 + 1.0 / 12.0
    side = 4 * 2 ** plan.level
    rows, cols = r.shape
    covered = _blocks(valid.astype(np.float32), plan.level).sum(axis=(-2, -1))
    whole = covered > side * side / 2 ** plan.level - 0.5    # every pixel of the block known
    # A change far bigger than the mark, along the mark's own direction, is something
    # else: the stamp's flat label, a local edit. Those blocks are left out.
    plausible = np.abs(r) < 2.0 * plan.amp + 4.0 * np.sqrt(noise)
    weight = (whole & plausible) * plan.amp / noise
    chip = plan.chip.ravel()
    den = np.bincount(chip, (weight * plan.amp).ravel(), _CHIPS)
    den[den == 0] = np.inf

    def spread(sign):
        return np.bincount(chip, (weight * sign * r).ravel(), _CHIPS) / den

    return spread(plan.sign), spread(plan.null)


def _embed(pixels: np.ndarray, plan: _Plan, code: Codeword) -> np.ndarray:
    """pixels with the invisible mark added, by the plan made from the original's luminance.

    The same change goes to R, G and B, which moves luminance and leaves colour alone.
    """
    change = np.rint(_delta(plan, code.chips, pixels.shape[:2])).astype(np.int16)
    if pixels.ndim == 2:
        return np.clip(pixels + change, 0, 255).astype(np.uint8)
    colour = 1 if pixels.shape[2] == 2 else 3       # alpha stays as it was
    out = pixels.copy()
    out[..., :colour] = np.clip(pixels[..., :colour] + change[..., None], 0, 255)
    return out


# ---- the interface ---------------------------------------------------------------------

def mark(original: bytes, stamp: Stamp) -> bytes:
    """The recipient's copy, in the original's format: marked invisibly, then given the
    strip below (or, tiled, stamped visibly first and then marked)."""
    pic = _open(original)
    if stamp.image_stamp == "tiled":
        with ThreadPoolExecutor(max_workers=1) as pool:
            plan = pool.submit(_plan, _luma(pic.pixels))    # alongside the stamp, on the other core
            stamped = overlay.apply(pic.pixels, stamp)
            marked = _embed(stamped, plan.result(), stamp.codeword)
    else:
        marked = overlay.apply(_embed(pic.pixels, _plan(_luma(pic.pixels)), stamp.codeword), stamp)
    return _encode(pic, marked, stamp.codeword)


def _max_errors(candidates: int) -> int:
    """Most bit errors accepted while a false match stays below FALSE_MATCH_LIMIT."""
    errors = -1
    while false_match_probability(errors + 1, candidates) < FALSE_MATCH_LIMIT:
        errors += 1
    return errors


def _luminance(copy: _Picture, orig: _Picture, candidates: Sequence[Codeword],
               pool: ThreadPoolExecutor) -> Finding | None:
    yc, yo = overlay.cut_strip(_luma(copy.pixels)), _luma(orig.pixels)
    plan = pool.submit(_plan, yo)               # numpy lets go of the GIL: use the other core
    box = align.locate(yc, yo)
    if box is None:
        return None
    residual, valid = align.residual(yc, yo, box)
    soft, null = _soft(plan.result(), residual, valid)
    bits, confidence = chips_to_bits(soft)
    noise = float(np.sqrt(2.0 * np.mean(null * null)))
    if not confidence.any() or noise == 0.0:
        return None                                  # nothing differs: an unmarked copy
    strength = float(confidence.mean()) / noise
    if candidates:
        hit = nearest(bits, candidates, _max_errors(len(candidates)))
    else:
        # A CRC alone passes 1 in 65,536 noise words: the mark must also stand out.
        word = Codeword.from_bits(bits)
        hit = (word, 0) if word.is_valid and strength >= 3.0 else None
    if hit is None:
        return None
    code, errors = hit
    chance = false_match_probability(errors, max(1, len(candidates)))
    (x0, y0, x1, y1), (h, w) = box, yc.shape
    where = ("the whole picture" if (x0, y0, x1, y1) == (0, 0, yo.shape[1], yo.shape[0])
             else f"the part from ({x0:.0f}, {y0:.0f}) to ({x1:.0f}, {y1:.0f})")
    return Finding(code, ["luminance"], errors, chance, [
        f"invisible mark in the luminance: {BITS - errors} of {BITS} bits match, {errors} "
        f"errors; chance of a false match {chance:.0e}",
        f"the copy ({w}x{h} pixels) shows {where} of the original; "
        f"the mark reads {strength:.1f} times stronger than the noise"])


def _metadata(copy: _Picture, candidates: Sequence[Codeword]) -> Finding | None:
    raw = copy.exif.get(_UNIQUE_ID) or copy.exif.get_ifd(_EXIF_IFD).get(_UNIQUE_ID)
    try:
        code = Codeword(int(str(raw).strip("\x00 "), 16))
    except ValueError:
        return None
    if code.value >> BITS or not code.is_valid or (candidates and code not in candidates):
        return None
    chance = false_match_probability(0, max(1, len(candidates)))
    return Finding(code, ["metadata"], 0, chance, [
        f"code {code} in the EXIF ImageUniqueID; metadata is easy to strip or copy, "
        f"so it counts for less than the invisible mark"])


def read(candidate: bytes, original: bytes, candidates: Sequence[Codeword]) -> list[Finding]:
    """Findings in a found copy, one per codeword; empty when no mark verified."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        opening = pool.submit(_open, candidate)  # decoders let go of the GIL too
        orig = _open(original)
        copy = opening.result()
        found_all = (_luminance(copy, orig, candidates, pool), _metadata(copy, candidates))
    findings: dict[Codeword, Finding] = {}
    for found in found_all:
        if found is None:
            continue
        if found.codeword in findings:
            kept = findings[found.codeword]
            kept.marks += found.marks
            kept.evidence += found.evidence
        else:
            findings[found.codeword] = found
    return list(findings.values())
