"""Faces in photos: how many, and a contact sheet of thumbnails for the person deciding a hold.

Pure: no Flask. Interface:

    count_faces(data) -> int            faces in one image file's bytes
    contact_sheet(images, thumb=96) -> bytes (PNG)
    FaceScanFailed                      the bytes are not a picture that can be opened

Detection is OpenCV's shipped frontal-face Haar cascade (opencv-python-headless, which carries
`haarcascade_frontalface_default.xml`; OpenCV 5's wheels no longer do). A picture is turned
upright by its EXIF orientation, made gray, scaled down so its longer side is at most `MAX_SIDE`
pixels (detection time grows with the pixels; a face smaller than `MIN_FACE` of the shorter side
of that is not a face anyone would recognise), and histogram-equalised against dim light. It finds
frontal and near-frontal faces; profiles, faces turned away and very small faces in a crowd are
missed, which docs/screening.md says.
"""
from __future__ import annotations

import io
import threading

import numpy as np

MAX_SIDE = 800          # pixels of the longer side that detection looks at
MIN_FACE = 0.06         # smallest face: this share of the shorter side (and at least 24 px)
NEIGHBOURS = 8          # overlapping detections a face needs: fewer finds more, and more patterns
SHEET_MAX = 200         # thumbnails on one contact sheet; the hold still says the full count
SHEET_COLUMNS = 10

_local = threading.local()


class FaceScanFailed(Exception):
    """The bytes are not a picture that can be opened; the message says why."""


def _cascade():
    # One classifier per thread: detectMultiScale keeps scratch state in the object.
    if not hasattr(_local, "cascade"):
        import cv2
        cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
        if cascade.empty():
            raise FaceScanFailed("OpenCV's face detector could not be loaded")
        _local.cascade = cascade
    return _local.cascade


def _open(data: bytes, size: int):
    """The picture, upright, no larger than `size` on its longer side (JPEGs decoded small)."""
    from PIL import Image, ImageOps
    try:
        image = Image.open(io.BytesIO(data))
        image.draft("RGB", (size, size))
        image = ImageOps.exif_transpose(image)
        image.thumbnail((size, size))
        return image
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise FaceScanFailed(f"The picture cannot be opened ({exc})") from exc


def count_faces(data: bytes) -> int:
    import cv2
    gray = np.asarray(_open(data, MAX_SIDE).convert("L"))
    gray = cv2.equalizeHist(gray)
    smallest = max(24, int(MIN_FACE * min(gray.shape)))
    found = _cascade().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=NEIGHBOURS,
                                        minSize=(smallest, smallest))
    return len(found)


def contact_sheet(images: list[bytes], thumb: int = 96, columns: int = SHEET_COLUMNS) -> bytes:
    """The first `SHEET_MAX` images as `thumb`-pixel thumbnails in a grid, as one PNG. A picture
    that cannot be opened is a gray square, so positions still match the list."""
    from PIL import Image
    shown = images[:SHEET_MAX]
    columns = max(1, min(columns, len(shown) or 1))
    rows = max(1, -(-len(shown) // columns))
    pad = 4
    sheet = Image.new("RGB", (columns * (thumb + pad) + pad, rows * (thumb + pad) + pad), "white")
    for i, data in enumerate(shown):
        try:
            tile = _open(data, thumb).convert("RGB")
        except FaceScanFailed:
            tile = Image.new("RGB", (thumb, thumb), (160, 160, 160))
        x = pad + (i % columns) * (thumb + pad) + (thumb - tile.width) // 2
        y = pad + (i // columns) * (thumb + pad) + (thumb - tile.height) // 2
        sheet.paste(tile, (x, y))
    out = io.BytesIO()
    sheet.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()
