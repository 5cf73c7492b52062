"""The visible stamp on images: a label in a strip added below the picture (the
default), or faint text lines across the picture (`image_stamp="tiled"`).

The strip never covers any of the picture: a public record stays complete.

Labels are drawn once, small, and pasted with Pillow's C compositing: a
full-size layer, or a full-size rotation, costs seconds on a 12-megapixel photo.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .engine import Stamp, WatermarkError

ANGLE = 25                          # degrees of the tiled text lines
_DOT = " \u00b7 "
Placed = list[tuple[Image.Image, int, int]]


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str] | None:
    """text in at most two lines no wider than width, broken at its separators; None if not."""
    lines: list[str] = []
    for part in text.split(_DOT):
        joined = f"{lines[-1]}{_DOT}{part}" if lines else part
        if lines and font.getlength(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(part)
    fits = all(font.getlength(line) <= width for line in lines)
    return lines if fits and len(lines) <= 2 else None


STRIP_GREY = 24                     # the strip's background; reading cuts rows of it off again


def _label(stamp: Stamp, width: int, height: int) -> Image.Image:
    """The footer in white on the strip's grey, as wide as the picture; shortened and
    smaller until it fits in two lines."""
    short = _DOT.join((stamp.recipient, f"request {stamp.tracking_number}", f"code {stamp.code}"))
    size = max(10, min(48, min(width, height) // 40))
    while True:
        font = ImageFont.load_default(size=size)
        pad = max(2, size // 3)
        for text in (stamp.footer, short, stamp.code):
            lines = _wrap(text, font, width - 2 * pad)
            if lines or size <= 6:
                lines = lines or [stamp.code]
                step = round(size * 1.25)
                label = Image.new("RGBA", (width, step * len(lines) + 2 * pad), (STRIP_GREY,) * 3 + (255,))
                draw = ImageDraw.Draw(label)
                for i, line in enumerate(lines):
                    draw.text((pad, pad + i * step), line, font=font, fill=(255, 255, 255, 255))
                return label
        size -= 1


def add_strip(pixels: np.ndarray, stamp: Stamp) -> np.ndarray:
    """pixels with the label in a strip below them (opaque where the picture has alpha)."""
    h, w = pixels.shape[:2]
    label = _label(stamp, w, h)
    mode = {2: "LA", 3: "RGB", 4: "RGBA"}.get(pixels.shape[2] if pixels.ndim == 3 else 0, "L")
    strip = np.asarray(label.convert(mode))
    if strip.ndim == 2 and pixels.ndim == 3:
        strip = strip[..., None]
    return np.concatenate([pixels, strip.reshape((strip.shape[0],) + pixels.shape[1:])], axis=0)


def cut_strip(luma: np.ndarray) -> np.ndarray:
    """The picture without a strip found at its bottom (whole or cut by a crop, at any size).

    Every row of the strip is mostly its grey (the letters cover well under
    four fifths of a row), and its top rows are the grey alone: the cut goes
    above the highest all-grey row of the grey run at the bottom. A photo's
    own dark bottom rows may go too: a few rows less only narrows what is
    compared with the original.
    """
    rows = luma.shape[0]
    grey = (np.abs(luma.astype(np.float32) - STRIP_GREY) <= 20).mean(axis=1)
    cut, r = rows, rows - 1
    while r >= rows * 2 // 3 and grey[r] >= 0.2:
        if grey[r] >= 0.9:
            cut = r
        r -= 1
    return luma[:cut] if rows - cut >= 3 else luma


def _tiled(stamp: Stamp, width: int, height: int) -> Placed:
    """Faint diagonal lines of recipient, request and code, alternate lines staggered."""
    text = _DOT.join((stamp.recipient, stamp.tracking_number, stamp.code))
    size = max(10, min(64, min(width, height) // 28))
    font = ImageFont.load_default(size=size)
    length = int(font.getlength(text)) + 3 * size
    label = Image.new("RGBA", (length, 2 * size), (0, 0, 0, 0))
    ImageDraw.Draw(label).text((size, size // 3), text, font=font, fill=(255, 255, 255, 255),
                               stroke_width=max(1, size // 14), stroke_fill=(0, 0, 0, 255))
    label = label.rotate(ANGLE, Image.Resampling.BICUBIC, expand=True)
    label.putalpha(label.getchannel("A").point(lambda a: a * 35 // 100))
    lw, lh = label.size
    # Only the inked parts of the rotated label: a third of its bounding box.
    pieces = []
    for left in range(0, lw, 4 * size):
        piece = label.crop((left, 0, min(lw, left + 4 * size), lh))
        box = piece.getbbox()
        if box:
            pieces.append((piece.crop(box), left + box[0], box[1]))
    along = np.array([np.cos(np.radians(ANGLE)), -np.sin(np.radians(ANGLE))]) * length
    across = np.array([-along[1], along[0]]) / length * 4 * size
    reach = (width + height) // min(length, 4 * size) + 2
    placed = []
    for j in range(-reach, reach + 1):
        for i in range(-reach, reach + 1):
            x, y = (width / 2, height / 2) + (i + (j % 2) / 2) * along + j * across
            if -lw / 2 < x < width + lw / 2 and -lh / 2 < y < height + lh / 2:
                placed += [(p, int(x - lw / 2) + dx, int(y - lh / 2) + dy) for p, dx, dy in pieces]
    return placed


def apply(pixels: np.ndarray, stamp: Stamp) -> np.ndarray:
    """pixels (uint8 L, LA, RGB or RGBA) with the stamp: a strip added below, or tiled text drawn on."""
    if stamp.image_stamp in ("strip", "corner"):      # "corner" is the strip's earlier name
        return add_strip(pixels, stamp)
    if stamp.image_stamp != "tiled":
        raise WatermarkError(f"unknown image stamp {stamp.image_stamp!r}")
    alpha = None
    if pixels.ndim == 3 and pixels.shape[2] in (2, 4):
        alpha = Image.fromarray(pixels[..., -1])
        pixels = pixels[..., 0] if pixels.shape[2] == 2 else pixels[..., :3]
    colour = Image.fromarray(np.ascontiguousarray(pixels))
    for piece, x, y in _tiled(stamp, colour.width, colour.height):
        colour.paste(piece, (x, y), piece)
        if alpha is not None:       # the stamp shows on transparent parts too
            alpha.paste(255, (x, y, x + piece.width, y + piece.height), piece.getchannel("A"))
    out = np.asarray(colour)
    if alpha is None:
        return out
    return np.dstack([out, np.asarray(alpha)]) if out.ndim == 3 else np.dstack([out, alpha])
