"""OCR with Tesseract: the words in a picture or a PDF page, each with its box and confidence.

Pure: no Flask, no database. Interface:

    ocr_image(image, lang="eng+spa", timeout=60) -> list[Word]
        `image` is a PIL image or an image file's bytes (EXIF orientation applied).
    ocr_pdf_pages(data, pages=None, dpi=None, lang=..., timeout=..., workers=None) -> list[PageText]
        `pages` are 1-based page numbers (None: every page). Pages are rendered one at a time
        (pdfium is not thread-safe) and read by up to `workers` Tesseract processes at once.
        `dpi` None renders each page at its largest image's own resolution (150 to 400 dpi; 300
        for a page without images): a scan is read at the resolution it was scanned at, as
        Tesseract would read the scanner's own file; enlarging it would add time, not detail.
    needs_ocr(data, image_share=0.3) -> list[int]
        1-based numbers of the pages whose text layer cannot be trusted to say what they show:
        no text at all, or images covering more than `image_share` of the page.
    OcrFailed (and its kind OcrTimeout): Tesseract missing, failing or too slow, or a picture or
        PDF that cannot be opened. The message says which, in plain words.

Boxes are pixels of the picture read, (x0, y0, x1, y1) with the origin at the top left. For a PDF
page, `PageText.points(box)` turns them into display points (crop box and rotation applied, origin
top left), the space the redaction engine's `Area` uses.

Debian's `tesseract` program (packages tesseract-ocr, tesseract-ocr-eng, tesseract-ocr-spa) is run
once per picture, with the picture on stdin as uncompressed PNM and the words read back as TSV.
A binding such as pytesseract would write each page to a compressed PNG file first, which costs
more than our own work on a page; tesserocr needs a compiler and Tesseract's headers to install.
Each process gets OMP_THREAD_LIMIT=1: Tesseract's OpenMP threads made one page three to four
times slower on a busy two-core machine, and pages in parallel use the cores instead.

Rendering never draws annotations or form fields (`draw_annots=False`, `may_draw_forms=False`):
their text is read by the PDF reader, and a picture of the page must show only the page.
"""
from __future__ import annotations

import io
import os
import subprocess
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

LANG = "eng+spa"
DPI = 300                   # Tesseract is trained on text of about this resolution
DPI_RANGE = (150, 400)      # a page's scan resolution is used within these bounds
PAGE_TIMEOUT = 120          # seconds for one picture
MAX_PIXELS = 40_000_000     # larger pictures and pages are scaled down before they are read
IMAGE_SHARE = 0.3           # images covering more of a page than this make it a scanned page
MIN_CONFIDENCE = 0          # words Tesseract gives a negative confidence are not words

Box = tuple[int, int, int, int]


class OcrFailed(Exception):
    """OCR could not be done; the message says why. The caller holds and may retry."""


class OcrTimeout(OcrFailed):
    """Tesseract took longer than allowed on one picture."""


@dataclass(frozen=True)
class Word:
    text: str
    box: Box            # pixels: x0, y0, x1, y1, origin top left
    conf: float         # Tesseract's confidence, 0 to 100
    line: int = 0       # words with the same number are on one line, in reading order


@dataclass
class PageText:
    """The words of one page in reading order, and `text`: a line per line, words one space
    apart, so the screen's text matchers run on it and `words_at` maps a match back to words."""
    page: int           # 1-based
    words: list[Word]
    width: int          # of the picture read, in pixels
    height: int
    scale: float = 1.0  # pixels per display point (dpi / 72 for a PDF page)
    text: str = field(init=False)
    offsets: list[tuple[int, int]] = field(init=False, repr=False)

    def __post_init__(self):
        parts: list[str] = []
        self.offsets = []
        pos = 0
        for i, w in enumerate(self.words):
            if i:
                sep = " " if w.line == self.words[i - 1].line else "\n"
                parts.append(sep)
                pos += 1
            self.offsets.append((pos, pos + len(w.text)))
            parts.append(w.text)
            pos += len(w.text)
        self.text = "".join(parts)

    def words_at(self, start: int, end: int) -> tuple[int, int]:
        """The words [first, last) that the text span [start, end) touches."""
        hit = [i for i, (s, e) in enumerate(self.offsets) if s < end and e > start]
        return (hit[0], hit[-1] + 1) if hit else (0, 0)

    def box(self, first: int, last: int) -> Box:
        """The union of the boxes of words [first, last)."""
        boxes = [w.box for w in self.words[first:last]]
        if not boxes:
            return (0, 0, 0, 0)
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))

    def line_boxes(self, first: int, last: int) -> list[Box]:
        """One box per line for words [first, last): a name broken over two lines is two boxes,
        not one that covers both lines whole."""
        out: list[Box] = []
        start = first
        for i in range(first + 1, last + 1):
            if i == last or self.words[i].line != self.words[start].line:
                out.append(self.box(start, i))
                start = i
        return out

    def points(self, box: Box) -> tuple[float, float, float, float]:
        return tuple(v / self.scale for v in box)  # type: ignore[return-value]


# -- one picture ------------------------------------------------------------------------------------

def _pnm(image) -> bytes:
    """Uncompressed PGM (grayscale) or PPM bytes: what Tesseract decodes fastest from stdin."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "PPM")
    return out.getvalue()


def _bounded(image, max_pixels: int):
    if image.width * image.height <= max_pixels:
        return image, 1.0
    k = (max_pixels / (image.width * image.height)) ** 0.5
    return image.resize((max(1, int(image.width * k)), max(1, int(image.height * k)))), k


def _tesseract(pnm: bytes, lang: str, timeout: float, dpi: int | None = None) -> list[Word]:
    cmd = ["tesseract", "stdin", "stdout", "-l", lang]
    if dpi:
        cmd += ["--dpi", str(dpi)]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run([*cmd, "tsv"], input=pnm, capture_output=True, timeout=timeout, env=env)
    except FileNotFoundError as exc:
        raise OcrFailed("Tesseract is not installed (Debian: apt-get install tesseract-ocr "
                        "tesseract-ocr-eng tesseract-ocr-spa)") from exc
    except subprocess.TimeoutExpired as exc:
        raise OcrTimeout(f"Tesseract took more than {timeout:g} seconds on one picture") from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrFailed("Tesseract failed: " + (reason[-1] if reason else f"exit status {done.returncode}"))
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> list[Word]:
    """Tesseract's TSV: one row per page, block, paragraph, line and word; words are level 5."""
    words: list[Word] = []
    lines: dict[tuple[str, str, str, str], int] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        conf = float(cols[10])
        if not text or conf < MIN_CONFIDENCE:
            continue
        x, y, w, h = (int(c) for c in cols[6:10])
        line = lines.setdefault((cols[1], cols[2], cols[3], cols[4]), len(lines))
        words.append(Word(text, (x, y, x + w, y + h), conf, line))
    return words


def open_image(data: bytes):
    """A picture file's pixels, turned upright as its EXIF orientation says."""
    from PIL import Image, ImageOps
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
        return ImageOps.exif_transpose(image)
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as exc:
        raise OcrFailed(f"The picture cannot be opened ({exc})") from exc


def ocr_image(image, lang: str = LANG, timeout: float = PAGE_TIMEOUT, *,
              max_pixels: int = MAX_PIXELS, photo: bool = True) -> list[Word]:
    """The words in one picture. Boxes are in the picture's pixels, even when a picture over
    `max_pixels` was read scaled down.

    `photo` (the default) reads a photograph: turned level (the skew of its longest near-level
    edges, up to 20 degrees), then read twice, once for ink darker than its surroundings and
    once for lighter ink (a light name on a dark plate), each thresholded locally with the long
    straight lines (a plate's frame, a table's rules) taken out: Tesseract's layout analysis
    reads nothing at all inside a framed plate otherwise. Two Tesseract runs: twice the time.
    False reads a clean scan once, as `ocr_pdf_pages` does."""
    if isinstance(image, (bytes, bytearray)):
        image = open_image(bytes(image))
    small, k = _bounded(image.convert("L"), max_pixels)
    if not photo:
        words = _tesseract(_pnm(small), lang, timeout)
    else:
        from . import photo as prep
        words = []
        level, back = prep.level(small)
        for inked in (prep.ink(level, light=False), prep.ink(level, light=True)):
            found = _tesseract(_pnm(inked), lang, timeout)
            base = 1 + max((w.line for w in words), default=-1)
            words += [Word(w.text, back(w.box), w.conf, base + w.line) for w in found]
    if k == 1.0:
        return words
    return [Word(w.text, tuple(int(v / k) for v in w.box), w.conf, w.line) for w in words]  # type: ignore[misc]


# -- PDF pages --------------------------------------------------------------------------------------

def _open_pdf(data: bytes):
    import pypdfium2 as pdfium
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise OcrFailed("This PDF cannot be opened for OCR (damaged, or protected by a password)") from exc


def _scan_dpi(page, raw) -> int:
    """The resolution of the page's largest image as placed on the page, within DPI_RANGE."""
    best, dpi = 0.0, DPI
    for obj in page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=0):
        left, bottom, right, top = obj.get_bounds()
        area = (right - left) * (top - bottom)
        if area > best and right > left:
            best = area
            dpi = obj.get_px_size()[0] * 72 / (right - left)
            if page.get_rotation() % 180:   # the image's pixel width runs down the shown page
                dpi = obj.get_px_size()[1] * 72 / (top - bottom)
    return int(round(min(max(dpi, DPI_RANGE[0]), DPI_RANGE[1])))


def _render(doc, number: int, dpi: int | None, max_pixels: int):
    """Page `number` (1-based) as a grayscale picture: the page only, never its annotations or
    form fields. Returns the picture and its pixels per display point."""
    import pypdfium2.raw as raw
    page = doc[number - 1]
    try:
        width, height = page.get_size()
        scale = (dpi or _scan_dpi(page, raw)) / 72
        if width * height * scale * scale > max_pixels:
            scale = (max_pixels / (width * height)) ** 0.5
        bitmap = page.render(scale=scale, may_draw_forms=False, draw_annots=False, grayscale=True)
        return bitmap.to_pil(), scale
    finally:
        page.close()


def ocr_pdf_pages(data: bytes, pages: list[int] | None = None, dpi: int | None = None, lang: str = LANG,
                  timeout: float = PAGE_TIMEOUT, workers: int | None = None, *,
                  max_pixels: int = MAX_PIXELS) -> list[PageText]:
    """OCR of the given pages (1-based; None: all), in page order."""
    doc = _open_pdf(data)
    try:
        count = len(doc)
        wanted = list(range(1, count + 1)) if pages is None else sorted(set(pages))
        bad = [p for p in wanted if not 1 <= p <= count]
        if bad:
            raise OcrFailed(f"page {bad[0]} is not in this PDF of {count} pages")
        workers = max(1, workers or os.cpu_count() or 1)
        out: list[PageText] = []
        pending: deque = deque()
        with ThreadPoolExecutor(workers) as pool:
            try:
                for number in wanted:
                    # At most two pictures waiting per worker: a 300 dpi page is 8 MB.
                    while len(pending) >= 2 * workers:
                        out.append(_collect(pending.popleft()))
                    image, scale = _render(doc, number, dpi, max_pixels)
                    job = pool.submit(_tesseract, _pnm(image), lang, timeout, round(scale * 72))
                    pending.append((number, image.width, image.height, scale, job))
                while pending:
                    out.append(_collect(pending.popleft()))
            except BaseException:
                for *_, job in pending:
                    job.cancel()
                raise
        return out
    finally:
        doc.close()


def _collect(item) -> PageText:
    number, width, height, scale, job = item
    try:
        words = job.result()
    except OcrFailed as exc:
        raise type(exc)(f"page {number}: {exc}") from exc
    return PageText(number, words, width, height, scale)


def needs_ocr(data: bytes, image_share: float = IMAGE_SHARE) -> list[int]:
    """Pages (1-based) with no text layer, or with images over `image_share` of the page: a
    scan, a photo, or text drawn as a picture. Images inside a form XObject are counted at the
    size of the form (pdfium gives nested objects' bounds in the form's own space)."""
    import pypdfium2.raw as raw
    doc = _open_pdf(data)
    try:
        out = []
        for index in range(len(doc)):
            page = doc[index]
            try:
                if (_text_chars(page) == 0 or _image_share(page, raw) > image_share
                        or _pictured_text(page, raw)):
                    out.append(index + 1)
            finally:
                page.close()
        return out
    finally:
        doc.close()


def _text_chars(page) -> int:
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        return sum(not c.isspace() for c in textpage.get_text_range()) if n else 0
    finally:
        textpage.close()


def _image_share(page, raw) -> float:
    x0, y0, x1, y1 = page.get_cropbox()
    page_area = max((x1 - x0) * (y1 - y0), 1.0)
    covered = 0.0
    top_bounds = None
    for obj in page.get_objects(max_depth=15):
        if obj.level == 0:
            top_bounds = obj.get_bounds()
        if obj.type != raw.FPDF_PAGEOBJ_IMAGE:
            continue
        left, bottom, right, top = obj.get_bounds() if obj.level == 0 else top_bounds
        w = max(0.0, min(right, x1) - max(left, x0))
        h = max(0.0, min(top, y1) - max(bottom, y0))
        covered += w * h
        if obj.level:
            top_bounds = (0.0, 0.0, 0.0, 0.0)   # count a form with many images once
    return covered / page_area


GLYPH_PATHS = 20        # this many glyph-sized paths on a page: text drawn as outlines
LINE_SEGMENTS = 80      # one low path with this many segments: a line of text drawn as outlines
PICTURE_SHARE = 0.02    # one image this large (of the page) may show text: a badge, a name plate


def _pictured_text(page, raw) -> bool:
    """Whether the page may show text its text layer does not have: letters drawn as outlines
    (many small filled paths), or a picture large enough to hold a legible name."""
    x0, y0, x1, y1 = page.get_cropbox()
    page_area = max((x1 - x0) * (y1 - y0), 1.0)
    glyphs = 0
    for obj in page.get_objects(max_depth=15):
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE and obj.level == 0:
            left, bottom, right, top = obj.get_bounds()
            width, height = obj.get_px_size()
            if (right - left) * (top - bottom) >= PICTURE_SHARE * page_area and width >= 80 and height >= 20:
                return True
        elif obj.type == raw.FPDF_PAGEOBJ_PATH:
            left, bottom, right, top = obj.get_bounds()
            if top - bottom < 60 and raw.FPDFPath_CountSegments(obj.raw) >= LINE_SEGMENTS:
                return True     # a line of letters drawn as one outline
            if 1 < right - left < 40 and 1 < top - bottom < 40:
                glyphs += 1
                if glyphs >= GLYPH_PATHS:
                    return True
    return False
