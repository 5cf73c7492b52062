"""API: tracing, revocation, clawback campaigns, notices and attribution."""
from __future__ import annotations

import io
from datetime import date

from flask import current_app, request

from ..clawback import attribution, batch, campaigns, release_tracing, revocation, tracing
from ..core.errors import Invalid
from . import bp
from .auth import actor, require_admin, require_staff
from .util import iso, json_body


def _reason(body: dict) -> str:
    reason = body.get("reason")
    if not isinstance(reason, str):
        raise Invalid("Give the reason as a string.", fields={"reason": "required"})
    return reason


@bp.get("/files/<sha256>/recipients")
def file_recipients(sha256: str):
    # Extension: ?limit=N (1-1000) pages the grants by id; ?cursor= is the previous next_cursor.
    raw_limit, raw_cursor = request.args.get("limit"), request.args.get("cursor") or "0"
    if raw_limit is None:
        return tracing.recipients_json(actor(), sha256)
    if (not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 1000 or not raw_cursor.isdigit()
            or int(raw_cursor) >= 2 ** 31):
        raise Invalid("limit is 1 to 1000; cursor is the next_cursor of the previous page.",
                      fields={"limit": "1-1000", "cursor": "next_cursor"})
    return tracing.recipients_json(actor(), sha256, after=int(raw_cursor), limit=int(raw_limit))


@bp.post("/files/<sha256>/revoke")
def revoke_file(sha256: str):
    return {"revoked": revocation.revoke_file(actor(), sha256, _reason(json_body()))}


@bp.post("/grants/<int:grant_id>/revoke")
def revoke_grant(grant_id: int):
    g = revocation.revoke_grant(actor(), grant_id, _reason(json_body()))
    return {"id": g.id, "record_id": g.record_id, "code": g.code, "revoked_at": iso(g.revoked_at),
            "revoked_reason": g.revoked_reason}


@bp.post("/releases/<int:release_id>/revoke")
def revoke_release(release_id: int):
    return {"revoked": revocation.revoke_release(actor(), release_id, _reason(json_body()))}


@bp.post("/users/<int:user_id>/revoke-grants")
def revoke_recipient(user_id: int):
    return {"revoked": revocation.revoke_recipient(actor(), user_id, _reason(json_body()))}


@bp.post("/clawbacks")
def open_clawback():
    require_admin()
    body = json_body()
    try:
        respond_by = date.fromisoformat(str(body.get("respond_by", "")))
    except ValueError as exc:
        raise Invalid("respond_by is a date, YYYY-MM-DD.", fields={"respond_by": "date"}) from exc
    c = campaigns.open_campaign(actor(), sha256s=body.get("sha256s"), reason=_reason(body),
                                respond_by=respond_by)
    return campaigns.campaign_json(c), 201


@bp.get("/clawbacks/<int:campaign_id>")
def get_clawback(campaign_id: int):
    return campaigns.campaign_json(campaigns.get_campaign(actor(), campaign_id))


@bp.get("/me/clawback-notices")
def my_notices():
    return [campaigns.notice_json(n) for n in campaigns.my_notices(actor())]


@bp.post("/clawback-notices/<int:notice_id>/response")
def respond(notice_id: int):
    body = json_body()
    action, statement = body.get("action"), body.get("statement", "")
    if not isinstance(action, str) or not isinstance(statement, str):
        raise Invalid("action and statement are strings.", fields={"action": "string"})
    return campaigns.notice_json(campaigns.respond(actor(), notice_id, action, statement))


@bp.post("/attributions")
def attribute():
    f = request.files.get("file")
    if f is None and request.form.get("text"):   # pasted text is attributed as a found text file
        return attribution.attribute(actor(), io.BytesIO(request.form["text"].encode("utf-8")),
                                     limit=current_app.config["ATTRIBUTION_LIMIT"])
    if f is None:
        raise Invalid("Send the found file as multipart/form-data, field 'file' (or pasted text, field 'text').",
                      fields={"file": "required"})
    return attribution.attribute(actor(), f.stream, limit=current_app.config["ATTRIBUTION_LIMIT"])


@bp.get("/releases/<int:release_id>/recipients")
def release_recipients(release_id: int):
    require_staff()
    return release_tracing.release_recipients(actor(), release_id)


@bp.post("/attributions/batch")
def attribute_batch():
    f = request.files.get("file")
    if f is None:
        raise Invalid("Send a ZIP of the found files as multipart/form-data, field 'file'.", fields={"file": "required"})
    return {"id": batch.start(actor(), f.stream, f.filename).id}, 202


@bp.get("/attributions/batch/<int:batch_id>")
def attribution_batch(batch_id: int):
    return batch.batch_json(batch.get(actor(), batch_id))


@bp.post("/clawbacks/<int:campaign_id>/rerelease")
def rerelease(campaign_id: int):
    from ..clawback.rerelease import rerelease as do_rerelease
    body = json_body()
    record_id = body.get("record_id")
    if not isinstance(record_id, int) or isinstance(record_id, bool):
        raise Invalid("record_id is the corrected record's id.", fields={"record_id": "integer"})
    releases = do_rerelease(actor(), campaign_id, record_id)
    return {"releases": [{"id": r.id, "request_id": r.request_id,
                          "grants": [{"id": g.id, "recipient": {"id": g.recipient.id, "email": g.recipient.email},
                                      "code": g.code} for g in r.grants]} for r in releases]}, 201
