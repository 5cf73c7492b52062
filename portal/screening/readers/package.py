"""OOXML packages (XLSX, DOCX): the text of every XML part, read by content, so the places a
parser skips are read too: chart titles, data-validation lists, formulas without a cached value,
header and footer text, image alt text, custom properties, unused shared strings.

Named places come first (their matches say where); every other part is read as a catch-all
whose matches count only for terms no named place showed.
"""
from __future__ import annotations

import re
import zipfile
from html import unescape

from lxml import etree

from . import Extract

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
# Header and footer codes: &L &C &R (sections), &P &N &D &T &F &A (fields), &"Font,Style", &12, &KFF0000.
_HF_CODES = re.compile(r'&(?:"[^"]*"|K[0-9A-Fa-f]{6}|K\d\d[+-]\d{3}|\d+|[LCRPNDTFAZGBIUSXYEHO&])')
_SHEET_FORMULA = re.compile(rb"<(?:\w+:)?(f|formula1|formula2|formula)\b[^>]*>(.*?)</(?:\w+:)?\1>", re.S)
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3}\d{1,7})\"")
_HEADER_FOOTER = re.compile(rb"<(?:\w+:)?(oddHeader|oddFooter|evenHeader|evenFooter|firstHeader|firstFooter)"
                            rb"\b[^>]*>(.*?)</(?:\w+:)?\1>", re.S)
_XML_DECL = re.compile(rb"^\s*(?:\xef\xbb\xbf)?<\?xml|^\s*<", re.S)


def _is_xml(head: bytes) -> bool:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    return bool(_XML_DECL.match(head[:64]))


def header_footer_text(raw: str) -> str:
    return _HF_CODES.sub(" ", raw)


def _all_text(data: bytes) -> str:
    """Every text node and attribute value of one XML part."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return ""
    texts: list[str] = []
    for el in root.iter():
        texts.extend(v for v in el.attrib.values() if v and not v.startswith("http://schemas."))
        if isinstance(el.tag, str) and el.text and el.text.strip():
            texts.append(el.text)
        if el.tail and el.tail.strip():
            texts.append(el.tail)
    return "\n".join(texts)


_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def sheet_titles(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> the sheet's title, from the workbook and its relationships."""
    try:
        book = etree.fromstring(zf.read("xl/workbook.xml"), _PARSER)
        rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"), _PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target") or ""
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return {targets[el.get(_R)]: el.get("name") for el in book.iter()
            if isinstance(el.tag, str) and etree.QName(el).localname == "sheet" and el.get(_R) in targets}


def read_sheet_extras(zf: zipfile.ZipFile, names: list[str], out: Extract, max_bytes: int,
                      titles: dict[str, str]) -> None:
    """Formulas (a formula keeps its text where no value was cached: Excel shows it on opening),
    data-validation lists and header/footer text of each worksheet."""
    for name in names:
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        with zf.open(name) as fh:
            data = fh.read(max_bytes)
        title = titles.get(name, name)
        for m in _SHEET_FORMULA.finditer(data):
            cell = _CELL_REF.findall(data, max(m.start() - 400, 0), m.start())
            where = f"formula at {title}!{cell[-1].decode()}" if m.group(1) == b"f" and cell \
                else f"validation list in {title}"
            out.text(unescape(m.group(2).decode("utf-8", "replace")), where)
        hf = [header_footer_text(unescape(m.group(2).decode("utf-8", "replace")))
              for m in _HEADER_FOOTER.finditer(data)]
        out.text("\n".join(hf), f"header and footer of {name}")


def read_parts(zf: zipfile.ZipFile, out: Extract, skip, max_bytes: int, labels: dict[str, str]) -> None:
    """Every XML part not in `skip`: a named segment where `labels` names its kind (by prefix),
    a catch-all segment otherwise."""
    for info in zf.infolist():
        name = info.filename
        if skip(name) or info.file_size == 0:
            continue
        with zf.open(info) as fh:
            data = fh.read(max_bytes)
        if not _is_xml(data):
            continue
        text = _all_text(data)
        label = next((v for k, v in labels.items() if name.startswith(k)), None)
        if label:
            out.text(text, f"{label} ({name})")
        else:
            out.text(text, f"package part {name}", fallback=True)
