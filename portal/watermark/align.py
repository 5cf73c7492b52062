"""Informed alignment: where in the original does a found copy come from?

The reader has the portal's original, so instead of searching blindly for
synchronisation marks it matches the copy against the original. The answer is
a box in the original's pixel coordinates (continuous, pixel centres at +0.5,
Pillow's convention) that the copy shows, resampled to the copy's size. A copy
that was only re-encoded shows the whole frame; a downscaled copy shows the
whole frame at a smaller size; a cropped copy shows a sub-box.

Coarse search: normalised cross-correlation by FFT at about 400 pixels across,
over a few scale hypotheses. Fine search: five patches of the copy, each found
again at full resolution to a fraction of a pixel, then a least-squares fit of
scale and offset; the decoder needs the box to well under a block (8 pixels).
"""
from __future__ import annotations

import numpy as np
from PIL import Image
from scipy.signal import fftconvolve

Box = tuple[float, float, float, float]

_WORK = 400           # long side of the coarse search, in pixels
_ACCEPT = 0.9         # a hypothesis this well correlated ends the coarse search
_MIN_SCORE = 0.5      # below this the copy is not taken to come from the original
_PATCH = 96           # fine-search patch side, in original pixels


def resample(y: np.ndarray, size: tuple[int, int], box: Box | None = None,
             method=Image.Resampling.BICUBIC) -> np.ndarray:
    """y (float32) resampled to size = (width, height), optionally from a box of it."""
    im = Image.fromarray(np.ascontiguousarray(y, dtype=np.float32), "F")
    return np.asarray(im.resize(size, method, box=box), dtype=np.float32)


def _ncc(image: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Normalised cross-correlation of template at every position fully inside image."""
    th, tw = template.shape
    t = template - template.mean()
    tnorm = np.sqrt((t * t).sum())
    num = fftconvolve(image, t[::-1, ::-1], mode="valid")
    c1 = np.pad(image.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    c2 = np.pad((image * image).cumsum(0).cumsum(1), ((1, 0), (1, 0)))

    def window(c):
        return c[th:, tw:] - c[:-th, tw:] - c[th:, :-tw] + c[:-th, :-tw]

    var = window(c2) - window(c1) ** 2 / (th * tw)
    return num / (np.sqrt(np.maximum(var, 1e-6)) * tnorm + 1e-6)


def _peak(score: np.ndarray) -> tuple[float, float, float]:
    """Best (row, col, score), refined to a fraction of a pixel by a parabola through the peak."""
    r, c = np.unravel_index(int(np.argmax(score)), score.shape)
    best = float(score[r, c])

    def vertex(lo, mid, hi):
        den = lo - 2 * mid + hi
        return 0.0 if den >= 0 else float(np.clip(0.5 * (lo - hi) / den, -0.5, 0.5))

    dr = vertex(score[r - 1, c], best, score[r + 1, c]) if 0 < r < score.shape[0] - 1 else 0.0
    dc = vertex(score[r, c - 1], best, score[r, c + 1]) if 0 < c < score.shape[1] - 1 else 0.0
    return r + dr, c + dc, best


def _coarse(cand: np.ndarray, orig: np.ndarray) -> tuple[float, Box] | None:
    """Best (score, box) over scale hypotheses at the working resolution."""
    (h, w), (H, W) = cand.shape, orig.shape
    f = min(1.0, _WORK / max(H, W))
    im = Image.fromarray(np.ascontiguousarray(orig, dtype=np.float32), "F")
    small = np.asarray(im.resize((max(1, round(W * f)), max(1, round(H * f))),
                                 Image.Resampling.BICUBIC, reducing_gap=3.0))
    smallest = max(w / W, h / H)           # the copy cannot show more than the whole frame
    # The two common cases first: the whole frame resized, and a crop at full size.
    rounds = [[smallest, 1.0] if smallest < 1.0 else [smallest]]
    if smallest < 1.0:
        rounds.append(list(np.geomspace(smallest, 1.0, 40)[1:-1]))
    best = None
    for scales in rounds:
        for s in scales:
            tw = min(round(w * f / s), small.shape[1])
            th = min(round(h * f / s), small.shape[0])
            if tw < 16 or th < 16:
                continue
            r, c, score = _peak(_ncc(small, resample(cand, (tw, th))))
            if best is None or score > best[0]:
                best = (score, (c / f, r / f, (c + tw) / f, (r + th) / f))
        if best is not None and best[0] >= _ACCEPT:
            break
    return best


def _fine(cand: np.ndarray, orig: np.ndarray, box: Box) -> Box:
    """Refine the box by finding five patches of the copy again in the original."""
    (h, w), (H, W) = cand.shape, orig.shape
    sx, sy = (box[2] - box[0]) / w, (box[3] - box[1]) / h    # original pixels per copy pixel
    margin = 4 + 2 * max(W, H) / _WORK
    pw, ph = min(_PATCH, (box[2] - box[0]) / 2), min(_PATCH, (box[3] - box[1]) / 2)
    src, dst = [], []
    for fx, fy in ((0.5, 0.5), (0.2, 0.2), (0.8, 0.2), (0.2, 0.8), (0.8, 0.8)):
        cx, cy = w * fx, h * fy                        # patch centre in copy coordinates
        ox, oy = box[0] + cx * sx, box[1] + cy * sy    # and where the coarse box puts it
        x0, y0 = int(max(0, ox - pw / 2 - margin)), int(max(0, oy - ph / 2 - margin))
        x1, y1 = int(min(W, ox + pw / 2 + margin)), int(min(H, oy + ph / 2 + margin))
        tw, th = int(pw), int(ph)
        if x1 - x0 <= tw or y1 - y0 <= th:
            continue
        patch_box = (cx - pw / 2 / sx, cy - ph / 2 / sy, cx + pw / 2 / sx, cy + ph / 2 / sy)
        if patch_box[0] < 0 or patch_box[1] < 0 or patch_box[2] > w or patch_box[3] > h:
            continue  # a small copy (a thumbnail): the patch would reach past its edge
        template = resample(cand, (tw, th), patch_box)
        r, c, score = _peak(_ncc(orig[y0:y1, x0:x1], template))
        if score > _MIN_SCORE:
            src.append((cx, cy))
            dst.append((x0 + c + tw / 2, y0 + r + th / 2))
    if len(src) < 2:
        return box
    src, dst = np.array(src), np.array(dst)
    while True:
        # x_orig = tx + s * x_copy, one scale for both axes as resizing keeps the aspect
        a = np.zeros((2 * len(src), 3))
        a[0::2, 0], a[0::2, 1] = src[:, 0], 1
        a[1::2, 0], a[1::2, 2] = src[:, 1], 1
        (s, tx, ty), *_ = np.linalg.lstsq(a, dst.reshape(-1), rcond=None)
        miss = np.hypot(*(dst - (tx, ty) - s * src).T)
        if len(src) <= 2 or miss.max() < 1.0:
            return (tx, ty, tx + s * w, ty + s * h)
        keep = miss < miss.max()        # a patch in flat sky can lock onto the wrong place
        src, dst = src[keep], dst[keep]


def _snap(box: Box, copy: tuple[int, int], frame: tuple[int, int]) -> Box:
    """Exact whole frames and whole-pixel crops, when the estimate is that close to one.

    Resampling a crop that is really whole-pixel would blur it for nothing.
    """
    (w, h), (W, H) = copy, frame
    if all(abs(v - f) < 1.0 for v, f in zip(box, (0, 0, W, H))):
        return (0.0, 0.0, float(W), float(H))
    if abs(box[2] - box[0] - w) < 1.0 and abs(box[3] - box[1] - h) < 1.0:
        x0, y0 = round(box[0]), round(box[1])
        return (float(x0), float(y0), float(x0 + w), float(y0 + h))
    return box


def locate(cand: np.ndarray, orig: np.ndarray) -> Box | None:
    """The box of the original that the copy shows, or None if it does not match at all."""
    if cand.shape == orig.shape:
        return (0.0, 0.0, float(orig.shape[1]), float(orig.shape[0]))
    found = _coarse(cand, orig)
    if found is None or found[0] < _MIN_SCORE:
        return None
    box = _fine(cand, orig, found[1])
    return _snap(box, (cand.shape[1], cand.shape[0]), (orig.shape[1], orig.shape[0]))


def _tone(ref: np.ndarray, diff: np.ndarray) -> np.ndarray:
    """The copy's brightness and contrast change, as a function of the original's level.

    A robust mean of the difference per grey level: it follows brightening,
    darkening, gamma and clipped highlights, and ignores stamped pixels.
    """
    level = np.clip(ref + 0.5, 0, 255).astype(np.uint8)
    step = max(1, level.size // 500_000)     # half a million pixels pin a curve down well
    lv, d = level.ravel()[::step].astype(np.intp), diff.ravel()[::step]
    keep = np.ones(d.shape, dtype=bool)
    for _ in range(2):
        count = np.bincount(lv[keep], minlength=256)
        total = np.bincount(lv[keep], d[keep], minlength=256)
        known = count >= 16
        if not known.any():
            return np.zeros_like(diff)
        grey = np.arange(256)
        curve = np.interp(grey, grey[known], total[known] / count[known]).astype(np.float32)
        off = np.abs(d - curve[lv])
        keep = off < max(4.0 * 1.4826 * float(np.median(off)), 3.0)
    return curve[level]


def _inside(cand: np.ndarray, box: Box, frame: tuple[int, int]) -> tuple[np.ndarray, Box]:
    """The part of the copy that falls inside the original (a screenshot may show more)."""
    (h, w), (W, H) = cand.shape, frame
    x0, y0, x1, y1 = box
    ax, ay = w / (x1 - x0), h / (y1 - y0)
    c0, r0 = max(0, int(np.ceil(-x0 * ax - 1e-6))), max(0, int(np.ceil(-y0 * ay - 1e-6)))
    c1 = min(w, int(np.floor((W - x0) * ax + 1e-6)))
    r1 = min(h, int(np.floor((H - y0) * ay + 1e-6)))
    if (c0, r0, c1, r1) == (0, 0, w, h):
        return cand, box
    inner = (max(0.0, x0 + c0 / ax), max(0.0, y0 + r0 / ay),
             min(float(W), x0 + c1 / ax), min(float(H), y0 + r1 / ay))
    return cand[r0:r1, c0:c1], inner


def residual(cand: np.ndarray, orig: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray]:
    """What the copy has that the original has not, in the original's frame, and where known.

    The original is first taken through the same geometry as the copy (cut to the
    box, resized to the copy's size), so that the resize's blur cancels too; only
    the difference is brought back to the original's size.
    """
    (H, W) = orig.shape
    cand, box = _inside(cand, box, (W, H))
    (h, w), (x0, y0, x1, y1) = cand.shape, box
    plain = all(float(v).is_integer() for v in box) and (x1 - x0, y1 - y0) == (w, h)
    if plain:
        ref = orig[int(y0):int(y1), int(x0):int(x1)]
    else:
        ref = resample(orig, (w, h), box)
    diff = cand - ref
    diff -= _tone(ref, diff)
    # Back to the original's frame: the whole pixels inside the box, resampled from the
    # matching (fractional) box of the copy; a bicubic resize, unlike a general affine
    # warp, runs as two fast one-dimensional passes.
    left, top = int(np.ceil(x0 - 1e-6)), int(np.ceil(y0 - 1e-6))
    right, bottom = min(W, int(np.floor(x1 + 1e-6))), min(H, int(np.floor(y1 + 1e-6)))
    out = np.zeros((H, W), dtype=np.float32)
    valid = np.zeros((H, W), dtype=bool)
    if plain:
        out[top:bottom, left:right] = diff
    else:
        ax, ay = w / (x1 - x0), h / (y1 - y0)       # copy pixels per original pixel
        source = (max(0.0, (left - x0) * ax), max(0.0, (top - y0) * ay),
                  min(float(w), (right - x0) * ax), min(float(h), (bottom - y0) * ay))
        out[top:bottom, left:right] = resample(diff, (right - left, bottom - top), source,
                                               Image.Resampling.BILINEAR)
    valid[top:bottom, left:right] = True
    return out, valid
