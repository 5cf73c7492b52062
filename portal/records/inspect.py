"""Limits checked on every upload, before the file is stored and before any parser reads it in
full: image pixels, ZIP packages (entries, uncompressed size, ratio, nesting, names, XML DTDs) and
PDFs (password, pages, objects, launch actions). A file over a limit is refused with a message
naming the limit; the screening, watermark and redaction paths then only meet files within them.
"""
from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any, BinaryIO, Mapping

from ..core.errors import Unprocessable
from .sniff import OOXML


@dataclass(frozen=True)
class Limits:
    max_pixels: int = 16_000_000          # width x height of one image (4,000 x 4,000)
    zip_max_members: int = 10_000
    zip_max_unzipped: int = 1024 ** 3     # total uncompressed bytes of one package, nested ones included
    zip_max_ratio: int = 200              # uncompressed / compressed, for a part over 1 MiB
    zip_max_depth: int = 3                # archives inside archives
    pdf_max_pages: int = 10_000
    pdf_max_objects: int = 2_000_000

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        return cls(max_pixels=config["UPLOAD_MAX_PIXELS"], zip_max_members=config["UPLOAD_ZIP_MAX_MEMBERS"],
                   zip_max_unzipped=config["UPLOAD_ZIP_MAX_UNZIPPED"], zip_max_ratio=config["UPLOAD_ZIP_MAX_RATIO"],
                   zip_max_depth=config["UPLOAD_ZIP_MAX_DEPTH"], pdf_max_pages=config["UPLOAD_PDF_MAX_PAGES"],
                   pdf_max_objects=config["UPLOAD_PDF_MAX_OBJECTS"])


ZIP_TYPES = {"application/zip", *OOXML.values()}


def inspect(stream: BinaryIO, content_type: str, limits: Limits) -> None:
    """Raise Unprocessable when the file breaks a limit or cannot be opened to check one.
    The stream is left at its start."""
    try:
        if content_type.startswith("image/"):
            _image(stream, limits)
        elif content_type in ZIP_TYPES:
            _zip(stream, limits, ooxml=content_type in OOXML.values(), depth=1)
        elif content_type == "application/pdf":
            _pdf(stream, limits)
    finally:
        stream.seek(0)


def _image(stream: BinaryIO, limits: Limits) -> None:
    from PIL import Image, UnidentifiedImageError
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(stream) as im:
                width, height = im.size
        except Image.DecompressionBombError as exc:
            raise Unprocessable(f"The image has too many pixels to be processed safely ({exc}).") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise Unprocessable(f"The image cannot be read: it is damaged or not really an image ({exc}).") from None
    if width * height > limits.max_pixels:
        raise Unprocessable(f"The image is {width:,} x {height:,} pixels; the portal accepts images of at "
                            f"most {limits.max_pixels:,} pixels. Reduce its size and upload it again.")


def _zip(stream: BinaryIO, limits: Limits, *, ooxml: bool, depth: int, budget: list[int] | None = None) -> None:
    what = "The Office document" if ooxml else "The ZIP archive" if depth == 1 else "An archive inside the archive"
    if depth > limits.zip_max_depth:
        raise Unprocessable(f"The archive holds archives nested more than {limits.zip_max_depth} levels deep "
                            "(a zip bomb?); the portal does not accept it.")
    budget = budget if budget is not None else [limits.zip_max_unzipped]
    try:
        zf = zipfile.ZipFile(stream)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise Unprocessable(f"{what} is damaged (truncated or not a ZIP package): {exc}.") from None
    if len(infos) > limits.zip_max_members:
        raise Unprocessable(f"{what} has {len(infos):,} parts; the limit is {limits.zip_max_members:,}.")
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/"):
            raise Unprocessable(f"{what} holds a part named {name[:100]!r} that points outside the archive.")
        budget[0] -= info.file_size
        if budget[0] < 0:
            raise Unprocessable(f"{what} expands to more than {limits.zip_max_unzipped:,} bytes (a zip bomb?).")
        if info.file_size > 1024 ** 2 and info.file_size > limits.zip_max_ratio * max(info.compress_size, 1):
            raise Unprocessable(f"{what} has a part, {name[:100]}, that expands "
                                f"{info.file_size // max(info.compress_size, 1):,} times (a zip bomb?).")
    for info in infos:
        if info.is_dir() or info.flag_bits & 1:  # encrypted entries cannot be looked into
            continue
        try:
            with zf.open(info) as part:
                head = part.read(8)
                if ooxml and (info.filename.endswith((".xml", ".rels")) or _looks_like_xml(head)):
                    _no_dtd(head, part, info.filename, what)
                elif head.startswith(b"PK\x03\x04"):
                    _zip(io.BytesIO(head + part.read()), limits, ooxml=False, depth=depth + 1, budget=budget)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise Unprocessable(f"{what} has a damaged part, {info.filename[:100]}: {exc}.") from None


# XML parsers read UTF-8 and UTF-16 (with or without a byte-order mark) alike; a DTD hidden in
# UTF-16 is not the bytes "<!DOCTYPE".
_DTD_MARKS = [m.encode(codec) for m in ("<!DOCTYPE", "<!ENTITY") for codec in ("utf-8", "utf-16-le", "utf-16-be")]
# Encodings an XML parser may detect (UTF-32, EBCDIC) that Office never writes: refused outright.
_ODD_XML = (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\x00<", b"<\x00\x00\x00", b"\x4c\x6f\xa7\x94")
_SPACE = b" \t\r\n"


def _looks_like_xml(head: bytes) -> bool:
    """By content, whatever the part's name: a byte-order mark, or '<' or white space in UTF-8 or
    UTF-16, starts every XML document."""
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", *_ODD_XML)):
        return True
    first = head.lstrip(_SPACE)[:1]
    if first == b"<" or (head and not first):
        return True
    return len(head) >= 2 and ((head[1] == 0 and head[0] in b"<" + _SPACE) or (head[0] == 0 and head[1] in b"<" + _SPACE))


def _no_dtd(head: bytes, part: BinaryIO, name: str, what: str) -> None:
    """Office files never declare a DTD; one that does may hide entity expansion or external
    entities (billion laughs, XXE). The whole part is read, in chunks: comments may pad the prolog."""
    if head.startswith(_ODD_XML):
        raise Unprocessable(f"{what} has a part, {name[:100]}, in an XML encoding Office never uses "
                            "(UTF-32 or EBCDIC); the portal does not accept it.")
    tail = b""
    chunk = head
    while chunk:
        window = tail + chunk
        if any(mark in window for mark in _DTD_MARKS):
            raise Unprocessable(f"{what} declares XML entities in {name[:100]} (an entity-expansion attack?); "
                                "the portal does not accept it.")
        tail = window[-32:]
        chunk = part.read(1 << 20)


def _pdf(stream: BinaryIO, limits: Limits) -> None:
    import pikepdf
    try:
        pdf = pikepdf.open(stream)
    except pikepdf.PasswordError:
        raise Unprocessable("The PDF is protected by a password; remove the password and upload it again.") from None
    except (pikepdf.PdfError, OSError, ValueError, RecursionError) as exc:
        raise Unprocessable(f"The PDF is damaged and cannot be read ({str(exc)[:200]}).") from None
    with pdf:
        try:
            pages, objects = len(pdf.pages), len(pdf.objects)
            if pages > limits.pdf_max_pages:
                raise Unprocessable(f"The PDF has {pages:,} pages; the limit is {limits.pdf_max_pages:,}. "
                                    "Split it and upload the parts.")
            if objects > limits.pdf_max_objects:
                raise Unprocessable(f"The PDF has {objects:,} objects; the limit is {limits.pdf_max_objects:,}.")
            for obj in pdf.objects:
                if _launches(pikepdf, obj):
                    raise Unprocessable("The PDF has a launch action (it would start a program when opened); "
                                        "the portal does not accept it.")
        except (pikepdf.PdfError, RecursionError) as exc:
            raise Unprocessable(f"The PDF is damaged and cannot be read ({str(exc)[:200]}).") from None


def _launches(pikepdf, obj, depth: int = 0) -> bool:
    """A /Launch action in this object or any object written inside it (direct objects: an
    /OpenAction or a link annotation's /A may hold the action itself rather than refer to it).
    Indirect objects are checked on their own as the caller walks them all."""
    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Dictionary):
        if obj.get("/S") == pikepdf.Name.Launch:
            return True
        children = [value for _, value in obj.items()]
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return False
    if depth > 100:  # nothing legitimate nests direct objects this deep
        raise Unprocessable("The PDF nests its objects too deeply to be checked; the portal does not accept it.")
    return any(_launches(pikepdf, child, depth + 1) for child in children
               if isinstance(child, (pikepdf.Dictionary, pikepdf.Array)) and not child.is_indirect)
