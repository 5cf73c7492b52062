"""Reading a found PDF: metadata, the stamp objects, and the codes its pages print.

The exact channels are read first and cheaply: the document info, the XMP,
the private key of the stamp objects, and the literal strings of the page and
stamp content streams, where a copy the portal made prints the footer and the
invisible text layer in a standard encoding. Only when those show no printed
code (a copy "printed to PDF" re-encodes its fonts) is every page's text
extracted, which takes ten times as long on a long document.
"""
from __future__ import annotations

import io
import re
from typing import Sequence

import pikepdf
from pikepdf import Dictionary, Name

from .codeword import Codeword
from .engine import Finding, WatermarkError
from .keyed import CODE_PATTERN, Evidence, codes_in
from .pdfstamp import LAYER_PREFIX, STAMP_KEY

XMP_KEY = "{http://ns.records-portal.invalid/watermark/1.0/}DisclosureCode"
INFO_KEY = Name("/PortalDisclosureCode")
_PRINTED = ("text layer", "footer", "diagonal")


def inherited(obj: pikepdf.Dictionary, key: str):
    seen = 0
    while obj is not None and seen < 64:
        if key in obj:
            return obj[key]
        obj = obj.get("/Parent")
        seen += 1
    return None


def _said(exc: Exception) -> str:
    """qpdf's message without the name it gives an in-memory file (`<_io.BytesIO object at 0x...>`)."""
    return re.sub(r"<_io\.BytesIO object at 0x[0-9a-f]+>(?:\s*\(.*?\))?:?\s*", "", str(exc)).strip() or "unreadable"


def open_pdf(data: bytes, what: str, complete: bool = False) -> pikepdf.Pdf:
    if b"%PDF-" not in data[:1024]:
        raise WatermarkError(f"{what} is not a PDF (no %PDF- header)")
    # qpdf reconstructs a truncated file without complaint; a record must not be
    # released in a state its agency did not produce, so refuse it instead.
    if complete and b"%%EOF" not in data[-2048:]:
        raise WatermarkError(f"{what} is a truncated PDF: no %%EOF marker at the end of the file")
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise WatermarkError(f"{what} is encrypted with a password: it cannot be opened without it, so it "
                             "cannot be marked. Ask for an unprotected file.") from None
    except pikepdf.PdfError as exc:
        raise WatermarkError(f"{what} is a broken PDF: {_said(exc)}") from None
    try:
        len(pdf.pages)
    except pikepdf.PdfError as exc:
        raise WatermarkError(f"{what} is a broken PDF: its page tree cannot be read ({_said(exc)})") from None
    return pdf


def _metadata_codes(pdf: pikepdf.Pdf) -> dict[str, set[Codeword]]:
    found: dict[str, set[Codeword]] = {"document info": set(), "XMP": set(), "stamp object": set()}
    try:
        found["document info"] |= codes_in(str(pdf.docinfo.get(INFO_KEY, "")))
    except (pikepdf.PdfError, ValueError):
        pass
    if "/Metadata" in pdf.Root:
        try:
            found["XMP"] |= codes_in(pdf.Root.Metadata.read_bytes())
        except pikepdf.PdfError:
            pass
    for page in pdf.pages:
        xobjects = page.obj.get("/Resources", Dictionary()).get("/XObject", Dictionary())
        for _, xobj in xobjects.items():
            if isinstance(xobj, pikepdf.Stream) and STAMP_KEY in xobj.stream_dict:
                found["stamp object"] |= codes_in(str(xobj.stream_dict[STAMP_KEY]))
    return found


_TEXT_MARKS = re.compile(r"(" + re.escape(LAYER_PREFIX) + r"\s*|code\s+)?(" + CODE_PATTERN.pattern + r")")


def page_texts(data: bytes, what: str = "the candidate"):
    """(page number, text) of every page, by pdfium: the exact channels need
    only the characters, and pdfium reads a 200-page file in a tenth of the
    time pypdf's layout-aware extraction takes."""
    import pypdfium2 as pdfium  # imported here: only reading needs it

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise WatermarkError(f"the text of {what} cannot be read: {exc}") from None
    try:
        for i in range(len(doc)):
            try:
                page = doc[i]
                text = page.get_textpage().get_text_range()
            except pdfium.PdfiumError:  # one unreadable page must not hide marks on the others
                continue
            yield i + 1, text
    finally:
        doc.close()


def _classify(found: dict[str, dict[Codeword, list[int]]], text: str, number: int) -> None:
    for m in _TEXT_MARKS.finditer(text):
        word = Codeword.from_text(m.group(2))
        if not word.is_valid:
            continue
        prefix = (m.group(1) or "").strip()
        kind = "text layer" if prefix.startswith(LAYER_PREFIX[:8]) else "footer" if prefix else "diagonal"
        pages_seen = found[kind].setdefault(word, [])
        if not pages_seen or pages_seen[-1] != number:
            pages_seen.append(number)


def _text_codes(data: bytes, what: str = "the candidate") -> dict[str, dict[Codeword, list[int]]]:
    """Codes in the extracted text of each page, by the mark that printed them.

    Copies marked before the band existed printed the diagonal as text; a code
    with neither the layer's prefix nor "code" before it is that diagonal.
    """
    found: dict[str, dict[Codeword, list[int]]] = {kind: {} for kind in _PRINTED}
    for number, text in page_texts(data, what):
        _classify(found, text, number)
    return found


_LITERAL = re.compile(rb"\(((?:[^()\\]|\\.){13,400})\)")


def _stream_text(stream: pikepdf.Object) -> str:
    try:
        raw = stream.read_bytes()
    except (pikepdf.PdfError, AttributeError):
        return ""
    return "\n".join(m.group(1).decode("latin-1") for m in _LITERAL.finditer(raw))


def _drawn_codes(pdf: pikepdf.Pdf) -> dict[str, dict[Codeword, list[int]]]:
    """Codes in the literal strings each page's form objects draw or, failing
    that, its own content: what text extraction finds in a copy the portal
    made (the stamp is a form object), at a fraction of the cost."""
    found: dict[str, dict[Codeword, list[int]]] = {kind: {} for kind in _PRINTED}
    forms: dict[tuple[int, int], str] = {}
    for number, page in enumerate(pdf.pages, start=1):
        resources = inherited(page.obj, "/Resources") or Dictionary()
        texts = []
        for _, xobj in resources.get("/XObject", Dictionary()).items():
            if isinstance(xobj, pikepdf.Stream) and xobj.get("/Subtype") == Name.Form:
                if xobj.objgen not in forms or xobj.objgen == (0, 0):
                    forms[xobj.objgen] = _stream_text(xobj)
                texts.append(forms[xobj.objgen])
        _classify(found, "\n".join(texts), number)
    if any(found.values()):
        return found
    for number, page in enumerate(pdf.pages, start=1):
        contents = page.obj.get("/Contents")
        parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
        _classify(found, "\n".join(_stream_text(c) for c in parts if isinstance(c, pikepdf.Stream)), number)
    return found


def read(candidate: bytes, original: bytes, candidates: Sequence[Codeword]) -> list[Finding]:
    pdf = open_pdf(candidate, "the candidate")
    evidence = Evidence(candidates)
    for mark_name, words in _metadata_codes(pdf).items():
        evidence.add_all(words, mark_name)
    printed = _drawn_codes(pdf)
    extracted = not any(printed.values())
    if extracted:
        printed = _text_codes(candidate)
    for mark_name, words in printed.items():
        for word, pages in words.items():
            shown = ", ".join(map(str, pages[:10])) + (" ..." if len(pages) > 10 else "")
            evidence.add(word, mark_name, f"{mark_name}: code {word.text} on page(s) {shown}")
    if not evidence:
        return []
    # A code the original itself prints or carries (a record quoting a code, or a
    # marked copy released again) names no recipient for this release. It is
    # looked for the way the candidate's codes were found.
    source = open_pdf(original, "the original")
    inherent = {w for marks in _metadata_codes(source).values() for w in marks}
    inherent |= {w for marks in _drawn_codes(source).values() for w in marks}
    if extracted:
        inherent |= {w for marks in _text_codes(original, "the original").values() for w in marks}
    return evidence.findings(exclude=inherent)
