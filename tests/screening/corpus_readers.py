"""Every way a recipient could read a released file, independent of the portal's own readers:
pdfium, pdftotext (two modes), pdfminer.six, every string and stream in the PDF's objects, the
package XML of an office file, image metadata, and Tesseract OCR of the rendered pages or photo.

A reader "finds" a name when, with case, accents and every non-letter removed, the name (in any
rotation of its words: "Last First") is a substring of what it read; OCR is allowed one error per
8 letters. For a name split across cells, one table row holding all of its words counts.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from functools import lru_cache
from html import unescape

OCR_DPI = 150


def squash(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if c.isalnum() and not unicodedata.combining(c))


def forms(name: str) -> list[str]:
    words = name.split()
    return [squash(" ".join(words[i:] + words[:i])) for i in range(len(words))]


def _near(needle: str, hay: str, k: int) -> bool:
    """Is `needle` in `hay` with at most k edits (Sellers' approximate substring search)?"""
    if k == 0 or not needle:
        return needle in hay
    prev = list(range(len(needle) + 1))
    for ch in hay:
        cur = [0]
        for j, nc in enumerate(needle, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (nc != ch)))
        if cur[-1] <= k:
            return True
        prev = cur
    return False


def finds(name: str, text: str, *, ocr: bool = False) -> bool:
    hay = squash(text)
    return any(_near(f, hay, len(f) // 8 if ocr else 0) for f in forms(name))


def _words(text: str) -> set[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return set("".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c)).split())


def row_finds(name: str, cells: list) -> bool:
    """Every word of the name among the words of one row's cells (a name split across cells)."""
    return _words(name) <= _words(" ".join(str(c) for c in cells if c is not None))


# -- the readers -----------------------------------------------------------------------------------

def tesseract(*pngs: bytes) -> str:
    """Text Tesseract (English model: Spanish letters come out unaccented, which the matching
    ignores) reads in the PNGs, in one run so the model loads once; blank images are skipped."""
    pngs = tuple(p for p in pngs if p)
    if not pngs:
        return ""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}   # two cores shared by everyone
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for i, png in enumerate(pngs):
            names.append(os.path.join(tmp, f"{i}.png"))
            with open(names[-1], "wb") as fh:
                fh.write(png)
        listing = os.path.join(tmp, "pages.txt")
        with open(listing, "w") as fh:
            fh.write("\n".join(names) + "\n")
        run = subprocess.run(["tesseract", listing, "stdout", "-l", "eng"], capture_output=True, timeout=600,
                             env=env, check=True)
    return run.stdout.decode("utf-8", "replace")


def _png(image) -> bytes:
    """Gray, cropped to what is drawn (with a margin): Tesseract's time grows with the area; a
    blank page is b""."""
    from PIL import ImageOps
    gray = image.convert("L")
    box = ImageOps.invert(gray).point(lambda v: 255 if v > 40 else 0).getbbox()
    if box is None:
        return b""
    x0, y0, x1, y1 = box
    gray = gray.crop((max(x0 - 20, 0), max(y0 - 20, 0), min(x1 + 20, gray.width), min(y1 + 20, gray.height)))
    out = io.BytesIO()
    gray.save(out, "PNG")
    return out.getvalue()


def pdf_texts(data: bytes):
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(data)
    try:
        yield "pypdfium2", "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()
    for mode in ([], ["-raw"]):
        run = subprocess.run(["pdftotext", *mode, "-q", "-", "-"], input=data, capture_output=True, timeout=120)
        yield "pdftotext" + "".join(mode), run.stdout.decode("utf-8", "replace")
    from pdfminer.high_level import extract_text
    yield "pdfminer", extract_text(io.BytesIO(data))
    yield "pdf objects", _pdf_objects(data)


def _pdf_objects(data: bytes) -> str:
    """Every string, name and (decoded) stream in the file: outlines, labels, metadata, attachments."""
    import pikepdf
    parts = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    raw = obj.read_bytes()
                except pikepdf.PdfError:
                    continue
                parts.append(raw.decode("utf-16" if raw[:2] in (b"\xfe\xff", b"\xff\xfe") else "latin-1", "replace"))
            parts.append(_strings(obj))
    return "\n".join(parts)


def _strings(obj, depth: int = 0) -> str:
    import pikepdf
    if depth > 20:
        return ""
    if isinstance(obj, pikepdf.String):
        return str(obj)
    if isinstance(obj, pikepdf.Name):
        return str(obj)[1:]
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        return " ".join(_strings(v, depth + 1) for k, v in obj.items()
                        if not (isinstance(v, (pikepdf.Dictionary, pikepdf.Stream)) and v.is_indirect))
    if isinstance(obj, pikepdf.Array):
        return " ".join(_strings(v, depth + 1) for v in obj if not getattr(v, "is_indirect", False))
    return ""


@lru_cache(maxsize=256)
def pdf_ocr(data: bytes) -> str:
    """Each page as a viewer shows it, annotations and form fields drawn, read by Tesseract.
    Cached: term and pattern redaction often make the same file."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(data)
    doc.init_forms()
    try:
        return tesseract(*(_png(doc[i].render(scale=OCR_DPI / 72, may_draw_forms=True).to_pil())
                           for i in range(len(doc))))
    finally:
        doc.close()


def image_texts(data: bytes):
    from PIL import Image
    img = Image.open(io.BytesIO(data))
    exif = img.getexif()
    values = list(exif.values()) + list(exif.get_ifd(0x8769).values()) + list(img.info.values())
    text = []
    for v in values:
        if isinstance(v, bytes):
            text += [v.decode("latin-1"), v.decode("utf-16-le", "replace")]
        else:
            text.append(str(v))
    yield "image metadata", "\n".join(text) + "\n" + data.decode("latin-1")


def xlsx_texts(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for part in zf.namelist():
            yield f"package part {part}", unescape(zf.read(part).decode("utf-8", "replace"))


def xlsx_rows(data: bytes):
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            yield f"sheet {ws.title}", list(row)


def csv_rows(data: bytes):
    for row in csv.reader(io.StringIO(data.decode("utf-8", "replace"))):
        yield "CSV row", row


def readers_finding(case, out: bytes, content_type: str) -> list[str]:
    """The readers that still read the case's name in `out`; OCR last, since it is the slowest."""
    name = case.name
    texts, rows, ocr = [], [], None
    if content_type == "application/pdf":
        texts, ocr = pdf_texts(out), lambda: pdf_ocr(out)
    elif content_type.startswith("image/"):
        from PIL import Image
        texts, ocr = image_texts(out), lambda: tesseract(_png(Image.open(io.BytesIO(out))))
    elif content_type == "text/csv":
        texts, rows = [("CSV", out.decode("utf-8", "replace"))], csv_rows(out)
    else:
        texts, rows = xlsx_texts(out), xlsx_rows(out)
    found = sorted({reader for reader, text in texts if finds(name, text)})
    found += sorted({reader for reader, cells in rows if row_finds(name, cells)} - set(found))
    if not found and ocr is not None and finds(name, ocr(), ocr=True):
        found.append("tesseract OCR")
    return found


def tools_missing() -> list[str]:
    return [t for t in ("pdftotext", "tesseract") if not shutil.which(t)]
