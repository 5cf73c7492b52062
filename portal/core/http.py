"""Small helpers for views: the client's address and the current actor."""
from __future__ import annotations

from flask import request


def client_ip() -> str:
    # ProxyFix (configured in production) has already put the real address here.
    return (request.remote_addr or "unknown")[:64]


def user_agent() -> str:
    return (request.user_agent.string or "")[:400]


def content_disposition(filename: str) -> str:
    """RFC 6266: always an attachment; an ASCII fallback and the exact name in filename*."""
    from urllib.parse import quote
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def db_id(value) -> int | None:
    """A submitted value as a database id, or None when it cannot be one (not digits, 0, or beyond the column)."""
    from .models import MAX_ID
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 10 and 0 < int(text) <= MAX_ID else None
