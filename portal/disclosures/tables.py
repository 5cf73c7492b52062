"""The recipient's files table, rendered once per distinct content and reused.

The key is the table's rows as the database returns them (plus what was redacted, the URL root
and the language), so a reused table is never stale: a change to a grant or a delivery is a new
key. An entry lasts until the first of its grants expires, after which it is rendered afresh.
Each server process keeps its own small cache; nothing in it is needed by another server.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from flask import current_app, render_template, request
from markupsafe import Markup

from ..auth.models import User
from ..i18n import _language as current_language
from ..redaction import log as redaction_log
from . import services


def files_table(actor: User, now: datetime) -> Markup:
    rows = services.my_files_key(actor)
    redacted = tuple(sorted((rid, tuple(items)) for rid, items in
                            redaction_log.summaries(services.replacements_in(rows)).items()))
    key = (rows, redacted, request.script_root, current_language())
    tables: Tables = current_app.extensions["files_tables"]
    table = tables.get(key, now)
    if table is None:
        files = services.files_of(rows)  # the key's own rows: the table shows exactly what it is keyed by
        summaries = {rid: redaction_log.summary_text(list(items)) for rid, items in redacted}
        table = Markup(render_template(
            "disclosures/_files_table.html", grants=files, redacted=summaries,
            expired=frozenset(f.id for f in files if f.expires_at is not None and f.expires_at < now)))
        tables.put(key, table, until=min(
            (f.expires_at for f in files if f.expires_at is not None and f.expires_at >= now), default=None))
    return table


class Tables:
    """A small least-recently-used cache of tables, each valid until its `until` (if any)."""

    def __init__(self, size: int = 512) -> None:
        self._size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key, now: datetime) -> Markup | None:
        with self._lock:
            found = self._items.get(key)
            if found is None or (found[1] is not None and now > found[1]):
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key, table: Markup, until: datetime | None) -> None:
        with self._lock:
            self._items[key] = (table, until)
            self._items.move_to_end(key)
            if len(self._items) > self._size:
                self._items.popitem(last=False)


def install(app) -> None:
    app.extensions["files_tables"] = Tables()
