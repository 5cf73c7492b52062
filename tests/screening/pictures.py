"""Pictures made in the test: scanned pages, a photographed name plate, faces.

Text is drawn with DejaVu (Debian's fonts-dejavu-core, installed by .ci/run); faces come from
scikit-image's bundled astronaut photo (a test-only dependency), cropped, flipped and tinted
into as many different-looking photos as a test needs.
"""
from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
WORDS = ("the report was filed by the officer on duty at the north station with notes about "
         "an incident near the market where two witnesses described a vehicle leaving").split()


def font(size: int, bold: bool = False):
    return ImageFont.truetype(BOLD if bold else FONT, size)


def page_image(lines: list[str], dpi: int = 200, seed: int = 0) -> Image.Image:
    """A letter-size page of text as a scanner would give it: gray, a little noise."""
    w, h = int(8.5 * dpi), int(11 * dpi)
    img = Image.new("L", (w, h), 250)
    draw = ImageDraw.Draw(img)
    f = font(dpi // 6)
    for i, line in enumerate(lines):
        draw.text((dpi, dpi + i * dpi // 3), line, font=f, fill=20)
    rng = np.random.default_rng(seed)
    arr = np.asarray(img, dtype=np.int16) + rng.normal(0, 6, (h, w)).astype(np.int16)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def filler(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(8)).capitalize() + "." for _ in range(n)]


def scanned_pdf(pages: list[list[str]], dpi: int = 200) -> bytes:
    """An image-only PDF: each page one JPEG, no text layer (what a scanner makes)."""
    images = [page_image(lines, dpi, seed=i) for i, lines in enumerate(pages)]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=dpi, quality=85)
    return out.getvalue()


def name_plate(name: str, angle: float = 6, seed: int = 0) -> bytes:
    """A JPEG photo of a light name on a dark blue plate, turned a few degrees, on a noisy
    green wall, slightly out of focus."""
    rng = np.random.default_rng(seed)
    wall = np.full((800, 1200, 3), (96, 110, 84), dtype=np.int16) + rng.integers(-40, 40, (800, 1200, 3))
    photo = Image.fromarray(np.clip(wall, 0, 255).astype(np.uint8))
    f = font(56, bold=True)
    width = int(f.getlength(name)) + 120
    plate = Image.new("RGBA", (width, 200), (22, 60, 140, 255))
    draw = ImageDraw.Draw(plate)
    draw.rectangle((8, 8, width - 9, 191), outline=(230, 200, 90, 255), width=6)
    draw.text((width // 2, 100), name, font=f, fill=(245, 240, 225, 255), anchor="mm")
    plate = plate.rotate(angle, expand=True, resample=Image.BICUBIC)
    photo.paste(plate, ((1200 - plate.width) // 2, 280), plate)
    arr = np.asarray(photo, dtype=np.int16) + rng.normal(0, 12, (800, 1200, 3)).astype(np.int16)
    photo = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=80)
    return out.getvalue()


def text_image(lines: list[str]) -> bytes:
    out = io.BytesIO()
    page_image(lines, dpi=100).save(out, "PNG")
    return out.getvalue()


def blank_image(colour=(200, 200, 200), size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def face_photos(n: int, seed: int = 0) -> list[bytes]:
    """`n` different JPEG photos of one face: each cropped, scaled, maybe mirrored, tinted."""
    from skimage import data
    base = Image.fromarray(data.astronaut())    # 512 x 512, the face near (210, 130)
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        left, top = rng.randint(60, 120), rng.randint(0, 40)
        size = rng.randint(260, 330)
        img = base.crop((left, top, left + size, top + size)).resize((rng.randint(300, 900),) * 2)
        if rng.random() < 0.5:
            img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        img = ImageEnhance.Color(img).enhance(rng.uniform(0.2, 1.3))
        img = ImageEnhance.Brightness(img).enhance(rng.uniform(0.8, 1.2))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=rng.randint(70, 92))
        out.append(buf.getvalue())
    return out


def _helvetica(doc):
    import pikepdf
    return doc.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))


def pdf_text_over_picture(layer_text: str, picture_lines: list[str], *, image_pt=(500, 640)) -> bytes:
    """Page 1: text only. Page 2: a text layer saying `layer_text` over a picture (a JPEG) of
    `picture_lines`, `image_pt` points large: a scan whose text layer says something else."""
    import pikepdf
    doc = pikepdf.new()
    font = _helvetica(doc)
    first = doc.add_blank_page(page_size=(612, 792))
    first.obj.Contents = doc.make_stream(b"BT /F1 12 Tf 72 720 Td (An ordinary page of text.) Tj ET")
    first.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    picture = page_image(picture_lines, dpi=150).resize((int(image_pt[0] * 150 / 72), int(image_pt[1] * 150 / 72)))
    jpeg = io.BytesIO()
    picture.save(jpeg, "JPEG", quality=85)
    image = doc.make_stream(jpeg.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                            Width=picture.width, Height=picture.height, ColorSpace=pikepdf.Name.DeviceGray,
                            BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
    second = doc.add_blank_page(page_size=(612, 792))
    w, h = image_pt
    second.obj.Contents = doc.make_stream(
        f"q {w} 0 0 {h} 56 {792 - 60 - h} cm /Im1 Do Q BT /F1 10 Tf 72 40 Td ({layer_text}) Tj ET".encode())
    second.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font),
                                              XObject=pikepdf.Dictionary(Im1=image))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pdf_annotation_only(name: str) -> bytes:
    """One page with no content but a FreeText annotation whose appearance shows `name` large."""
    import pikepdf
    doc = pikepdf.new()
    page = doc.add_blank_page(page_size=(612, 792))
    page.obj.Contents = doc.make_stream(b"BT /F1 12 Tf 72 720 Td (Notes) Tj ET")
    font = _helvetica(doc)
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    appearance = doc.make_stream(f"BT /F1 36 Tf 10 20 Td ({name}) Tj ET".encode(), Type=pikepdf.Name.XObject,
                                 Subtype=pikepdf.Name.Form, BBox=[0, 0, 500, 80],
                                 Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))
    annot = doc.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FreeText, Rect=[60, 400, 560, 480],
        Contents=pikepdf.String(name), DA=pikepdf.String("/F1 36 Tf 0 g"),
        AP=pikepdf.Dictionary(N=appearance)))
    page.obj.Annots = doc.make_indirect(pikepdf.Array([annot]))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
