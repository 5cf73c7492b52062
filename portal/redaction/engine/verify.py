"""Proof before release: the redacted output is read back the ways a recipient could read it.

Each check returns plain-words problems; an empty list means the output is clean. Problems name a
redaction by its number, never the redacted text itself.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from html import unescape

from ...screening.detectors import scan
from ..matching import find_spans, fuzzy_spans, protected_matcher
from .geometry import Area


@dataclass
class Plan:
    """What was redacted: areas and whole pages (PDF, photos), rules (sheets), and what to look for.

    `needles` maps a term or pattern name to the number of the redaction it belongs to.
    """
    areas: list[Area] = field(default_factory=list)
    whole_pages: dict[int, str] = field(default_factory=dict)
    rules: list = field(default_factory=list)
    terms: dict[str, int] = field(default_factory=dict)
    patterns: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)     # term or pattern -> citation
    counts: dict[str, int] = field(default_factory=dict)     # term or pattern -> places found


@dataclass
class Report:
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"ok": self.ok, "checks": self.checks, "problems": self.problems}


def _search(report: Report, plan: Plan, text: str, where: str, words: list[str] | None = None) -> None:
    """Every redacted term and pattern, and every protected name (when the lists are supplied),
    must be gone from `text`; `words` (OCR) are also matched with OCR's errors tolerated."""
    hits = [what for _s, _e, what in find_spans(text, list(plan.terms), list(plan.patterns))]
    if words is not None:
        hits += [what for _s, _e, what in fuzzy_spans(words, list(plan.terms), list(plan.patterns))]
    for what in hits:
        number = plan.terms.get(what) or plan.patterns.get(what)
        problem = f"Redaction {number} ({'pattern ' + what if what in plan.patterns else 'term'}) " \
                  f"is still readable {where}."
        if problem not in report.problems:
            report.problems.append(problem)
    matcher = protected_matcher()
    if matcher is not None:
        found = [m.list for m in scan(text, matcher)]
        if words is not None:
            found += [matcher.form_of(m.term)[1] for m in matcher.fuzzy().find(words)]
        for list_name in found:
            problem = f"A name on the protected list {list_name!r} is still readable {where}."
            if problem not in report.problems:
                report.problems.append(problem)


def _ocr_search(report: Report, plan: Plan, data: bytes) -> None:
    """The pixels, read back: every page that is a picture (the rebuilt ones, and scans)."""
    from ...screening import ocr
    try:
        pages = ocr.ocr_pdf_pages(data, ocr.needs_ocr(data))
    except ocr.OcrFailed as exc:
        report.problems.append(f"The redacted pages could not be read back by OCR ({exc}).")
        return
    for page in pages:
        _search(report, plan, page.text, f"by OCR on page {page.page}", [w.text for w in page.words])
    report.checks.append("OCR (Tesseract) of every page that is a picture")


# -- PDF ------------------------------------------------------------------------------------

def _pdf_texts(data: bytes):
    """(extractor, page number or None, text) from every extractor available here."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(data)
    try:
        for i in range(len(doc)):
            yield "pypdfium2", i + 1, doc[i].get_textpage().get_text_range()
    finally:
        doc.close()
    if shutil.which("pdftotext"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
            fh.write(data)
            fh.flush()
            for mode in ([], ["-raw"]):
                run = subprocess.run(["pdftotext", *mode, "-q", fh.name, "-"], capture_output=True,
                                     timeout=300)
                for n, page in enumerate(run.stdout.decode("utf-8", "replace").split("\f"), 1):
                    yield "pdftotext", n, page
    try:
        from pdfminer.high_level import extract_text
    except ImportError:
        return
    yield "pdfminer", None, extract_text(io.BytesIO(data))


def extractors() -> list[str]:
    names = ["pypdfium2"]
    if shutil.which("pdftotext"):
        names.append("pdftotext")
    try:
        import pdfminer  # noqa: F401
        names.append("pdfminer")
    except ImportError:
        pass
    return names


_FORBIDDEN_ROOT = ("/Names", "/OpenAction", "/AA", "/AcroForm", "/Metadata", "/OCProperties",
                   "/StructTreeRoot", "/Outlines", "/Threads", "/Collection")


def _pdf_structure(report: Report, data: bytes, pages: int) -> None:
    import pikepdf
    if data.count(b"%%EOF") != 1:
        report.problems.append("The file has more than one revision (an incremental update).")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if pdf.is_encrypted:
            report.problems.append("The file is encrypted.")
        found = [k for k in _FORBIDDEN_ROOT if k in pdf.Root]
        if found:
            report.problems.append("The file still carries " + ", ".join(found) + ".")
        if len(pdf.docinfo.keys()):
            report.problems.append("The file still carries document information (title, author...).")
        if len(pdf.pages) != pages:
            report.problems.append(f"The file has {len(pdf.pages)} pages instead of {pages}.")
        for n, page in enumerate(pdf.pages, 1):
            for key in ("/Annots", "/AA", "/Metadata", "/PieceInfo", "/Thumb"):
                if key in page.obj:
                    report.problems.append(f"Page {n} still carries {key}.")
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") in (pikepdf.Name.JavaScript,
                                                                         pikepdf.Name.Launch):
                report.problems.append("The file contains a script or launch action.")
                break
    report.checks.append("structure: one revision; no metadata, annotations, attachments, forms, "
                         "scripts or optional content")


def _pdf_pages(report: Report, data: bytes, plan: Plan) -> None:
    """On each redacted page: only the page image and invisible text; no character under a box."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
    from .pdf import _chars, _View
    by_page: dict[int, list[Area]] = {}
    for a in plan.areas:
        by_page.setdefault(a.page, []).append(a)
    doc = pdfium.PdfDocument(data)
    try:
        for index in sorted(set(by_page) | set(plan.whole_pages)):
            page = doc[index]
            kinds = [obj.type for obj in page.get_objects(max_depth=1)]
            images = kinds.count(raw.FPDF_PAGEOBJ_IMAGE)
            texts = [obj for obj in page.get_objects(max_depth=1) if obj.type == raw.FPDF_PAGEOBJ_TEXT]
            if images != 1 or images + len(texts) != len(kinds):
                report.problems.append(f"Page {index + 1} holds more than its page image and text layer.")
            if any(raw.FPDFTextObj_GetTextRenderMode(t) != raw.FPDF_TEXTRENDERMODE_INVISIBLE for t in texts):
                report.problems.append(f"Page {index + 1} has visible text drawn over the page image.")
            chars = [c for c in _chars(page.get_textpage(), _View(page)) if c.text.strip()]
            if index in plan.whole_pages and chars:
                report.problems.append(f"Page {index + 1} was redacted whole but still has text.")
            for c in chars:
                cx, cy = (c.box[0] + c.box[2]) / 2, (c.box[1] + c.box[3]) / 2
                if any(a.contains(cx, cy) for a in by_page.get(index, [])):
                    report.problems.append(f"Page {index + 1} has text under a redaction box.")
                    break
    finally:
        doc.close()
    report.checks.append("redacted pages: page image and invisible text only; no text under a box")


def verify_pdf(original: bytes, output: bytes, plan: Plan) -> Report:
    from .pdf import page_sizes
    report = Report()
    _pdf_structure(report, output, len(page_sizes(original)))
    _pdf_pages(report, output, plan)
    for name, page, text in _pdf_texts(output):
        _search(report, plan, text, f"by {name}" + (f" on page {page}" if page else ""))
    report.checks.append("text search for every redacted term and pattern with " + ", ".join(extractors()))
    _ocr_search(report, plan, output)
    return report


# -- photos ---------------------------------------------------------------------------------

def verify_image(original: bytes, output: bytes, plan: Plan) -> Report:
    from PIL import Image, ImageChops, ImageFilter, ImageStat
    from .image import open_image
    report = Report()
    raw_image = Image.open(io.BytesIO(output))
    if raw_image.getexif() or raw_image.info.get("exif") or raw_image.info.get("xmp") or any(
            k for k in raw_image.info if k not in ("dpi", "jfif", "jfif_version", "jfif_unit",
                                                    "jfif_density", "progressive", "progression")):
        report.problems.append("The image still carries metadata (EXIF, XMP or text).")
    report.checks.append("metadata: no EXIF, GPS, XMP or text chunks")
    before, _ = open_image(original)
    after = raw_image.convert("L")
    before = before.convert("L")
    if before.size != after.size:
        report.problems.append("The image changed size.")
        return report
    def detail(im) -> float:
        return ImageStat.Stat(ImageChops.difference(im, im.filter(ImageFilter.BoxBlur(1)))).mean[0]

    for n, a in enumerate(plan.areas, 1):
        box = a.scaled(1)
        region = after.crop(box)
        if a.mode == "blur":
            if detail(region) > 0.35 * max(detail(before.crop(box)), 0.5):
                report.problems.append(f"Region {n} is not blurred enough to hide its detail.")
        else:
            dark = sum(1 for v in region.tobytes() if v < 16)
            if dark < 0.5 * region.width * region.height:
                report.problems.append(f"Box {n} is not filled.")
    report.checks.append("every box filled, every blurred region without its detail")
    from ...screening import ocr
    try:
        picture = ocr.open_image(output)
        words = ocr.ocr_image(picture, photo=False) + ocr.ocr_image(picture, photo=True)
    except ocr.OcrFailed as exc:
        report.problems.append(f"The redacted picture could not be read back by OCR ({exc}).")
        return report
    _search(report, plan, " ".join(w.text for w in words), "by OCR of the picture", [w.text for w in words])
    report.checks.append("OCR (Tesseract) of the picture")
    return report


# -- spreadsheets ---------------------------------------------------------------------------

def _package_text(data: bytes) -> list[tuple[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(name, unescape(zf.read(name).decode("utf-8", "replace"))) for name in zf.namelist()]


def verify_xlsx(original: bytes, output: bytes, plan: Plan) -> Report:
    import openpyxl
    from .sheet import apply, grids, load_xlsx
    report = Report()
    wb = openpyxl.load_workbook(io.BytesIO(output))
    hidden = [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"]
    if hidden or len(wb.worksheets) != len(wb.sheetnames):
        report.problems.append("The workbook still has hidden sheets.")
    if len(wb.defined_names):
        report.problems.append("The workbook still has defined names.")
    for ws in wb.worksheets:
        if any(d.hidden for d in ws.row_dimensions.values()) or any(
                d.hidden for d in ws.column_dimensions.values()):
            report.problems.append(f"Sheet {ws.title!r} still has hidden rows or columns.")
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is not None:
                    report.problems.append(f"Sheet {ws.title!r} still has comments.")
                    break
                if cell.data_type == "f":
                    report.problems.append(f"Sheet {ws.title!r} still has formulas.")
                    break
    names = {n.lower() for n, _ in _package_text(output)}
    for part in ("xl/comments", "xl/vbaproject", "xl/externallinks", "xl/pivotcache", "customxml"):
        if any(n.startswith(part) for n in names):
            report.problems.append(f"The package still has {part} parts.")
    report.checks.append("no hidden sheets, rows or columns; no comments, formulas, defined names, "
                         "macros or external links")
    # The cells themselves: what the rules blank out must read as the redaction marker.
    # Sheets in order: a sheet whose name matched a term was renamed.
    expected = [apply(g, plan.rules) for g in grids(load_xlsx(original))]
    if len(expected) != len(wb.worksheets):
        report.problems.append("The workbook does not have its visible sheets, in order.")
    for ws, cells in zip(wb.worksheets, expected):
        got = [[c.value for c in row] for row in ws.iter_rows()]
        if _normalise(got) != _normalise(cells):
            report.problems.append(f"Sheet {ws.title!r} does not hold exactly the redacted cells.")
    for name, text in _package_text(output):
        _search(report, plan, text, f"in the package part {name}")
    report.checks.append("every cell as redacted; no redacted term or pattern anywhere in the package")
    return report


def _normalise(rows: list[list]) -> list[list[str]]:
    out = [["" if v is None else str(v) for v in row] for row in rows]
    out = [row[:max((i + 1 for i, v in enumerate(row) if v), default=0)] for row in out]
    while out and not out[-1]:
        out.pop()
    return out


def verify_csv(original: bytes, output: bytes, plan: Plan) -> Report:
    from .sheet import apply, csv_grid
    report = Report()
    if _normalise(apply(csv_grid(original), plan.rules)) != _normalise(
            apply(csv_grid(output), [])):
        report.problems.append("The file does not hold exactly the redacted cells.")
    _search(report, plan, output.decode("utf-8", "replace"), "in the file")
    report.checks.append("every cell as redacted; no redacted term or pattern anywhere in the file")
    return report


def verify(content_type: str, original: bytes, output: bytes, plan: Plan) -> Report:
    from .sheet import XLSX
    checker = {"application/pdf": verify_pdf, "image/jpeg": verify_image, "image/png": verify_image,
               XLSX: verify_xlsx, "text/csv": verify_csv}.get(content_type)
    if checker is None:
        return Report(problems=["The portal cannot check this kind of file."])
    try:
        return checker(original, output, plan)
    except Exception as exc:  # an output we cannot even read back is not clean
        return Report(problems=[f"The redacted file could not be read back ({type(exc).__name__})."])
