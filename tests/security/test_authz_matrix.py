"""The authorisation matrix: every url rule x every actor -> the status that actor gets.

The world (tests/security/world.py) holds one object of each kind in department A, owned by the
"owner" requester. Actors: anon, owner, other (another requester), staff (department A), ostaff
(department B staff), admin. A route missing from ROUTES fails `test_every_route_is_in_the_matrix`.

Codes: a number is the exact status; L is a redirect to the login page. Every request is sent with
`X-Matrix-Dry` and rolled back after the view ran, so an allowed POST does not change the world.
For each actor refused with 401/403/404/L, the same URL with ids that exist nowhere must answer the
same: an id never reveals whether the object exists (ASVS 8.2.2).

Adding a route: add one line `"METHOD /rule": (row(anon, owner, other, staff, ostaff, admin), body)`,
with the parameter names of the rule present in World.ids (add the object to world.build if new).
"""
from __future__ import annotations

import io
import re
import zipfile

import pytest

from tests.security.world import ACTORS

L = "302L"
MISSING = 987654321


def row(anon, owner, other, staff, ostaff, admin) -> dict:
    return dict(zip(ACTORS, (anon, owner, other, staff, ostaff, admin)))


ANYONE = row(200, 200, 200, 200, 200, 200)
SIGNED_IN = row(L, 200, 200, 200, 200, 200)
ADMIN_PAGE = row(L, 403, 403, 403, 403, 200)
STAFF_PAGE = row(L, 403, 403, 200, 200, 200)
API_ANY = row(401, 200, 200, 200, 200, 200)
REASON = {"reason": "matrix check"}


BOX = {"kind": "box", "page": 1, "x": 60, "y": 60, "width": 100, "height": 30, "citation": "b6"}


def upload(ids=None):
    return {"file": (io.BytesIO(b"matrix notes\n"), "notes.txt")}


def found_zip(ids=None):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        zf.writestr("found/notes.txt", b"matrix notes\n")
    return {"file": (io.BytesIO(data.getvalue()), "found.zip")}


# "METHOD rule" -> (expected status per actor, form/JSON body or a callable making one)
ROUTES: dict[str, tuple[dict, object]] = {
    # -- public and account pages
    "GET /": (ANYONE, None),
    "GET /healthz": (ANYONE, None),
    "GET /readyz": (ANYONE, None),
    "GET /favicon.ico": (ANYONE, None),
    "GET /accessibility": (ANYONE, None),
    "GET /privacy": (ANYONE, None),
    "GET /static/<path:filename>": (ANYONE, None),
    "GET /language/<code>": (row(302, 302, 302, 302, 302, 302), None),
    "GET /library": (ANYONE, None),
    "GET /library/<int:record_id>/download": (row(404, 404, 404, 404, 404, 404), None),  # not public
    "GET /log": (ANYONE, None),
    "GET /log/<tracking_number>": (row(404, 404, 404, 404, 404, 404), None),  # not published
    "GET /login": (row(200, 302, 302, 302, 302, 302), None),
    "POST /login": (row(200, 302, 302, 302, 302, 302), None),
    "POST /logout": (row(302, 302, 302, 302, 302, 302), None),
    "GET /register": (ANYONE, None),
    "POST /register": (row(400, 400, 400, 400, 400, 400), None),
    "GET /reset": (ANYONE, None),
    "POST /reset": (ANYONE, None),
    "GET /reset/<token>": (row(400, 400, 400, 400, 400, 400), None),
    "POST /reset/<token>": (row(400, 400, 400, 400, 400, 400), None),
    "POST /verify": (row(L, 302, 302, 302, 302, 302), None),
    "GET /verify/<token>": (row(400, 400, 400, 400, 400, 400), None),
    "GET /account": (SIGNED_IN, None),
    "POST /account/password": (row(L, 400, 400, 400, 400, 400), None),
    "POST /account/tokens": (row(L, 400, 400, 400, 400, 400), None),
    "POST /account/tokens/<int:token_id>/revoke": (row(L, 302, 404, 404, 404, 302), None),
    # -- requests (requester side)
    "GET /requests/new": (ANYONE, None),
    "POST /requests/new": (row(400, 400, 400, 400, 400, 400), None),
    "GET /requests/confirm/<token>": (row(400, 400, 400, 400, 400, 400), None),
    "POST /requests/confirm/<token>": (row(400, 400, 400, 400, 400, 400), None),
    "GET /my/requests": (SIGNED_IN, None),
    "GET /requests/<int:request_id>": (row(L, 200, 404, 200, 404, 200), None),
    "GET /requests/<int:request_id>/filed": (row(L, 200, 404, 200, 404, 200), None),
    "POST /requests/<int:request_id>/do/<action>": (row(L, 403, 404, 302, 404, 302), None),
    "GET /requests/<int:request_id>/withdraw": (row(L, 200, 404, 200, 404, 200), None),
    "POST /requests/<int:request_id>/attachments": (row(L, 302, 404, 302, 404, 302), upload),  # staff: told no
    "GET /requests/groups/<int:group_id>": (row(L, 200, 404, 200, 200, 200), None),  # split into B too
    "GET /attachments/<int:attachment_id>": (row(L, 200, 404, 200, 404, 200), None),
    # -- the recipient's side
    "GET /me/files": (SIGNED_IN, None),
    "GET /me/files/<int:grant_id>/download": (row(L, 200, 404, 404, 404, 404), None),
    "GET /me/releases/<int:release_id>/download": (row(L, 200, 404, 404, 404, 404), None),
    "GET /staff/releases/<int:release_id>/recipients": (row(L, 403, 403, 200, 404, 200), None),
    "GET /admin/attribute/batch": (ADMIN_PAGE, None),
    "POST /admin/attribute/batch": (ADMIN_PAGE, None),
    "GET /admin/attribute/batch/<int:batch_id>": (row(L, 403, 403, 403, 403, 200), None),
    "GET /admin/attribute/batch/<int:batch_id>.csv": (row(L, 403, 403, 403, 403, 200), None),
    "GET /admin/attribute/batch/<int:batch_id>.pdf": (row(L, 403, 403, 403, 403, 200), None),
    "GET /me/notices": (SIGNED_IN, None),
    "GET /me/notices/<int:notice_id>": (row(L, 200, 404, 404, 404, 404), None),
    "POST /me/notices/<int:notice_id>": (row(L, 200, 404, 404, 404, 404), None),
    # -- staff pages
    "GET /staff/requests": (STAFF_PAGE, None),
    "POST /staff/requests/assign": (row(L, 403, 403, 400, 400, 400), None),  # no requests chosen
    "GET /staff/metrics": (STAFF_PAGE, None),
    "GET /staff/metrics.csv": (STAFF_PAGE, None),
    "GET /staff/digest": (STAFF_PAGE, None),
    "GET /staff/requests/<int:request_id>/records": (row(L, 403, 403, 200, 404, 200), None),
    "POST /staff/requests/<int:request_id>/records": (row(L, 403, 403, 400, 404, 400), None),
    "POST /staff/requests/<int:request_id>/releases": (row(L, 403, 403, 400, 404, 400), None),
    "POST /staff/records/<int:record_id>/clean": (row(L, 403, 403, 302, 404, 302), None),
    "GET /staff/records/<int:pdf_record_id>/redact": (row(L, 403, 403, 200, 404, 200), None),
    "POST /staff/records/<int:pdf_record_id>/redact/apply": (row(L, 403, 403, 302, 404, 302), None),
    "GET /staff/records/<int:pdf_record_id>/redact/preview/<int:page>.png": (row(L, 403, 403, 200, 404, 200), None),
    "POST /staff/records/<int:pdf_record_id>/redact/verify": (row(L, 403, 403, 400, 404, 400), None),
    "GET /staff/records/<int:pdf_record_id>/redaction-log.csv": (row(L, 403, 403, 200, 404, 200), None),
    "POST /staff/records/<int:pdf_record_id>/redactions": (row(L, 403, 403, 400, 404, 400), None),
    "POST /staff/redactions/<int:redaction_id>/withdraw": (row(L, 403, 403, 302, 404, 302), None),
    # a file is named by its SHA-256: whoever has the bytes knows it; another department is told to
    # ask an administrator (403), deliberately (a leaked copy found elsewhere must be traceable)
    "GET /staff/files/<sha256>": (row(L, 403, 403, 200, 403, 200), None),
    "GET /staff/files/<sha256>.csv": (row(L, 403, 403, 200, 403, 200), None),
    "GET /staff/files/<sha256>.pdf": (row(L, 403, 403, 200, 403, 200), None),
    "POST /staff/files/<sha256>/revoke": (row(L, 403, 403, 302, 403, 302), REASON),
    "POST /staff/grants/<int:grant_id>/revoke": (row(L, 403, 403, 302, 404, 302), REASON),
    "GET /staff/files/<sha256>/revoke": (row(L, 403, 403, 200, 403, 200), None),
    "GET /staff/grants/<int:grant_id>/revoke": (row(L, 403, 403, 200, 404, 200), None),
    "GET /staff/releases/<int:release_id>/revoke": (row(L, 403, 403, 200, 404, 200), None),
    "POST /staff/releases/<int:release_id>/revoke": (row(L, 403, 403, 302, 404, 302), REASON),
    # a recipient's links: staff of another department see (and revoke) only their own department's
    "GET /staff/recipients/<int:user_id>/revoke": (row(L, 403, 403, 200, 200, 200), None),
    "POST /staff/recipients/<int:user_id>/revoke": (row(L, 403, 403, 302, 302, 302), REASON),
    "GET /staff/holds": (STAFF_PAGE, None),
    "GET /staff": (STAFF_PAGE, None),
    "GET /staff/metrics/disclosures": (STAFF_PAGE, None),
    "GET /staff/metrics/disclosures.csv": (STAFF_PAGE, None),
    "GET /staff/holds/<int:hold_id>": (row(L, 403, 403, 200, 404, 200), None),
    # the test world's hold names no faces: 404 for those who may see the hold
    "GET /staff/holds/<int:hold_id>/faces.png": (row(L, 403, 403, 404, 404, 404), None),
    "POST /staff/holds/<int:hold_id>/approve": (row(L, 403, 403, 400, 404, 400), None),
    "POST /staff/holds/<int:hold_id>/dismiss": (row(L, 403, 403, 302, 404, 302), None),
    # -- admin pages
    "GET /admin/attribute": (ADMIN_PAGE, None),
    "POST /admin/attribute": (ADMIN_PAGE, None),
    "GET /admin/audit/": (ADMIN_PAGE, None),
    "GET /admin/clawbacks": (ADMIN_PAGE, None),
    "POST /admin/clawbacks": (row(L, 403, 403, 403, 403, 400), None),
    "GET /admin/clawbacks/<int:campaign_id>": (ADMIN_PAGE, None),
    "GET /admin/clawbacks/<int:campaign_id>.csv": (ADMIN_PAGE, None),
    "POST /admin/clawbacks/<int:campaign_id>/rerelease": (row(L, 403, 403, 403, 403, 404), None),
    "GET /admin/closures": (ADMIN_PAGE, None),
    "POST /admin/closures": (row(L, 403, 403, 403, 403, 400), None),
    "POST /admin/closures/<int:closure_id>/delete": (row(L, 403, 403, 403, 403, 302), None),
    "GET /admin/departments": (ADMIN_PAGE, None),
    "POST /admin/departments": (row(L, 403, 403, 403, 403, 400), None),
    "GET /admin/mail": (ADMIN_PAGE, None),
    "GET /admin/overview": (ADMIN_PAGE, None),
    # the local mail viewer exists only without an SMTP server; this world has one
    "GET /admin/outbox": (row(L, 403, 403, 403, 403, 404), None),
    "GET /admin/outbox/<name>": (row(L, 403, 403, 403, 403, 404), None),
    "POST /admin/mail/<int:mail_id>/retry": (row(L, 403, 403, 403, 403, 302), None),
    "GET /admin/protected-lists": (ADMIN_PAGE, None),
    "POST /admin/protected-lists": (row(L, 403, 403, 403, 403, 400), None),
    "GET /admin/protected-lists/<int:list_id>": (ADMIN_PAGE, None),
    "GET /admin/protected-lists/<int:list_id>.csv": (ADMIN_PAGE, None),
    "POST /admin/protected-lists/<int:list_id>/delete": (row(L, 403, 403, 403, 403, 302), None),
    "POST /admin/protected-lists/<int:list_id>/import": (row(L, 403, 403, 403, 403, 400), None),
    "POST /admin/protected-lists/<int:list_id>/terms": (row(L, 403, 403, 403, 403, 400), None),
    "POST /admin/protected-lists/<int:list_id>/terms/<int:term_id>/remove": (row(L, 403, 403, 403, 403, 302), None),
    "GET /admin/quarantine": (ADMIN_PAGE, None),
    "POST /admin/quarantine/requeue-unscanned": (row(L, 403, 403, 403, 403, 302), None),
    "GET /admin/users": (ADMIN_PAGE, None),
    "POST /admin/users": (row(L, 403, 403, 403, 403, 400), None),
    "GET /admin/users/<int:user_id>": (ADMIN_PAGE, None),
    "POST /admin/users/<int:user_id>": (row(L, 403, 403, 403, 403, 400), None),
    # -- API: bearer tokens; 401 without one
    "GET /api/v1/openapi.json": (row(200, 200, 200, 200, 200, 200), None),
    "GET /api/v1/me": (API_ANY, None),
    "GET /api/v1/me/grants": (API_ANY, None),
    "GET /api/v1/me/clawback-notices": (API_ANY, None),
    "GET /api/v1/audit": (row(401, 403, 403, 403, 403, 200), None),
    "POST /api/v1/requests": (row(401, 400, 400, 400, 400, 400), None),
    "GET /api/v1/requests": (row(401, 403, 403, 200, 200, 200), None),
    "GET /api/v1/requests/<ident>": (row(401, 200, 404, 200, 404, 200), None),
    "POST /api/v1/requests/<ident>/events": (row(401, 403, 404, 201, 404, 201), {"kind": "note", "body": "x"}),
    "GET /api/v1/requests/<int:request_id>/records": (row(401, 403, 403, 200, 404, 200), None),
    "POST /api/v1/requests/<int:request_id>/records": (row(401, 403, 403, 201, 404, 201), upload),
    "POST /api/v1/requests/<int:request_id>/releases": (row(401, 403, 403, 201, 404, 201),
                                                        lambda ids: {"record_ids": [ids["record_id"]]}),
    "GET /api/v1/records/<int:pdf_record_id>/pages": (row(401, 403, 403, 200, 404, 200), None),
    "GET /api/v1/records/<int:pdf_record_id>/redaction-log": (row(401, 403, 403, 200, 404, 200), None),
    "GET /api/v1/records/<int:pdf_record_id>/redactions": (row(401, 403, 403, 200, 404, 200), None),
    "POST /api/v1/records/<int:pdf_record_id>/redactions": (row(401, 403, 403, 201, 404, 201), BOX),
    "POST /api/v1/records/<int:pdf_record_id>/redactions/apply": (row(401, 403, 403, 201, 404, 201), None),
    "POST /api/v1/records/<int:pdf_record_id>/verify": (row(401, 403, 403, 400, 404, 400), None),
    "DELETE /api/v1/redactions/<int:redaction_id>": (row(401, 403, 403, 200, 404, 200), None),
    "POST /api/v1/protected-terms": (row(401, 403, 403, 403, 403, 400), None),
    "GET /api/v1/holds": (row(401, 403, 403, 200, 200, 200), None),
    "GET /api/v1/holds/<int:hold_id>": (row(401, 403, 403, 200, 404, 200), None),
    "POST /api/v1/holds/<int:hold_id>/approve": (row(401, 403, 403, 403, 404, 201), REASON),
    "POST /api/v1/holds/<int:hold_id>/dismiss": (row(401, 403, 403, 200, 404, 200), REASON),
    "GET /api/v1/grants/<int:grant_id>/download": (row(401, 200, 404, 404, 404, 404), None),
    "GET /api/v1/releases/<int:release_id>/download": (row(401, 200, 404, 404, 404, 404), None),
    "GET /api/v1/releases/<int:release_id>/recipients": (row(401, 403, 403, 200, 404, 200), None),
    "POST /api/v1/grants/<int:grant_id>/revoke": (row(401, 404, 404, 200, 404, 200), REASON),
    "POST /api/v1/releases/<int:release_id>/revoke": (row(401, 404, 404, 200, 404, 200), REASON),
    "GET /api/v1/files/<sha256>/recipients": (row(401, 403, 403, 200, 403, 200), None),
    "POST /api/v1/files/<sha256>/revoke": (row(401, 403, 403, 200, 403, 200), REASON),
    "POST /api/v1/users/<int:user_id>/revoke-grants": (row(401, 403, 403, 200, 200, 200), REASON),
    "POST /api/v1/clawbacks": (row(401, 403, 403, 403, 403, 400), None),
    "GET /api/v1/clawbacks/<int:campaign_id>": (row(401, 403, 403, 403, 403, 200), None),
    "POST /api/v1/clawbacks/<int:campaign_id>/rerelease": (row(401, 403, 403, 403, 403, 400),
                                                            lambda ids: {"record_id": ids["record_id"]}),
    "POST /api/v1/clawback-notices/<int:notice_id>/response": (row(401, 200, 404, 404, 404, 404),
                                                               {"action": "acknowledge", "statement": ""}),
    "POST /api/v1/attributions": (row(401, 403, 403, 403, 403, 200), upload),
    "POST /api/v1/attributions/batch": (row(401, 403, 403, 403, 403, 202), found_zip),
    "GET /api/v1/attributions/batch/<int:batch_id>": (row(401, 403, 403, 403, 403, 200), None),
}

# Some rules take a record id but need a particular kind of record: the rule text names which.
_ALIASES = {"pdf_record_id": "record_id"}
_REFUSED = {401, 403, 404, L}
# 403s given to an actor who may see the object but not do this to it (not an existence leak)
SEES_BUT_MAY_NOT = {
    "POST /api/v1/holds/<int:hold_id>/approve": {"staff"},  # who asked for the release may not approve it
    "POST /requests/<int:request_id>/do/<action>": {"owner"},  # a requester does not acknowledge
    "POST /api/v1/requests/<ident>/events": {"owner"},
}


def _rules(app):
    out = {}
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out[f"{method} {rule.rule}"] = rule
    return out


def _key_rule(key: str) -> str:
    method, rule = key.split(" ", 1)
    for alias, real in _ALIASES.items():
        rule = rule.replace(f":{alias}>", f":{real}>")
    return f"{method} {rule}"


def _url(key: str, ids: dict, missing: bool = False) -> str:
    rule = key.split(" ", 1)[1]

    def fill(m):
        conv, name = m.group(1), m.group(2)
        if missing and (conv == "int:" or name == "ident"):
            return str(MISSING)
        return str(ids[name])
    return re.sub(r"<(int:|path:)?(\w+)>", fill, rule)


def _status(resp) -> object:
    if resp.status_code == 302 and "/login" in resp.headers.get("Location", ""):
        return L
    return resp.status_code


def _send(actor, key, body, url, ids):
    method = key.split(" ", 1)[0]
    body = body(ids) if callable(body) else body
    if url.startswith("/api/"):
        if body and any(isinstance(v, tuple) for v in body.values()):
            return actor.api(method, url, json=None, data=body, content_type="multipart/form-data")
        return actor.api(method, url, json=body)
    return actor.web(method, url, data=body)


def test_every_route_is_in_the_matrix(world_app):
    rules = set(_rules(world_app))
    listed = {_key_rule(k) for k in ROUTES}
    assert not sorted(rules - listed), f"routes missing from the matrix: {sorted(rules - listed)}"
    assert not sorted(listed - rules), f"matrix lines with no route: {sorted(listed - rules)}"


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_matrix(world_app, world, actors, key):
    expected, body = ROUTES[key]
    if _key_rule(key) not in _rules(world_app):
        pytest.fail(f"{key} is not a route of the app")
    ids = world.ids
    got, leaks = {}, {}
    for name, actor in actors.items():
        got[name] = _status(_send(actor, key, body, _url(key, ids), ids))
        if (got[name] in _REFUSED and re.search(r"<(int:\w+|ident)>", key)
                and name not in SEES_BUT_MAY_NOT.get(key, ())):
            other = _status(_send(actor, key, body, _url(key, ids, missing=True), ids))
            if other != got[name]:
                leaks[name] = f"{got[name]} for the object, {other} for no object"
    assert got == expected, f"{key}: got {got}"
    assert not leaks, f"{key}: a refusal reveals existence: {leaks}"
