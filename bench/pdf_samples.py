"""PDFs on both sides of every threshold of a first download: size in bytes (the
self-check's 256 KB, the inline-marking limit's megabytes) and pages (200, 1,000),
and a scanned-looking image PDF whose bytes are pictures rather than text."""
from __future__ import annotations

import io
import random

WORDS = ("budget memo police department overtime contract vendor payment council review quarter "
         "fiscal audit report staff training equipment vehicle patrol incident records the of and "
         "for with approved pending invoice account transfer").split()


def text_pdf(pages: int, lines: int = 62, noise: int = 0, seed: int = 7) -> bytes:
    """Pages of Helvetica text: `lines` memo-like lines with numbers, so they compress like
    real text, and `noise` lines of random characters per page, which barely compress."""
    import pikepdf
    from pikepdf import Dictionary, Name

    rng = random.Random(seed)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    for number in range(1, pages + 1):
        rows = [b"BT /F1 9 Tf 11 TL 54 750 Td"]
        for _ in range(lines):
            text = " ".join(rng.choice(WORDS) for _ in range(9))
            rows.append(f"({text} ${rng.randint(10, 99999):,}.{rng.randint(0, 99):02d} "
                        f"#{rng.randint(100000, 999999)}) '".encode())
        for _ in range(noise):
            rows.append(f"({''.join(rng.choices(alphabet, k=100))}) '".encode())
        rows.append(f"0 -20 Td (Page {number} of {pages}) ' ET".encode())
        pdf.pages.append(pikepdf.Page(Dictionary(
            Type=Name.Page, MediaBox=[0, 0, 612, 792], Contents=pdf.make_stream(b"\n".join(rows)),
            Resources=Dictionary(Font=Dictionary(F1=font)))))
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()


def image_pdf(pages: int, seed: int = 7) -> bytes:
    """Pages that are each one JPEG, as a scanner makes them: a grey page with noise."""
    import pikepdf
    from PIL import Image, ImageDraw
    from pikepdf import Dictionary, Name

    rng = random.Random(seed)
    pdf = pikepdf.new()
    for number in range(1, pages + 1):
        page = Image.effect_noise((850, 1100), 40).point(lambda v: 200 + v // 8).convert("RGB")
        draw = ImageDraw.Draw(page)
        for row in range(60):
            draw.text((60, 60 + row * 16), " ".join(rng.choice(WORDS) for _ in range(10)), fill=(20, 20, 20))
        data = io.BytesIO()
        page.save(data, "JPEG", quality=75)
        image = pikepdf.Stream(pdf, data.getvalue())
        image.stream_dict.update({"/Type": Name.XObject, "/Subtype": Name.Image, "/Width": 850,
                                  "/Height": 1100, "/ColorSpace": Name.DeviceRGB, "/BitsPerComponent": 8,
                                  "/Filter": Name.DCTDecode})
        pdf.pages.append(pikepdf.Page(Dictionary(
            Type=Name.Page, MediaBox=[0, 0, 612, 792],
            Contents=pdf.make_stream(f"q 612 0 0 792 0 0 cm /Im{number} Do Q".encode()),
            Resources=Dictionary(XObject=Dictionary({f"/Im{number}": image})))))
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


# name -> maker; the bytes and pages each lands on are printed with its row.
SAMPLES = {
    "200 pages, text, ~150 KB": lambda: text_pdf(200, lines=11),
    "200 pages, text, ~236 KB": lambda: text_pdf(200, lines=26),
    "200 pages, text, ~270 KB": lambda: text_pdf(200, lines=32),
    "200 pages, text+noise, ~2 MB": lambda: text_pdf(200, lines=40, noise=107),
    "20 pages, images": lambda: image_pdf(20),
    "1,000 pages, text": lambda: text_pdf(1000, lines=30),
}
