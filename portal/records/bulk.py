"""A ZIP unpacked into one record per member, each member uploaded as any file is.

The ZIP as a whole is checked against the upload limits (members, expansion, nesting)
before a member is read; over one, the call fails and nothing is made. A member the portal
refuses (its type, its own limits, empty) is listed with the reason and the others still
become records: each member is stored inside a savepoint, and its stored object is removed
if it is refused.
"""
from __future__ import annotations

import posixpath
import shutil
import tempfile
import unicodedata
import zipfile
from typing import BinaryIO

from flask import current_app

from .. import audit
from ..auth.models import User
from ..core import storage as files
from ..core.errors import Invalid, PortalError, TooLarge, Unprocessable, UnsupportedType
from ..extensions import db
from ..record_requests.services import get_managed
from .inspect import Limits, inspect
from .models import Record
from .services import SNIFF_BYTES, add_record, disposition_of
from .sniff import sniff

SPOOL_BYTES = 8 * 1024 ** 2
# What one member's own bytes may cause: it is listed and the others go on.
MEMBER_REFUSALS = (Invalid, TooLarge, UnsupportedType, Unprocessable)


def member_name(raw: str) -> str:
    """A member's path inside the ZIP, kept as its filename: no leading slash, no '.' or
    '..' parts, no control characters; the end kept when it is too long."""
    path = unicodedata.normalize("NFKC", raw.replace("\\", "/"))
    parts = [p for p in posixpath.normpath("/" + path).split("/") if p not in ("", ".", "..")]
    name = "/".join("".join(c for c in p if unicodedata.category(c)[0] != "C").strip() for p in parts)
    return name[-255:].lstrip("./") or "file"


def is_zip(stream: BinaryIO) -> bool:
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    return sniff(head) == "application/zip"


def unpack(actor: User, request_id: int, stream: BinaryIO, filename: str | None, *,
           disposition: str = "release", exemption: str | None = None,
           max_size: int) -> tuple[list[Record], list[tuple[str, PortalError]]]:
    """One record per file in the ZIP; (records, [(member name, why refused)])."""
    req = get_managed(actor, request_id)
    disp, exemption = disposition_of(disposition, exemption)
    if not is_zip(stream):
        raise UnsupportedType("Only a ZIP archive can be unpacked into records.")
    inspect(stream, "application/zip", Limits.from_config(current_app.config))
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Unprocessable(f"The ZIP archive is damaged: {exc}.") from None
    records: list[Record] = []
    refused: list[tuple[str, PortalError]] = []
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = member_name(info.filename)
            try:
                records.append(_member(actor, req, archive, info, name, disp, exemption, max_size))
            except MEMBER_REFUSALS as exc:  # anything else (storage down) fails the whole call
                refused.append((name, exc))
    audit.record(actor, "records.unpack", f"request:{req.id}",
                 {"request": req.tracking_number, "archive": (filename or "")[:255],
                  "records": [r.id for r in records],
                  "refused": [{"name": n, "code": e.code, "message": e.message} for n, e in refused]})
    return records, refused


def _member(actor, req, archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, disp, exemption,
            max_size: int) -> Record:
    if info.file_size > max_size:
        raise TooLarge(f"The file is larger than the limit of {max_size:,} bytes.")
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as body:
        try:
            with archive.open(info) as src:
                shutil.copyfileobj(src, body)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
            raise Unprocessable(f"This member cannot be read from the ZIP archive: {exc}.") from None
        body.seek(0)
        savepoint = db.session.begin_nested()
        try:
            with files.part_of_transaction():
                record = add_record(actor, req, body, name, disp, exemption, max_size=max_size)
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.commit()
        return record
