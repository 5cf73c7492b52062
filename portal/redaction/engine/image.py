"""Photo redaction: solid boxes or blurred regions, drawn on the image as it is displayed, saved
fresh so that no EXIF (GPS, camera, thumbnail), XMP, ICC or text chunk survives.
"""
from __future__ import annotations

import io

from .geometry import Area, RedactionError, check_inside, draw_label

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


def open_image(data: bytes):
    from PIL import Image, ImageOps, UnidentifiedImageError
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise RedactionError("This image cannot be read.") from exc
    # Coordinates are those of the image as viewers show it, after its EXIF orientation.
    return ImageOps.exif_transpose(image), image.format


def size(data: bytes) -> tuple[int, int]:
    return open_image(data)[0].size


def _blur(image, box):
    """Pixelate, then smooth: coarse enough that no face, plate or badge can be recovered."""
    from PIL import Image, ImageFilter
    x0, y0, x1, y1 = box
    region = image.crop(box)
    block = max(8, min(x1 - x0, y1 - y0) // 6)
    small = region.resize((max(1, (x1 - x0) // block), max(1, (y1 - y0) // block)), Image.Resampling.BOX)
    region = small.resize(region.size, Image.Resampling.NEAREST).filter(ImageFilter.GaussianBlur(block / 2))
    image.paste(region, box)


def redact(data: bytes, areas: list[Area]) -> tuple[bytes, str]:
    """The redacted image and its content type (JPEG stays JPEG; everything else becomes PNG)."""
    from PIL import Image, ImageDraw
    image, fmt = open_image(data)
    mode = "RGB" if fmt == "JPEG" else "RGBA" if "A" in image.getbands() else "RGB"
    image = image.convert(mode)
    draw = ImageDraw.Draw(image)
    for a in areas:
        check_inside(a, *image.size)
        box = a.scaled(1)
        if a.mode == "blur":
            _blur(image, box)
        else:
            draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=(0, 0, 0))
            if a.label:
                draw_label(draw, box, a.label)
    out_fmt = "JPEG" if fmt == "JPEG" else "PNG"
    # A new image from the pixels alone: nothing of the original file's metadata comes along.
    fresh = Image.frombytes(image.mode, image.size, image.tobytes())
    buf = io.BytesIO()
    fresh.save(buf, out_fmt, **({"quality": 92} if out_fmt == "JPEG" else {}))
    return buf.getvalue(), FORMATS[out_fmt]
