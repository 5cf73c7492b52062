"""The recipient's files table, rendered once per distinct content and reused.

The cache key is the table's data itself (plus which rows have expired, what was redacted, the URL root and the language), so a
reused table can never be stale: any change to a grant, a delivery or an expiry is a new key.
Each server process keeps its own small cache; nothing in it is needed by another server.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from flask import render_template, request
from markupsafe import Markup

from ..redaction import log as redaction_log
from ..i18n import _language as current_language
from .services import MyFile


def files_table(files: list[MyFile], now: datetime) -> Markup:
    expired = frozenset(f.id for f in files if f.expires_at is not None and f.expires_at < now)
    redacted = tuple(sorted((rid, tuple(items)) for rid, items in
                            redaction_log.summaries([f.record_id for f in files if f.replaces_id is not None]).items()))
    return _render(tuple(files), expired, redacted, request.script_root, current_language())


@lru_cache(maxsize=512)
def _render(files: tuple[MyFile, ...], expired: frozenset[int], redacted: tuple, script_root: str,
            language: str) -> Markup:
    summaries = {rid: redaction_log.summary_text(list(items)) for rid, items in redacted}
    return Markup(render_template("disclosures/_files_table.html", grants=files, expired=expired,
                                  redacted=summaries))
