"""XLSX: a notice sheet, a printed footer on every worksheet, and a custom
document property. No cell of the record changes."""
from __future__ import annotations

import posixpath
import re

from .engine import Stamp, WatermarkError
from .ooxml import REL_NS, Package, insert_before_close, xml_text

WORKSHEET_TYPE = REL_NS + "/worksheet"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
NOTICE_NAME = "Disclosure notice"
# Elements a worksheet may hold after <headerFooter>, in schema order: the
# footer must come before the first of them or Excel calls the file corrupt.
_AFTER_FOOTER = ("rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
                 "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
                 "controls", "webPublishItems", "tableParts", "extLst")
_EXCEL_FOOTER_LIMIT = 255


def _notice_lines(stamp: Stamp) -> list[str]:
    return [
        "Disclosure notice (not part of the record)",
        f"Released to: {stamp.recipient}",
        f"Request: {stamp.tracking_number}",
        f"Disclosure code: {stamp.code}",
        f"Date: {stamp.issued.isoformat()}",
        f"Portal: {stamp.portal_url}",
        "This copy was made for the recipient named above. The code is also stored in the file's "
        "properties and printed in the footer of each sheet, so a copy found elsewhere can be traced "
        "to this release. No value in the other sheets was changed.",
    ]


def _notice_sheet(stamp: Stamp) -> bytes:
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t xml:space="preserve">{xml_text(line)}'
                   f"</t></is></c></row>" for i, line in enumerate(_notice_lines(stamp), start=1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<cols><col min="1" max="1" width="120" customWidth="1"/></cols>'
            f"<sheetData>{rows}</sheetData>{_footer_element(stamp, '')}</worksheet>").encode()


def _footer_element(stamp: Stamp, prefix: str) -> str:
    # In Excel's footer mini-language "&" starts a code, so a literal one is "&&".
    text = ("&C&7" + stamp.footer.replace("&", "&&"))[:_EXCEL_FOOTER_LIMIT]
    return f"<{prefix}headerFooter><{prefix}oddFooter>{xml_text(text)}</{prefix}oddFooter></{prefix}headerFooter>"


def _with_footer(xml: bytes, stamp: Stamp) -> bytes | None:
    """The worksheet with a printed footer added, or None to leave it as it is
    (it has a footer of its own, which the agency chose)."""
    root = re.search(rb"<(\w+:)?worksheet\b", xml[:4096])
    data_end = xml.rfind(b"sheetData")
    # Only the tail after the cells is searched: a sheet may be tens of megabytes.
    if root is None or data_end < 0 or re.search(rb"<(\w+:)?(oddFooter|headerFooter)\b", xml[data_end:]):
        return None
    prefix = (root.group(1) or b"").decode()
    following = [m.start() for name in _AFTER_FOOTER
                 if (m := re.compile(rb"<" + prefix.encode() + name.encode() + rb"\b").search(xml, data_end))]
    if following:
        at = min(following)
        return xml[:at] + _footer_element(stamp, prefix).encode() + xml[at:]
    return insert_before_close(xml, "worksheet", _footer_element(stamp, prefix).encode())


def mark(package: Package, stamp: Stamp) -> None:
    workbook = package.main_part()
    for part in package.related(workbook, WORKSHEET_TYPE):
        marked = _with_footer(package.read(part), stamp)
        if marked is not None:
            package.put(part, marked)
    _add_notice(package, workbook, stamp)
    package.set_custom_property(stamp.code)


def _add_notice(package: Package, workbook: str, stamp: Stamp) -> None:
    base = posixpath.dirname(workbook)
    part = package.unused(posixpath.join(base, "worksheets/portalnotice"), ".xml")
    package.put(part, _notice_sheet(stamp))
    package.declare(part, WORKSHEET_CT)
    rid = package.relate(package.rels_of(workbook), WORKSHEET_TYPE, posixpath.relpath(part, base))
    xml = package.read(workbook)
    text = xml.decode("utf-8", "replace")
    names = {n.lower() for n in re.findall(r'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"', text)}
    name, n = NOTICE_NAME, 2
    while name.lower() in names:
        name, n = f"{NOTICE_NAME} ({n})", n + 1
    sheet_id = max([int(i) for i in re.findall(r'\bsheetId="(\d+)"', text)] + [0]) + 1
    sheets = re.search(r"<(\w+:)?sheets\b", text)
    if sheets is None:
        raise WatermarkError("malformed workbook: no <sheets> element")
    prefix = sheets.group(1) or ""
    # The r: namespace is declared locally: the workbook may bind another prefix to it.
    element = (f'<{prefix}sheet name="{xml_text(name)}" sheetId="{sheet_id}" '
               f'xmlns:pr="{REL_NS}" pr:id="{rid}"/>').encode()
    package.put(workbook, insert_before_close(xml, "sheets", element))
