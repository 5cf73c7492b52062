"""Codes a found file shows rather than embeds: QR codes and footers on scanned pages and
photographed prints, and codes in text copied out of a marked copy.

A printed-and-scanned copy keeps no text layer and no metadata, but its pages
still show the band's QR code (decoded with zbar) and its footer (read with
Tesseract). Text copied out of a marked PDF carries the footer's line. A code
read any of these ways counts only if its check digits (CRC) verify and it is
the code of a grant the portal made; OCR misreads fail the CRC.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass

from ..watermark import Codeword

MAX_SCAN_PAGES = 30          # a scan is read page by page until codes are found
MAX_OCR_PAGES = 3            # OCR takes a second or more a page: only the first pages without a QR code
SCAN_DPI = 150
OCR_SECONDS = 20
# Printed codes, allowing OCR's usual slips: spaces around the dashes, O for 0, I or L for 1.
_LOOSE = re.compile(r"(?<![0-9A-Z])([0-9A-Z]{4})\s?-\s?([0-9A-Z]{4})\s?-\s?([0-9A-Z]{4})\s?-\s?([0-9A-Z])(?![0-9A-Z])")


@dataclass(frozen=True)
class Printed:
    codeword: Codeword
    how: str                 # plain words: "QR code on page 3 of a scan", "line 52 of the text"


# Letters OCR confuses with the digits and letters of the code alphabet (O, I and L are
# read as 0, 1 and 1 by Codeword.from_text already).
_CONFUSED = {"8": "B", "B": "8", "5": "S", "S": "5", "2": "Z", "Z": "2", "6": "G", "G": "6", "0": "DQ",
             "D": "0", "Q": "0", "U": "V", "V": "U", "4": "A", "A": "4", "7": "T", "T": "7"}


def _words(raw: str, ocr: bool) -> list[Codeword]:
    """The code as read; from OCR, also every reading one or two usual confusions away whose
    check digits verify (each one only names someone if it is also a grant's code)."""
    try:
        word = Codeword.from_text(raw)
    except ValueError:
        word = None
    if word is not None and word.is_valid or not ocr:
        return [word] if word is not None and word.is_valid else []
    found = []
    spots = [i for i, c in enumerate(raw) if c in _CONFUSED]
    for i in spots:
        for a in _CONFUSED[raw[i]]:
            once = raw[:i] + a + raw[i + 1:]
            for j in [None] + [j for j in spots if j > i]:
                for b in ("",) if j is None else _CONFUSED[raw[j]]:
                    text = once if j is None else once[:j] + b + once[j + 1:]
                    try:
                        word = Codeword.from_text(text)
                    except ValueError:
                        continue
                    if word.is_valid and word not in found:
                        found.append(word)
    return found


def codes_in_text(text: str, where: str = "line {n} of the text", ocr: bool = False) -> list[Printed]:
    found, seen = [], set()
    for n, line in enumerate(text.splitlines(), start=1):
        for m in _LOOSE.finditer(line.upper()):
            for word in _words("".join(m.groups()), ocr):
                if word in seen:
                    continue
                seen.add(word)
                shown = line.strip()
                shown = shown if len(shown) <= 160 else shown[:157] + "..."
                found.append(Printed(word, f"{where.format(n=n)}: \u201c{shown}\u201d"))
    return found


def _qr(im) -> list[str]:
    from pyzbar import pyzbar
    try:
        return [s.data.decode("ascii", "replace") for s in pyzbar.decode(im, symbols=[pyzbar.ZBarSymbol.QRCODE])]
    except Exception:  # zbar refuses odd sizes and modes: nothing read, never an error
        return []


def _ocr(im) -> str:
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        return ""
    buf = io.BytesIO()
    im.save(buf, "PNG")
    try:
        done = subprocess.run([tesseract, "stdin", "stdout", "--psm", "6", "-l", "eng"], input=buf.getvalue(),
                              capture_output=True, timeout=OCR_SECONDS)
    except (subprocess.TimeoutExpired, OSError):
        return ""
    return done.stdout.decode("utf-8", "replace")


def _read_picture(im, where: str, ocr: bool = True) -> list[Printed]:
    """QR codes anywhere on the picture; failing that, the footer at the bottom, by OCR."""
    from PIL import ImageOps
    grey = ImageOps.exif_transpose(im).convert("L")
    found = []
    for text in _qr(grey):
        found += [Printed(p.codeword, f"QR code on {where}") for p in codes_in_text(text)]
    if found or not ocr:
        return found
    w, h = grey.size
    bottom = grey.crop((0, int(h * 0.8), w, h))
    # Tesseract reads letters 20-30 pixels high best; a footer's are small, but
    # enlarging a small picture further only costs time.
    factor = min(3.0, 3000 / max(1, bottom.width))
    if factor > 1:
        bottom = bottom.resize((round(bottom.width * factor), max(1, round(bottom.height * factor))))
    return codes_in_text(_ocr(bottom), f"printed footer on {where}, read by OCR", ocr=True)


def codes_in_scan(data: bytes, content_type: str, max_pixels: int) -> list[Printed]:
    """Codes shown on the pages of a found PDF, or on a found picture."""
    from PIL import Image
    if content_type == "application/pdf":
        import pypdfium2 as pdfium
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return []
        found: list[Printed] = []
        ocr_pages = MAX_OCR_PAGES
        try:
            for i in range(min(len(doc), MAX_SCAN_PAGES)):
                page = doc[i]
                if len(page.get_textpage().get_text_range().split()) >= 8:
                    continue        # a page with a text layer is no scan: the engine read it
                scale = SCAN_DPI / 72
                if page.get_width() * page.get_height() * scale * scale > max_pixels:
                    scale = (max_pixels / max(1.0, page.get_width() * page.get_height())) ** 0.5
                try:
                    im = page.render(scale=scale, grayscale=True).to_pil()
                except pdfium.PdfiumError:
                    continue
                found += _read_picture(im, f"page {i + 1} of a scan", ocr=ocr_pages > 0)
                ocr_pages -= 1
                if len(found) >= 2:     # two pages that agree are evidence enough
                    break
        finally:
            doc.close()
        return found
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            if im.width * im.height > max_pixels:
                return []
            im.load()
    except Exception:  # an undecodable picture shows nothing
        return []
    return _read_picture(im, "the picture")
