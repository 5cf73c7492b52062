"""DOCX: body, headers and footers, footnotes, comments, tracked changes (inserted and deleted
text both stay in the file until accepted) and document properties. Read from the package's
XML directly, with entities and network access off."""
from __future__ import annotations

import re

from lxml import etree

from . import Extract, Limits, Unreadable, check_zip

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$")


def _paragraphs(root) -> list[str]:
    out = []
    for p in root.iter(f"{W}p"):
        text = "".join(t.text or "" for t in p.iter(f"{W}t", f"{W}instrText"))
        if text.strip():
            out.append(text)
    return out


def _label(part: str) -> str:
    name = part[len("word/"):-len(".xml")]
    return {"document": "body"}.get(name, name)


_ALT_TAGS = ("docPr", "cNvPr")
_LABELS = {"docProps/custom": "custom properties", "word/_rels/": "link targets", "word/settings": "settings", "customXml/": "custom XML",
           "word/glossary/": "glossary (building blocks)"}


def _alt_text(root) -> list[str]:
    """Images' and shapes' alt text and names (wp:docPr descr/title), which no paragraph holds."""
    out = []
    for el in root.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname in _ALT_TAGS:
            out.extend(v for k in ("descr", "title", "name") if (v := el.get(k)))
    return out


def read(data: bytes, limits: Limits) -> Extract:
    from .package import read_parts
    zf = check_zip(data, limits)
    out = Extract()
    for name in sorted(zf.namelist()):
        if not _PARTS.match(name):
            continue
        try:
            root = etree.fromstring(zf.read(name), _PARSER)
        except etree.XMLSyntaxError as exc:
            raise Unreadable(f"{name} is not well-formed XML") from exc
        where = _label(name)
        out.text("\n".join(_paragraphs(root)), where)
        out.text("\n".join(_alt_text(root)), f"image alt text in {where}")
        out.text("\n".join(el.get(f"{W}name") or "" for el in root.iter(f"{W}bookmarkStart")),
                 f"bookmark names in {where}")
        if where == "comments":
            authors = sorted({c.get(f"{W}author") or "unknown" for c in root.iter(f"{W}comment")})
            count = sum(1 for _ in root.iter(f"{W}comment"))
            if count:
                out.find("comments", "comments", f"{count} comment(s) by {', '.join(authors)}")
        inserted = list(root.iter(f"{W}ins"))
        deleted = list(root.iter(f"{W}del"))
        if inserted or deleted:
            authors = sorted({e.get(f"{W}author") or "unknown" for e in inserted + deleted})
            gone = " ".join("".join(t.text or "" for t in d.iter(f"{W}delText")) for d in deleted).strip()
            out.find("tracked_changes", where,
                     f"{len(inserted)} insertion(s), {len(deleted)} deletion(s) by {', '.join(authors)}"
                     + (f"; deleted text: {gone[:200]}" if gone else ""))
            if gone:
                out.text(gone, f"{where} (deleted text, tracked change)")
    for name in ("docProps/core.xml", "docProps/app.xml"):
        if name in zf.namelist():
            try:
                root = etree.fromstring(zf.read(name), _PARSER)
            except etree.XMLSyntaxError:
                continue
            out.text(" | ".join(e.text for e in root.iter() if e.text and e.text.strip()), "document properties")
    read_parts(zf, out, lambda name: name in ("docProps/core.xml", "docProps/app.xml"), limits.max_text, _LABELS)
    return out
