"""The screen's eyes: OCR of what has no trustworthy text (scanned pages, pages that are mostly
pictures, photos), matched exactly and with OCR's usual errors tolerated, each match naming its
page and box. Pure: no Flask.

OCR is slow (a second or more a page), so a screen that may not wait (a release being made) does
only a small budget of pages inline and reports the rest as `screening_in_progress`: the file is
held, and the worker screens it whole.
"""
from __future__ import annotations

from dataclasses import dataclass

from .detectors import Builtins, scan, snippet
from .matcher import Matcher

PDF = "application/pdf"


@dataclass
class OcrBudget:
    """Pages that may still be read inline in this screen (None: no limit, the worker)."""
    pages: int | None = None

    def take(self, n: int) -> bool:
        if self.pages is None:
            return True
        if n > self.pages:
            return False
        self.pages -= n
        return True


def wants_ocr(content_type: str) -> bool:
    return content_type == PDF or content_type.startswith("image/")


def _where(page: int | None, box, unit: str) -> str:
    x0, y0, x1, y1 = box
    place = f"page {page} (OCR)" if page else "picture (OCR)"
    return f"{place}, box {x0:.0f},{y0:.0f} to {x1:.0f},{y1:.0f} {unit}"


def _page_matches(page, number: int | None, unit: str, matcher: Matcher | None,
                  builtins: Builtins | None) -> list[dict]:
    def where(first: int, last: int) -> str:
        box = page.box(first, last)
        return _where(number, page.points(box) if number else box, unit)

    out, seen = [], set()
    for m in scan(page.text, matcher, builtins):
        first, last = page.words_at(m.start, m.end)
        out.append({"kind": m.kind, "list": m.list, "term": m.term, "text": page.text[m.start:m.end],
                    "where": where(first, last), "snippet": snippet(page.text, m)})
        seen.add((m.term, first))
    if matcher is not None and matcher.size:
        words = [w.text for w in page.words]
        for fm in matcher.fuzzy().find(words):
            term, list_name = matcher.form_of(fm.term)
            if (term, fm.start) in seen:
                continue
            seen.add((term, fm.start))
            text = " ".join(words[fm.start:fm.end])
            out.append({"kind": "protected", "list": list_name, "term": term, "text": text,
                        "where": where(fm.start, fm.end) + f", read with {fm.distance} OCR error(s)",
                        "snippet": " ".join(words[max(fm.start - 6, 0):fm.end + 6])})
    return out


def screen_pixels(data: bytes, content_type: str, matcher: Matcher | None, builtins: Builtins | None,
                  budget: OcrBudget, also: set[int] = frozenset()) -> tuple[list[dict], list[dict]]:
    """(matches, findings) of OCR on the file's pictures. Findings: `screening_in_progress` when
    the budget does not cover it, `ocr_failed` when Tesseract could not read it."""
    from . import ocr
    try:
        if content_type == PDF:
            pages = sorted(set(ocr.needs_ocr(data)) | set(also))
            if not pages:
                return [], []
            if not budget.take(len(pages)):
                return [], [{"kind": "screening_in_progress", "where": "file",
                             "detail": f"{len(pages)} page(s) to read by OCR; the worker is reading them"}]
            matches = []
            for page in ocr.ocr_pdf_pages(data, pages):
                matches += _page_matches(page, page.page, "pt", matcher, builtins)
            return matches, []
        if not budget.take(1):
            return [], [{"kind": "screening_in_progress", "where": "file",
                         "detail": "the picture is read by OCR in the worker"}]
        # Read as a clean picture (a screenshot, a scan) and as a photograph (levelled, ink lifted
        # off its background: a name plate, a badge); the photograph reading alone garbles clean text.
        image = ocr.open_image(data)
        matches = []
        for photo in (False, True):
            page = ocr.PageText(0, ocr.ocr_image(image, photo=photo), 0, 0)
            matches += [m for m in _page_matches(page, None, "px", matcher, builtins)
                        if (m["term"], m["kind"]) not in {(x["term"], x["kind"]) for x in matches}]
        return matches, []
    except ocr.OcrFailed as exc:
        return [], [{"kind": "ocr_failed", "where": "file", "detail": str(exc)}]
