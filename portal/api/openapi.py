"""The OpenAPI 3.1 document of /api/v1, built from one table: (method, path, summary, who, body, answers).

Served without a token at /api/v1/openapi.json. tests/security/test_openapi.py checks that every
/api/v1 url rule is described here and the other way round, and that the document validates.
"""
from __future__ import annotations

from flask import current_app

from . import bp

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "fields": {"type": "object", "additionalProperties": {"type": "string"}}},
    "additionalProperties": True}}}

ERRORS = {400: "Invalid input; `fields` names the bad ones.", 401: "No token, or a bad or revoked one.",
          403: "Your role may not do this.", 404: "Not found, or not yours: existence is never revealed.",
          405: "That method is not possible here.", 409: "A conflict, or a screening hold (with `hold_id` and `matches`).",
          410: "Revoked or expired.", 413: "Too large.", 415: "File type refused.",
          422: "A file the portal cannot read or mark.", 429: "Too many attempts; see Retry-After.",
          503: "Storage or the database is unavailable; nothing was changed."}

_str = {"type": "string"}
_int = {"type": "integer"}
_obj = {"type": "object"}
_list = {"type": "array"}
REASON = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 2000}}}
FILE = {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary"}, "disposition": {"enum": ["release", "withhold"]},
    "exemption": _str, "unpack": {"enum": ["true", "false"]}}}}}
ONLY_FILE = {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary"}}}}}
REDACTION = {"type": "object", "required": ["kind"], "properties": {
    "kind": {"enum": ["term", "box", "pattern", "cell"]}, "term": _str, "page": _int, "x": {"type": "number"},
    "y": {"type": "number"}, "width": {"type": "number"}, "height": {"type": "number"}, "citation": _str}}

# method, path, summary, who may call it, JSON body schema (or a content dict), success answers
# (status -> description / (description, media type)), extra error statuses, query parameters
OPERATIONS = [
    ("get", "/me", "The token's user.", "anyone with a token", None, {200: "The user."}, (), ()),
    ("get", "/audit", "Audit entries, oldest first.", "admin", None, {200: ("Entries.", _list)}, (), (
        ("after", {"type": "integer", "minimum": 0, "maximum": 2 ** 31 - 1}), ("limit", {"type": "integer", "minimum": 1, "maximum": 1000}))),
    ("post", "/requests", "File a request.", "anyone with a token", {"type": "object", "required": ["title", "description"], "properties": {
        "department": _str, "departments": {"type": "array", "items": _str}, "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "minLength": 1, "maxLength": 20000}}}, {201: "The request."}, (429,), ()),
    ("get", "/requests", "The request queue.", "staff, admin", None, {200: "`{items, total, page}`."}, (), (
        ("status", _str), ("department", _str), ("q", _str), ("page", _int), ("due", _str), ("sort", _str), ("assignee", _str))),
    ("get", "/requests/{ident}", "One request.", "its requester, its department's staff, admin", None, {200: "The request."}, (), ()),
    ("post", "/requests/{ident}/events", "Act on a request.", "staff of its department (message: its requester too)", {
        "type": "object", "required": ["kind", "body"], "properties": {
            "kind": {"enum": ["acknowledge", "extend", "message", "note", "close"]}, "body": _str,
            "outcome": _str, "days": _int, "exemptions": {"type": "array", "items": _str}}}, {201: "The event."}, (409,), ()),
    ("post", "/requests/{request_id}/records", "Upload a responsive record (unpack=true: a ZIP, one record per member).",
     "staff of the department", FILE, {201: "The record; with unpack, {records, refused}."}, (409, 413, 415, 422), ()),
    ("get", "/requests/{request_id}/records", "A request's records.", "staff of the department", None, {200: ("Records.", _list)}, (), ()),
    ("post", "/requests/{request_id}/releases", "Release records: one marked copy per recipient.", "staff of the department", {
        "type": "object", "required": ["record_ids"], "properties": {
            "record_ids": {"type": "array", "items": _int}, "recipients": {"type": "array", "items": _str},
            "public": {"type": "boolean"}, "row_order_free": {"type": "boolean"}}}, {201: "The release."}, (409, 422), ()),
    ("post", "/protected-terms", "Add terms to a protected list.", "admin", {"type": "object", "required": ["list", "terms"], "properties": {
        "list": _str, "terms": {"type": "array", "items": _str}}}, {201: "The list."}, (), ()),
    ("get", "/holds", "Open screening holds.", "staff, admin", None, {200: ("Holds.", _list)}, (), ()),
    ("get", "/holds/{hold_id}", "One hold.", "staff of the department, admin", None, {200: "The hold."}, (), ()),
    ("post", "/holds/{hold_id}/approve", "Approve a held release.", "another staff member of the department, admin",
     {"type": "object", "properties": {"reason": _str}}, {201: "The release."}, (409, 422), ()),
    ("post", "/holds/{hold_id}/dismiss", "Dismiss a hold: nothing is released.", "staff of the department, admin",
     {"type": "object", "properties": {"reason": _str}}, {200: "The hold."}, (409,), ()),
    ("get", "/records/{record_id}/pages", "A record's pages for redaction.", "staff of the department", None, {200: "Pages."}, (409, 415, 422), ()),
    ("post", "/records/{record_id}/redactions", "Save draft redactions.", "staff of the department", {
        "type": "object", "properties": {"redactions": {"type": "array", "items": REDACTION}, **REDACTION["properties"]}},
     {201: "The drafts."}, (409, 415, 422), ()),
    ("get", "/records/{record_id}/redactions", "A record's redactions.", "staff of the department", None, {200: ("Redactions.", _list)}, (), ()),
    ("delete", "/redactions/{redaction_id}", "Withdraw a draft redaction.", "staff of the department", None, {200: "Withdrawn."}, (409,), ()),
    ("post", "/records/{record_id}/redactions/apply", "Apply the drafts into a redacted replacement.", "staff of the department",
     None, {201: "The run and the new record."}, (409, 415, 422), ()),
    ("post", "/records/{record_id}/verify", "Verify a redacted replacement.", "staff of the department", None, {200: "The check."}, (409, 422), ()),
    ("get", "/records/{record_id}/redaction-log", "The redaction log (format=csv for CSV).", "staff of the department", None,
     {200: ("The log.", {"application/json": {"schema": _list}, "text/csv": {"schema": _str}})}, (),
     (("format", {"enum": ["json", "csv"]}),)),
    ("get", "/me/grants", "My grants.", "anyone with a token", None, {200: ("Grants.", _list)}, (), ()),
    ("get", "/grants/{grant_id}/download", "My marked copy.", "the grant's recipient", None,
     {200: ("The copy, in the record's own type (a ZIP when marks need a receipt).", "*/*"), 202: "Being prepared; see Retry-After.", 302: "A short-lived storage address."},
     (410, 422), ()),
    ("get", "/releases/{release_id}/download", "All my marked copies of a release, in one ZIP.", "a recipient of the release", None,
     {200: ("A ZIP of my copies; REVOKED.txt names the files left out.", "application/zip"),
      202: "Being prepared (done, total); see Retry-After."}, (409, 410), ()),
    ("get", "/me/clawback-notices", "Clawback notices addressed to me.", "anyone with a token", None, {200: ("Notices.", _list)}, (), ()),
    ("post", "/clawback-notices/{notice_id}/response", "Answer a clawback notice.", "its recipient", {
        "type": "object", "required": ["action"], "properties": {
            "action": {"enum": ["acknowledge", "certify_deleted", "contest"]}, "statement": _str}}, {200: "The notice."}, (409,), ()),
    ("get", "/files/{sha256}/recipients", "Everyone who received a file.", "staff of the department(s), admin", None, {200: "Recipients."}, (), ()),
    ("get", "/releases/{release_id}/recipients", "Everyone who received a release: files held and fetched, bundles.",
     "staff of the department, admin", None, {200: "`{release_id, records, recipients: [...]}`."}, (), ()),
    ("post", "/files/{sha256}/revoke", "Revoke every grant of a file.", "staff of the department(s), admin", REASON, {200: "`{revoked}`."}, (), ()),
    ("post", "/grants/{grant_id}/revoke", "Revoke one grant.", "staff of the department, admin", REASON, {200: "The grant."}, (), ()),
    ("post", "/releases/{release_id}/revoke", "Revoke a release.", "staff of the department, admin", REASON, {200: "`{revoked}`."}, (), ()),
    ("post", "/users/{user_id}/revoke-grants", "Revoke a recipient's grants.", "staff (their department's), admin", REASON, {200: "`{revoked}`."}, (), ()),
    ("post", "/clawbacks", "Open a clawback campaign.", "admin", {"type": "object", "required": ["sha256s", "reason", "respond_by"], "properties": {
        "sha256s": {"type": "array", "items": _str}, "reason": _str, "respond_by": {"type": "string", "format": "date"}}},
     {201: "The campaign."}, (409,), ()),
    ("get", "/clawbacks/{campaign_id}", "A campaign.", "admin", None, {200: "The campaign."}, (), ()),
    ("post", "/clawbacks/{campaign_id}/rerelease", "Release a corrected record to the same recipients.", "admin", {
        "type": "object", "required": ["record_id"], "properties": {"record_id": _int}}, {201: "The releases."}, (409, 422), ()),
    ("post", "/attributions", "Say whose copy a found file is.", "admin", ONLY_FILE, {200: "`{exact, matches}`."}, (413, 415, 422), ()),
    ("post", "/attributions/batch", "Attribute every file of a ZIP of found files, in the worker.", "admin", ONLY_FILE,
     {202: "`{id}`."}, (413, 415, 422, 429), ()),
    ("get", "/attributions/batch/{batch_id}", "A batch's progress and results.", "admin", None,
     {200: "`{id, status, done, total, files: [{name, exact, matches}]}`."}, (), ()),
]

_PARAMS = {"ident": {"type": "string", "pattern": "^[0-9]{1,12}$"}, "sha256": {"type": "string"}}


def _operation(method, path, summary, who, body, answers, extra, query):
    responses = {}
    for status, what in answers.items():
        desc, media = (what if isinstance(what, tuple) else (what, _obj))
        if status == 302:
            responses["302"] = {"description": desc}
        elif isinstance(media, dict) and "type" not in media:  # several media types
            responses[str(status)] = {"description": desc, "content": media}
        elif isinstance(media, str):
            responses[str(status)] = {"description": desc, "content": {media: {"schema": {"type": "string", "format": "binary"}}}}
        else:
            responses[str(status)] = {"description": desc, "content": {"application/json": {"schema": media}}}
    for status in sorted({400, 401, 403, 404, 405, 429, 503, *extra}):
        responses[str(status)] = {"description": ERRORS[status],
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    op = {"summary": summary, "description": f"Who: {who}.", "operationId": f"{method}_{path}".replace("/", "_").replace("{", "").replace("}", "").replace("-", "_"),
          "responses": responses}
    params = [{"name": name, "in": "path", "required": True,
               "schema": _PARAMS.get(name, {"type": "integer", "minimum": 1})}
              for name in _path_names(path)]
    params += [{"name": name, "in": "query", "required": False, "schema": schema} for name, schema in query]
    if params:
        op["parameters"] = params
    if body is not None:
        content = body if "multipart/form-data" in body else {"application/json": {"schema": body}}
        op["requestBody"] = {"required": True, "content": content}
    return op


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def document() -> dict:
    paths: dict = {}
    for method, path, *rest in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(method, path, *rest)
    paths["/openapi.json"] = {"get": {"summary": "This document.", "operationId": "get_openapi", "security": [],
                                      "responses": {"200": {"description": "OpenAPI 3.1.",
                                                            "content": {"application/json": {"schema": _obj}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Public Records Portal API", "version": "1",
                 "description": "JSON over the portal's services. Every call carries `Authorization: Bearer TOKEN` "
                                "(a personal API token from the account page). Errors are "
                                "`{\"error\": {\"code\", \"message\"}}`. Times are ISO 8601 in UTC."},
        "servers": [{"url": current_app.config["BASE_URL"].rstrip("/") + "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                       "schemas": {"Error": ERROR}},
        "paths": paths,
    }


@bp.get("/openapi.json")
def openapi():
    return document()
