"""How the pages show times, dates, sizes, file types, fingerprints and audit details: one place.

Every page uses these Jinja filters, so a time reads the same everywhere: in the agency's time zone,
to the minute, with the zone's name ("7 Dec 2026, 14:04 PST"). Month names follow the page's
language. The API keeps ISO 8601 in UTC (shared/API.md); these are for people only.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import current_app, g
from flask_babel import gettext, lazy_gettext as _l
from markupsafe import Markup, escape

from ..i18n import _language

# Content types people meet, in words; anything else falls back to its extension ("ZIP file").
FILE_TYPES = {
    "application/pdf": _l("PDF document"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _l("Excel workbook"),
    "application/vnd.ms-excel": _l("Excel workbook"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _l("Word document"),
    "application/msword": _l("Word document"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _l("PowerPoint presentation"),
    "text/csv": _l("CSV table"),
    "text/plain": _l("Text file"),
    "application/zip": _l("ZIP archive"),
    "image/jpeg": _l("JPEG image"),
    "image/png": _l("PNG image"),
    "image/tiff": _l("TIFF image"),
    "image/gif": _l("GIF image"),
    "image/webp": _l("WebP image"),
    "message/rfc822": _l("E-mail message"),
    "application/json": _l("JSON data"),
    "text/html": _l("Web page"),
}
UNITS = ("bytes", "KB", "MB", "GB", "TB")


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(value: datetime) -> datetime:
    if value.tzinfo is None:  # the database's naive times are UTC (core.models.UTCDateTime)
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(_zone(current_app.config["AGENCY_TIMEZONE"]))


def when(value: datetime | str | None, locale: str | None = None) -> str:
    """A moment, to the minute, in the agency's time zone: "7 Dec 2026, 14:04 PST". Also takes the
    ISO 8601 text the API's dictionaries carry (tracing shares them with the pages)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = _local(value)
    return format_datetime(local, "d MMM y, HH:mm", locale=locale or _language()) + " " + local.tzname()


def day(value: datetime | date | None) -> str:
    """A day: "7 Dec 2026" (a moment's day is the agency's day)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return format_date(value, "d MMM y", locale=_language())


def number(value: int | float | None) -> str:
    return "" if value is None else format_decimal(value, locale=_language())


def filesize(n: int | None) -> str:
    """ "25 MB", not "26,214,400 bytes" (binary multiples, as operating systems show them)."""
    if n is None:
        return ""
    size, unit = float(n), 0
    while size >= 1024 and unit < len(UNITS) - 1:
        size, unit = size / 1024, unit + 1
    shown = f"{size:.0f}" if unit == 0 or size >= 10 or size == int(size) else f"{size:.1f}"
    return f"{format_decimal(float(shown), locale=_language())} {UNITS[unit]}"


def filetype(content_type: str | None, filename: str | None = None) -> str:
    label = FILE_TYPES.get((content_type or "").split(";")[0].strip().lower())
    if label is not None:
        return str(label)
    ext = (filename or "").rpartition(".")[2].upper() if filename and "." in filename else ""
    return gettext("%(ext)s file", ext=ext) if ext else (content_type or gettext("file"))


def percent(value: float | None) -> str:
    """A confidence as a whole percentage: "100 %", never "1.000000000000"."""
    return "" if value is None else f"{round(float(value) * 100):d}%"


def fingerprint(value: str | None, length: int = 12) -> Markup:
    """A SHA-256 shortened, the whole value on hover and a button that copies it (static/copy.js
    shows the button; without JavaScript the value stays selectable in the title)."""
    if not value:
        return Markup("")
    g.copy_buttons = True  # the page then loads copy.js (base.html)
    full = escape(value)
    return Markup(f'<span class="fp"><code class="data" title="{full}">{escape(value[:length])}…</code>'
                  f'<button type="button" class="copy small secondary" data-copy="{full}" '
                  f'data-copied="{escape(_l("Copied"))}" hidden>'
                  f'{escape(_l("Copy"))}<span class="sr-only"> {full}</span></button></span>')


def details(data) -> list[tuple[str, str]]:
    """An audit entry's data as (key, value) lines: nested values flattened to dotted keys."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return [("", data)]
    lines: list[tuple[str, str]] = []

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
            for i, v in enumerate(value):
                walk(f"{prefix}[{i}]", v)
        else:
            shown = ", ".join(map(str, value)) if isinstance(value, list) else "" if value is None else str(value)
            lines.append((prefix, shown))

    walk("", data)
    return lines


def install(app) -> None:
    app.jinja_env.filters.update(when=when, day=day, number=number, filesize=filesize, filetype=filetype,
                                 percent=percent, fingerprint=fingerprint, details=details)
