"""PDF, beyond pypdf's text: the same pages read by pdfium and poppler (each extractor sees text the
others miss: per-glyph placement, fonts without a ToUnicode map, /ActualText, hyphenated breaks),
and the places no page text shows: outline, page labels, the structure tree's /Alt and /ActualText,
form fields' values on parent fields, and annotations' appearance streams.

Every reader is bounded; an extractor that fails on a file makes it `unreadable` (held), never
passed over in silence.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile

from . import Extract, Limits, Unreadable

MAX_NODES = 20_000          # outline items, structure elements, fields visited per file
MAX_APPEARANCES = 2_000     # annotation appearance streams read per file
PDFTOTEXT_TIMEOUT = 120


def normalise(data: bytes) -> bytes:
    """The file as qpdf rewrites it: unreferenced objects dropped, an encryption that needs no
    password (permissions only) removed. What the screen reads is what a release carries."""
    import pikepdf
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            out = io.BytesIO()
            pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.preserve)
            return out.getvalue()
    except pikepdf.PasswordError as exc:
        raise Unreadable("the PDF is encrypted with a password") from exc
    except Exception as exc:  # qpdf refuses a file it cannot repair
        raise Unreadable(f"the PDF cannot be read ({type(exc).__name__})") from exc


def pdfium_pages(data: bytes, limits: Limits) -> list[str]:
    import pypdfium2 as pdfium
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise Unreadable(f"pdfium cannot read the PDF ({exc})") from exc
    try:
        if len(doc) > limits.max_pages:
            raise Unreadable(f"{len(doc):,} pages; the limit is {limits.max_pages:,}")
        texts = []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        doc.close()


def poppler_pages(data: bytes, pages: int) -> list[str] | None:
    """pdftotext's text per page; None where poppler is not installed (said in the checks)."""
    if not shutil.which("pdftotext"):
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        try:
            run = subprocess.run(["pdftotext", "-q", "-enc", "UTF-8", fh.name, "-"], capture_output=True,
                                 timeout=PDFTOTEXT_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise Unreadable("pdftotext took too long to read the PDF") from exc
    if run.returncode != 0:
        raise Unreadable(f"pdftotext cannot read the PDF (exit {run.returncode})")
    texts = run.stdout.decode("utf-8", "replace").split("\f")
    return texts[:pages]


def _text(value) -> str:
    try:
        return str(value)
    except Exception:  # an undecodable string object: its bytes, as latin-1
        return bytes(value).decode("latin-1", "replace")


def _walk(first, visit, limit: int = MAX_NODES) -> None:
    """Visit a tree of dictionaries through /First-/Next (outline) without looping."""
    seen: set = set()
    todo = [first]
    while todo and len(seen) < limit:
        node = todo.pop()
        if node is None or not hasattr(node, "get"):
            continue
        key = node.objgen if getattr(node, "is_indirect", False) else id(node)
        if key in seen:
            continue
        seen.add(key)
        visit(node)
        todo.extend(n for n in (node.get("/Next"), node.get("/First")) if n is not None)


def _outline(pdf, out: Extract) -> None:
    outlines = pdf.Root.get("/Outlines")
    if outlines is None:
        return
    titles: list[str] = []
    _walk(outlines.get("/First"), lambda n: titles.append(_text(n.get("/Title", ""))))
    out.text("\n".join(titles), "outline (bookmarks)")


def _name_keys(pdf, out: Extract) -> None:
    """The keys of every name tree (named destinations, scripts, files, pages, templates) and of the
    old /Dests dictionary: a name given to a place in the file."""
    import pikepdf
    keys: list[str] = []
    names = pdf.Root.get("/Names")
    todo = list(names.values()) if isinstance(names, pikepdf.Dictionary) else []
    seen = 0
    while todo and seen < MAX_NODES:
        node = todo.pop()
        seen += 1
        if not isinstance(node, pikepdf.Dictionary):
            continue
        pairs = node.get("/Names")
        if isinstance(pairs, pikepdf.Array):
            keys.extend(_text(pairs[i]) for i in range(0, len(pairs), 2))
        kids = node.get("/Kids")
        if isinstance(kids, pikepdf.Array):
            todo.extend(kids)
    dests = pdf.Root.get("/Dests")
    if isinstance(dests, pikepdf.Dictionary):
        keys.extend(str(k)[1:] for k in dests.keys())
    out.text("\n".join(keys), "named destinations and other names")


def _page_labels(pdf, out: Extract) -> None:
    labels = pdf.Root.get("/PageLabels")
    if labels is None:
        return
    prefixes: list[str] = []
    todo, seen = [labels], 0
    while todo and seen < MAX_NODES:
        node = todo.pop()
        seen += 1
        nums = node.get("/Nums") or []
        for i in range(1, len(nums), 2):
            style = nums[i]
            if hasattr(style, "get") and style.get("/P") is not None:
                prefixes.append(_text(style.get("/P")))
        todo.extend(node.get("/Kids") or [])
    out.text("\n".join(prefixes), "page labels")


_STRUCT_KEYS = ("/Alt", "/ActualText", "/E", "/T")


def _dictionaries(start: list, kids: str):
    """Every dictionary of a tree whose children are under `kids` (a dictionary or an array of
    them), each once, at most MAX_NODES: a hostile file may loop or be vast."""
    import pikepdf
    todo, seen = list(start), set()
    while todo and len(seen) < MAX_NODES:
        node = todo.pop()
        if isinstance(node, pikepdf.Array):
            todo.extend(node)
            continue
        if not isinstance(node, pikepdf.Dictionary):
            continue
        key = node.objgen if node.is_indirect else id(node)
        if key in seen:
            continue
        seen.add(key)
        yield node
        if kids in node:
            todo.append(node[kids])


def _struct_tree(pdf, out: Extract) -> None:
    import pikepdf
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    texts: list[str] = []
    for node in _dictionaries([root], "/K"):
        texts.extend(_text(node[k]) for k in _STRUCT_KEYS if k in node)
    out.text("\n".join(texts), "structure tree (alternate text)")


def _marked_content(pdf, out: Extract) -> None:
    """/ActualText and /Alt given to marked content inside the pages' drawing."""
    import pikepdf
    for n, page in enumerate(pdf.pages, 1):
        texts = []
        try:
            for operands, _op in pikepdf.parse_content_stream(page, "BDC"):
                props = operands[1] if len(operands) > 1 else None
                if isinstance(props, pikepdf.Dictionary):
                    texts.extend(_text(props[k]) for k in ("/ActualText", "/Alt", "/E") if k in props)
        except pikepdf.PdfError:
            continue    # the other extractors read this page; a broken stream is theirs to report
        out.text("\n".join(texts), f"page {n} (marked content /ActualText)")


_FIELD_KEYS = ("/T", "/TU", "/TM", "/V", "/DV")


def _field_texts(value) -> list[str]:
    import pikepdf
    if isinstance(value, pikepdf.Stream):    # rich text or a stream value
        return [value.read_bytes()[:1024 ** 2].decode("utf-8", "replace")]
    if isinstance(value, pikepdf.Array):
        return [t for v in value for t in _field_texts(v)]
    if isinstance(value, (pikepdf.Dictionary, pikepdf.Name)):
        return []
    return [_text(value)]


def _fields(pdf, out: Extract) -> None:
    import pikepdf
    form = pdf.Root.get("/AcroForm")
    if not isinstance(form, pikepdf.Dictionary):
        return
    texts: list[str] = []
    for node in _dictionaries(list(form.get("/Fields") or []), "/Kids"):
        for k in _FIELD_KEYS + ("/Opt",):
            if k in node:
                texts.extend(_field_texts(node[k]))
    out.text("\n".join(t for t in texts if t), "form fields")


def _appearances(pdf) -> list[tuple[int, object]]:
    """(page number, appearance stream) of every annotation, every state."""
    import pikepdf
    found = []
    for n, page in enumerate(pdf.pages, 1):
        for annot in page.get("/Annots") or []:
            ap = annot.get("/AP") if hasattr(annot, "get") else None
            if not isinstance(ap, pikepdf.Dictionary):
                continue
            for kind in ("/N", "/R", "/D"):
                value = ap.get(kind)
                streams = [value] if isinstance(value, pikepdf.Stream) else (
                    list(value.values()) if isinstance(value, pikepdf.Dictionary) else [])
                found.extend((n, s) for s in streams if isinstance(s, pikepdf.Stream))
                if len(found) >= MAX_APPEARANCES:
                    return found
    return found


def _appearance_text(pdf, out: Extract) -> None:
    """What annotations show: each appearance stream drawn alone on a page, read by pdfium."""
    import pikepdf
    import pypdfium2 as pdfium
    found = _appearances(pdf)
    if not found:
        return
    with pikepdf.new() as holder:
        for _n, stream in found:
            form = holder.copy_foreign(stream)
            bbox = [float(v) for v in form.get("/BBox", [0, 0, 612, 792])]
            form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
            form.BBox = bbox
            x0, y0 = min(bbox[0], bbox[2]), min(bbox[1], bbox[3])
            w, h = max(abs(bbox[2] - bbox[0]), 1), max(abs(bbox[3] - bbox[1]), 1)
            page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, w, h],
                                      Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(A=form)),
                                      Contents=holder.make_stream(
                                          f"q 1 0 0 1 {-x0:.3f} {-y0:.3f} cm /A Do Q".encode()))
            holder.pages.append(pikepdf.Page(page))
        buf = io.BytesIO()
        holder.save(buf)
    doc = pdfium.PdfDocument(buf.getvalue())
    try:
        for i, (n, _stream) in enumerate(found):
            out.text(doc[i].get_textpage().get_text_range(), f"annotation appearance on page {n}")
    finally:
        doc.close()


def opaque_font(font) -> bool:
    """A font whose codes no extractor can be sure to map to letters: no /ToUnicode, and either a
    composite or Type3 font, or an embedded font program with a custom encoding (a subset)."""
    import pikepdf
    if not isinstance(font, pikepdf.Dictionary) or "/ToUnicode" in font:
        return False
    subtype = font.get("/Subtype")
    if subtype in (pikepdf.Name.Type0, pikepdf.Name.Type3):
        return True
    descriptor = font.get("/FontDescriptor")
    embedded = isinstance(descriptor, pikepdf.Dictionary) and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    encoding = font.get("/Encoding")
    return embedded and (encoding is None or isinstance(encoding, pikepdf.Dictionary))


def fonts(resources, depth: int = 0):
    import pikepdf
    if not isinstance(resources, pikepdf.Dictionary) or depth > 3:
        return
    listed = resources.get("/Font")
    if isinstance(listed, pikepdf.Dictionary):
        yield from listed.values()
    xobjects = resources.get("/XObject")
    if isinstance(xobjects, pikepdf.Dictionary):
        for xobj in xobjects.values():
            if isinstance(xobj, pikepdf.Stream) and xobj.get("/Subtype") == pikepdf.Name.Form:
                yield from fonts(xobj.get("/Resources"), depth + 1)


def _opaque_pages(pdf, out: Extract) -> None:
    """Pages drawn with fonts that have no map to Unicode: read again by pdfminer (which also
    tries the font's own tables) and by OCR."""
    for n, page in enumerate(pdf.pages, 1):
        if any(opaque_font(f) for f in fonts(page.get("/Resources"))):
            out.ocr_pages.add(n)


def pdfminer_pages(data: bytes, pages: set[int], out: Extract) -> None:
    from pdfminer.high_level import extract_text
    for n in sorted(pages):
        try:
            text = extract_text(io.BytesIO(data), page_numbers=[n - 1])
        except Exception as exc:  # pdfminer raises many types on a hostile file
            raise Unreadable(f"pdfminer cannot read page {n} ({type(exc).__name__})") from exc
        out.text(text, f"page {n}")


def read_places(data: bytes, out: Extract) -> None:
    """Outline, page labels, structure tree, marked content, form fields, annotation appearances."""
    import pikepdf
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for reader in (_outline, _name_keys, _page_labels, _struct_tree, _marked_content, _fields, _appearance_text,
                           _opaque_pages):
                reader(pdf, out)
    except Unreadable:
        raise
    except Exception as exc:  # a hostile structure: held as unreadable rather than passed unread
        raise Unreadable(f"the PDF's structure cannot be read ({type(exc).__name__})") from exc


def read_extractors(data: bytes, limits: Limits, out: Extract) -> list[str]:
    """Each page's text by pdfium and by poppler, as segments of their own; the names of the
    extractors that read the file."""
    names = ["pypdf"]
    for n, text in enumerate(pdfium_pages(data, limits), 1):
        out.text(text, f"page {n}")
    names.append("pdfium")
    pages = poppler_pages(data, limits.max_pages)
    if pages is not None:
        for n, text in enumerate(pages, 1):
            out.text(text, f"page {n}")
        names.append("pdftotext")
    return names
