"""Making a photograph readable by Tesseract, which is trained on level, dark-on-light scans.

Pure: no Flask. `level(image)` turns a grayscale PIL image level and returns it with a function
mapping a box in the levelled picture back to the original; `ink(levelled, light)` is a black on
white picture of the ink darker (or, with `light`, lighter) than its surroundings, with long
straight lines removed. Used by `ocr.ocr_image(photo=True)`.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

MAX_SKEW = 20.0         # degrees; steeper edges are not taken for the text's slope


def _skew(gray: np.ndarray) -> float:
    """The length-weighted median slope of the long near-level edges, in degrees."""
    import cv2
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 50, 150)
    found = cv2.HoughLinesP(edges, 1, np.pi / 360, threshold=80,
                            minLineLength=max(gray.shape[1] // 8, 20), maxLineGap=10)
    if found is None:
        return 0.0
    angles, weights = [], []
    for x1, y1, x2, y2 in found[:, 0]:
        a = math.degrees(math.atan2(y2 - y1, x2 - x1))
        if abs(a) <= MAX_SKEW:
            angles.append(a)
            weights.append(math.hypot(x2 - x1, y2 - y1))
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cumulative = np.cumsum(np.asarray(weights)[order])
    return float(np.asarray(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def level(image) -> tuple[np.ndarray, Callable[[tuple[int, int, int, int]], tuple[int, int, int, int]]]:
    import cv2
    gray = np.asarray(image.convert("L"))
    angle = _skew(gray)
    h, w = gray.shape
    if abs(angle) < 0.5:
        return gray, lambda box: box
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turned = cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    inverse = cv2.invertAffineTransform(matrix)

    def back(box):
        x0, y0, x1, y1 = box
        corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=float) @ inverse.T
        return (max(0, int(corners[:, 0].min())), max(0, int(corners[:, 1].min())),
                min(w, int(math.ceil(corners[:, 0].max()))), min(h, int(math.ceil(corners[:, 1].max()))))
    return turned, back


def ink(gray: np.ndarray, light: bool):
    """Black ink on white, as a PIL image."""
    import cv2
    from PIL import Image
    h, w = gray.shape
    src = cv2.medianBlur(gray, 3)
    if light:
        src = 255 - src
    marks = cv2.adaptiveThreshold(src, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY_INV, 41, 20)
    across = cv2.getStructuringElement(cv2.MORPH_RECT, (max(w // 12, 20), 1))
    down = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(h // 12, 20)))
    lines = cv2.morphologyEx(marks, cv2.MORPH_OPEN, across) | cv2.morphologyEx(marks, cv2.MORPH_OPEN, down)
    marks &= ~cv2.dilate(lines, np.ones((5, 5), np.uint8))
    marks = cv2.morphologyEx(marks, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))   # speckle
    return Image.fromarray(255 - marks)
