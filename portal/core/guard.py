"""Request parsing that refuses, in one place, text and numbers no field may hold.

A NUL character makes PostgreSQL refuse the statement, an unpaired surrogate cannot be encoded as
UTF-8 by either driver, and an integer beyond the `integer` columns overflows them: each was a 500
wherever a view passed such a value on. Here every query and form value, JSON string and the path
are checked before any view runs (an upload's file name is not: it is metadata, cleaned of control
characters where it is stored), and `request.args.get(..., type=int)` refuses numbers
outside the columns' range; each is a 400 that names the field.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Request, request
from werkzeug.datastructures import ImmutableMultiDict

from .errors import Invalid
from .models import MAX_ID

_UNSAFE = re.compile("[\x00\ud800-\udfff]")
MIN_INT = -MAX_ID - 1


def _bounded_int(name: str):
    def convert(value: str) -> int:
        number = int(value)  # ValueError: not a number, so the caller's default, as before
        if not MIN_INT <= number <= MAX_ID:
            raise Invalid(f"{name} is out of range: at most {MAX_ID:,}.", fields={name: "range"})
        return number
    return convert


class Parameters(ImmutableMultiDict):
    """Query and form values whose `type=int` stays within the database's integer columns."""

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's signature)
        return super().get(key, default, _bounded_int(key) if type is int else type)

    def getlist(self, key, type=None):  # noqa: A002
        return super().getlist(key, _bounded_int(key) if type is int else type)


class PortalRequest(Request):
    parameter_storage_class = Parameters


def _unsafe_in(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return _UNSAFE.search(value) is not None
    if depth > 64:  # the JSON size limit bounds this anyway
        return False
    if isinstance(value, dict):
        return any(_unsafe_in(k, depth + 1) or _unsafe_in(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_unsafe_in(v, depth + 1) for v in value)
    return False


def _refuse(where: str) -> None:
    raise Invalid("Text may not contain NUL characters or unpaired UTF-16 surrogates.",
                  fields={where: "invalid characters"})


def refuse_unsafe_text() -> None:
    """before_request: 400 for a NUL or a lone surrogate anywhere a view could read it from."""
    if _UNSAFE.search(request.path):
        _refuse("path")
    for source in (request.args, request.form):
        for key, values in source.lists():
            if _unsafe_in(key) or any(_unsafe_in(v) for v in values):
                _refuse(key if not _unsafe_in(key) else "name")
    if request.is_json and _unsafe_in(parsed_json()):
        _refuse("body")


def parsed_json():
    """The request's JSON, or None when it is not JSON (invalid JSON is the view's to refuse); a
    body nested too deeply for the parser is refused (Python's parser recurses, and would
    otherwise fail with a 500)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise Invalid("The JSON body is nested too deeply.", fields={"body": "too deeply nested"}) from None
