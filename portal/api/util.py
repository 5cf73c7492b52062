from __future__ import annotations

from datetime import date, datetime


from ..core.errors import Invalid
from ..core.guard import parsed_json

__all__ = ["iso", "json_body", "parsed_json"]


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


def json_body() -> dict:
    body = parsed_json()
    if not isinstance(body, dict):
        raise Invalid("Send a JSON object (Content-Type: application/json).")
    return body
