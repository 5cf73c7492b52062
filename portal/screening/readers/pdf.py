"""PDF: page text (and which of it lies under a filled dark box), earlier revisions kept by
incremental saves, annotations and form values, embedded files, JavaScript and metadata."""
from __future__ import annotations

import io
import re

from . import Extract, Limits, Unreadable

DARK = 0.35            # a fill at most this light (0 black, 1 white) hides what is under it
_EOF = re.compile(rb"%%EOF")
_TAGS = re.compile(r"<[^>]+>")
MARKUP = {"/Text", "/FreeText", "/Highlight", "/Underline", "/Squiggly", "/StrikeOut", "/Stamp",
          "/Caret", "/Ink", "/Square", "/Circle", "/Line", "/Polygon", "/PolyLine", "/Sound", "/Redact"}


def _gray(args) -> float:
    vals = [float(a) for a in args if isinstance(a, (int, float))]
    if len(vals) == 1:
        return vals[0]
    if len(vals) == 3:
        r, g, b = vals
        return 0.299 * r + 0.587 * g + 0.114 * b
    if len(vals) == 4:
        c, m, y, k = vals
        return (1 - k) * (1 - (c + m + y) / 3)
    return 1.0


def _apply(cm, x: float, y: float) -> tuple[float, float]:
    return cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5]


class PageScan:
    """Collects a page's dark filled rectangles and positioned text in one extraction pass."""

    def __init__(self):
        self.boxes: list[tuple[float, float, float, float]] = []
        self.pieces: list[tuple[float, float, str]] = []
        self._path: list[tuple[float, float, float, float]] = []
        self._fill = 0.0
        self._stack: list[float] = []

    def before(self, op, args, cm, tm):
        if op == b"q":
            self._stack.append(self._fill)
        elif op == b"Q":
            self._fill = self._stack.pop() if self._stack else 0.0
        elif op in (b"g", b"rg", b"k", b"sc", b"scn"):
            self._fill = _gray(args)
        elif op == b"re" and len(args) == 4:
            x, y, w, h = (float(a) for a in args)
            (x0, y0), (x1, y1) = _apply(cm, x, y), _apply(cm, x + w, y + h)
            self._path.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        elif op in (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"):
            if self._fill <= DARK:
                self.boxes.extend(self._path)
            self._path = []
        elif op in (b"n", b"S", b"s"):
            self._path = []

    def text(self, text, cm, tm, font, size):
        if text and text.strip():
            x, y = _apply(cm, tm[4], tm[5])
            self.pieces.append((x, y, text))

    def hidden(self) -> list[str]:
        def covered(x, y):
            return any(x0 - 1 <= x + 1 <= x1 and y0 - 1 <= y + 1 <= y1 for x0, y0, x1, y1 in self.boxes)
        return [t.strip() for x, y, t in self.pieces if self.boxes and covered(x, y)]


def _open(data: bytes):
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise Unreadable("the PDF is encrypted with a password")
    return reader


def _pages_text(reader, limits: Limits, out: Extract | None) -> list[str]:
    if len(reader.pages) > limits.max_pages:
        raise Unreadable(f"{len(reader.pages):,} pages; the limit is {limits.max_pages:,}")
    texts = []
    for n, page in enumerate(reader.pages, 1):
        scan = PageScan()
        texts.append(page.extract_text(visitor_operand_before=scan.before, visitor_text=scan.text) or "")
        if out is not None:
            hidden = scan.hidden()
            if hidden:
                out.find("text_under_box", f"page {n}", " ".join(hidden)[:300])
    return texts


def _obj(value):
    return value.get_object() if hasattr(value, "get_object") else value


def _name_tree(node, limit: int = 500):
    """(name, value) pairs of a PDF name tree, bounded."""
    todo, seen = [node], 0
    while todo and seen < limit:
        n = _obj(todo.pop())
        if not hasattr(n, "get"):
            continue
        names = _obj(n.get("/Names")) or []
        for i in range(0, len(names) - 1, 2):
            seen += 1
            yield str(names[i]), _obj(names[i + 1])
        todo.extend(_obj(n.get("/Kids")) or [])


def _js(action) -> str | None:
    action = _obj(action)
    if hasattr(action, "get") and action.get("/S") == "/JavaScript":
        js = _obj(action.get("/JS"))
        return js.get_data().decode("latin-1") if hasattr(js, "get_data") else str(js or "")
    return None


def _actions(out: Extract, holder, where: str) -> None:
    holder = _obj(holder)
    if not hasattr(holder, "get"):
        return
    candidates = [holder.get("/A"), holder.get("/OpenAction")]
    aa = _obj(holder.get("/AA"))
    if hasattr(aa, "values"):
        candidates.extend(aa.values())
    for action in candidates:
        code = _js(action) if action is not None else None
        if code is not None:
            out.find("javascript", where, code[:200])
            out.text(code, f"JavaScript ({where})")


def _annotations(reader, out: Extract, limits: Limits) -> None:
    for n, page in enumerate(reader.pages, 1):
        for annot in (_obj(page.get("/Annots")) or [])[:1000]:
            annot = _obj(annot)
            if not hasattr(annot, "get"):
                continue
            sub, where = str(annot.get("/Subtype")), f"page {n}"
            words = [str(_obj(annot.get(k))) for k in ("/Contents", "/T", "/V", "/TU", "/Subj")
                     if annot.get(k) is not None]
            rich = annot.get("/RC")
            if rich is not None:
                words.append(_TAGS.sub(" ", str(_obj(rich))))
            uri = _obj(_obj(annot.get("/A")) or {}).get("/URI") if hasattr(_obj(annot.get("/A")), "get") else None
            if uri:
                words.append(str(uri))
            out.text(" | ".join(words), f"annotation on {where}")
            if sub in MARKUP:
                out.find("comments", where, f"{sub[1:]} annotation by {annot.get('/T', 'unknown')}: "
                         f"{str(annot.get('/Contents', ''))[:150]}")
            if sub == "/FileAttachment":
                spec = _obj(annot.get("/FS"))
                ef = _obj(spec.get("/EF")) if hasattr(spec, "get") else None
                stream = _obj(ef.get("/F")) if hasattr(ef, "get") else None
                if stream is not None and hasattr(stream, "get_data"):
                    name = str(spec.get("/UF") or spec.get("/F") or "attachment")
                    out.find("embedded_file", where, name)
                    _embed(out, name, stream.get_data(), f"attachment on {where}", limits)
            _actions(out, annot, where)


def _embed(out: Extract, name: str, data: bytes, where: str, limits: Limits) -> None:
    from . import Embedded
    if len(out.embedded) < limits.max_embedded:
        out.embedded.append(Embedded(name, data, where))


def _document(reader, out: Extract, limits: Limits) -> None:
    root = _obj(reader.trailer["/Root"])
    names = _obj(root.get("/Names"))
    if hasattr(names, "get"):
        if names.get("/JavaScript") is not None:
            for name, action in _name_tree(names["/JavaScript"]):
                code = _js(action) or ""
                out.find("javascript", f"document script {name}", code[:200])
                out.text(code, f"JavaScript {name}")
        if names.get("/EmbeddedFiles") is not None:
            for name, spec in _name_tree(names["/EmbeddedFiles"], limits.max_embedded):
                ef = _obj(spec.get("/EF")) if hasattr(spec, "get") else None
                stream = _obj(ef.get("/F")) if hasattr(ef, "get") else None
                if stream is not None and hasattr(stream, "get_data"):
                    out.find("embedded_file", "document", name)
                    _embed(out, name, stream.get_data(), f"embedded file {name}", limits)
    _actions(out, root, "document")
    info = reader.metadata or {}
    out.text(" | ".join(str(v) for v in info.values() if v), "document properties")
    meta = _obj(root.get("/Metadata"))
    if hasattr(meta, "get_data"):
        out.text(_TAGS.sub(" ", meta.get_data()[:1024 ** 2].decode("utf-8", "replace")), "XMP metadata")


def _revisions(data: bytes, final: list[str], out: Extract, limits: Limits) -> None:
    """Text that only an earlier revision (kept by an incremental save) still shows."""
    ends = [m.end() for m in _EOF.finditer(data)]
    if b"/Linearized" in data[:1024] and ends:
        ends = ends[1:]  # a linearized file's first %%EOF closes its first-page section, not a revision
    earlier = ends[:-1][-limits.max_revisions:]
    if not earlier:
        return
    out.find("pdf_revisions", "file", f"{len(ends) - 1} earlier revision(s) kept by incremental saves")
    current = {line.strip() for page in final for line in page.splitlines()}
    for k, end in enumerate(earlier, 1):
        try:
            texts = _pages_text(_open(data[:end]), limits, None)
        except Exception:  # a truncated revision that does not stand alone: the finding is enough
            continue
        for n, text in enumerate(texts, 1):
            gone = [line for line in text.splitlines() if line.strip() and line.strip() not in current]
            out.text("\n".join(gone), f"revision {k}, page {n} (since removed)")


def read(data: bytes, limits: Limits) -> Extract:
    from . import pdf_more
    out = Extract()
    clean = pdf_more.normalise(data)
    try:
        reader = _open(clean)
        texts = _pages_text(reader, limits, out)
        for n, text in enumerate(texts, 1):
            out.text(text, f"page {n}")
        _annotations(reader, out, limits)
        _document(reader, out, limits)
    except Unreadable:
        raise
    except Exception as exc:  # pypdf raises many types on a broken or hostile file
        raise Unreadable(f"the PDF cannot be read ({type(exc).__name__})") from exc
    pdf_more.read_extractors(clean, limits, out)
    pdf_more.read_places(clean, out)
    if out.ocr_pages:
        pdf_more.pdfminer_pages(clean, out.ocr_pages, out)
    _revisions(data, texts, out, limits)
    return out
