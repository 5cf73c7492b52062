"""DOCX: a footer notice ending in a zero-width sequence of the 64 bits, and a
custom document property. The body, where the record is, never changes."""
from __future__ import annotations

import posixpath
import re

from .engine import Stamp
from .ooxml import REL_NS, Package, insert_before_close, xml_text, zero_width

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTER_TYPE = REL_NS + "/footer"
FOOTER_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"


def _paragraph(stamp: Stamp) -> bytes:
    # Namespaces declared on the paragraph itself, so it is valid in a footer
    # part whatever prefixes that part uses.
    return (f'<w:p xmlns:w="{W_NS}"><w:r><w:rPr><w:sz w:val="14"/></w:rPr>'
            f'<w:t xml:space="preserve">{xml_text(stamp.footer)}{zero_width(stamp.codeword)}</w:t></w:r></w:p>'
            ).encode()


def mark(package: Package, stamp: Stamp) -> None:
    document = package.main_part()
    for part in package.related(document, FOOTER_TYPE):
        package.put(part, insert_before_close(package.read(part), "ftr", _paragraph(stamp)))
    _ensure_first_section_footer(package, document, stamp)
    package.set_custom_property(stamp.code)


def _ensure_first_section_footer(package: Package, document: str, stamp: Stamp) -> None:
    """Give the first section a default footer if it has none; later sections
    without one of their own inherit it, as Word does."""
    xml = package.read(document)
    first = re.search(rb"<(\w+:)?sectPr\b[^>]*?(/?)>", xml)
    if first is None:
        return
    prefix = first.group(1) or b""
    if not first.group(2):
        close = xml.find(b"</" + prefix + b"sectPr>", first.end())
        if re.search(rb"<" + re.escape(prefix) + rb'footerReference\b[^>]*type="default"', xml[first.end():close]):
            return
    part = package.unused(posixpath.join(posixpath.dirname(document), "portalfooter"), ".xml")
    package.put(part, (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{W_NS}">'
                       ).encode() + _paragraph(stamp) + b"</w:ftr>")
    package.declare(part, FOOTER_CT)
    rid = package.relate(package.rels_of(document), FOOTER_TYPE, posixpath.relpath(part, posixpath.dirname(document)))
    reference = (f'<{prefix.decode()}footerReference xmlns:pr="{REL_NS}" {prefix.decode()}type="default" '
                 f'pr:id="{rid}"/>').encode()
    if first.group(2):   # <w:sectPr/>: open it to hold the reference
        opened = first.group(0)[:-2] + b">"
        xml = xml[:first.start()] + opened + reference + b"</" + prefix + b"sectPr>" + xml[first.end():]
    else:
        xml = xml[:first.end()] + reference + xml[first.end():]
    package.put(document, xml)
