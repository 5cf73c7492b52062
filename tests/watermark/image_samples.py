"""Synthetic photo-like images for the image watermark tests and benchmarks.

Flat test images flatter a watermark (no texture to hide in, nothing for JPEG
to throw away), so these mix what photos have: a sky-like smooth gradient,
1/f "cloud" texture at several scales, hard-edged shapes, fine grain and a few
saturated highlights. Everything is seeded, so a test sees the same pixels
every run.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image


def _fractal(rng: np.random.Generator, height: int, width: int, beta: float) -> np.ndarray:
    """Noise with a 1/f**beta spectrum, scaled to [0, 1]: natural images are close to beta=2."""
    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.rfftfreq(width)[None, :]
    f = np.sqrt(fx * fx + fy * fy)
    f[0, 0] = 1.0
    shape = (height, width // 2 + 1)
    spectrum = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    field = np.fft.irfft2(spectrum / f ** (beta / 2), s=(height, width))
    field -= field.min()
    return field / field.max()


def photo(width: int = 512, height: int = 384, seed: int = 0) -> np.ndarray:
    """A height x width x 3 uint8 RGB image that looks roughly like a photograph."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    clouds = _fractal(rng, height, width, 2.2).astype(np.float32)
    detail = _fractal(rng, height, width, 1.5).astype(np.float32)
    grass = _fractal(rng, height, width, 0.8).astype(np.float32)
    horizon = 0.45 + 0.1 * np.sin(6.0 * x + seed)

    sky = np.stack([90 + 60 * y, 140 + 50 * y, 215 - 30 * y], axis=-1) + 35 * clouds[..., None]
    texture = 110 * detail + 60 * grass
    ground = np.stack([20 + texture, 40 + 0.9 * texture, 10 + 0.5 * texture], axis=-1)
    img = np.where((y > horizon)[..., None], ground, sky)

    for _ in range(7):  # buildings, signs, a sun: hard edges and flat interiors
        cy, cx = rng.uniform(0.2, 0.9), rng.uniform(0.05, 0.95)
        ry, rx = rng.uniform(0.04, 0.15), rng.uniform(0.03, 0.12)
        box = (slice(max(0, int((cy - ry) * height)), int((cy + ry) * height) + 1),
               slice(max(0, int((cx - rx) * width)), int((cx + rx) * width) + 1))
        yy, xx = y[box[0]], x[:, box[1]]
        if rng.random() < 0.5:
            inside = (np.abs(yy - cy) < ry) & (np.abs(xx - cx) < rx)
        else:
            inside = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 < 1.0
        colour = rng.uniform(20, 250, size=3).astype(np.float32)
        shade = 0.8 + 0.4 * detail[box][..., None]
        img[box] = np.where(inside[..., None], colour * shade, img[box])
    for _ in range(3):  # poles and wires: thin high-contrast lines
        col = int(rng.uniform(0.05, 0.95) * width)
        img[:, col:col + max(1, width // 300)] = rng.uniform(10, 60)

    img += rng.normal(0.0, 2.0, size=img.shape).astype(np.float32)  # sensor grain
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def encode(rgb: np.ndarray, fmt: str, **params) -> bytes:
    """The array as a file in fmt (JPEG, PNG, TIFF or WEBP); JPEG defaults to quality 95."""
    if fmt == "JPEG":
        params.setdefault("quality", 95)
    if fmt == "WEBP":
        params.setdefault("lossless", True)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, fmt, **params)
    return buf.getvalue()
