from __future__ import annotations

from datetime import date, datetime

from flask import request

from ..core.errors import Invalid


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


def parsed_json():
    """The request's JSON, or None when it is not JSON; a body nested too deeply for the parser is
    refused (Python's parser recurses, and would otherwise fail with a 500)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise Invalid("The JSON body is nested too deeply.", fields={"body": "too deeply nested"}) from None


def json_body() -> dict:
    body = parsed_json()
    if not isinstance(body, dict):
        raise Invalid("Send a JSON object (Content-Type: application/json).")
    return body
