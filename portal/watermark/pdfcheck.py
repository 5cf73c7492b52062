"""Checking a PDF copy just marked, through the exact objects `pdf.mark` wrote.

Reading a found copy (`pdf.read`) extracts every page's text, because a leak
may have lost everything but what is drawn. A copy that has just been made has
lost nothing, so its check looks where each mark was put instead: the document
info entry, the XMP property, every page's stamp object carrying the code, the
stamp's invisible text-layer operator, and the page's last content stream
drawing the stamp. Its cost is a walk over the page tree, not over the text.
"""
from __future__ import annotations

import io

import pikepdf
from pikepdf import Dictionary

from .engine import Stamp
from .pdfread import INFO_KEY
from .pdfstamp import LAYER_PREFIX, STAMP_KEY


def _inherited(obj: Dictionary, key: str):
    for _ in range(64):  # a malformed page tree may loop
        if obj is None:
            return None
        if key in obj:
            return obj[key]
        obj = obj.get("/Parent")
    return None


def _last_content(page: pikepdf.Page) -> bytes:
    contents = page.obj.get("/Contents")
    if isinstance(contents, pikepdf.Array):
        contents = contents[len(contents) - 1] if len(contents) else None
    return contents.read_bytes() if isinstance(contents, pikepdf.Stream) else b""


def missing_marks(marked: bytes, stamp: Stamp) -> list[str]:
    """The marks of stamp's code that are not where they were written; [] when all are."""
    code = stamp.code
    try:
        pdf = pikepdf.open(io.BytesIO(marked))
    except pikepdf.PdfError as exc:
        return [f"the copy cannot be opened ({exc})"]
    with pdf:
        missing = []
        if str(pdf.docinfo.get(INFO_KEY, "")) != code:
            missing.append("document info")
        metadata = pdf.Root.get("/Metadata")
        if not isinstance(metadata, pikepdf.Stream) or code.encode() not in metadata.read_bytes():
            missing.append("XMP")
        layer = (LAYER_PREFIX + code).encode()
        stamps_seen: dict[tuple[int, int], bool] = {}
        for number, page in enumerate(pdf.pages, start=1):
            xobjects = (_inherited(page.obj, "/Resources") or Dictionary()).get("/XObject", Dictionary())
            names = []
            for name, xobj in xobjects.items():
                if not isinstance(xobj, pikepdf.Stream) or str(xobj.stream_dict.get(STAMP_KEY, "")) != code:
                    continue
                if xobj.objgen not in stamps_seen:  # one shared stamp: its content is read once
                    stamps_seen[xobj.objgen] = layer in xobj.read_bytes()
                if stamps_seen[xobj.objgen]:
                    names.append(name.encode() if isinstance(name, str) else bytes(name))
            if not names:
                missing.append(f"stamp object with its text layer on page {number}")
                break
            drawn = _last_content(page)
            if not any(name + b" Do" in drawn for name in names):
                missing.append(f"stamp drawn on page {number}")
                break
        return missing
