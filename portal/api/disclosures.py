"""API: responsive records, releases, and the recipient's grants and downloads."""
from __future__ import annotations

from flask import current_app, request, url_for

from ..core.errors import Invalid
from ..core.http import client_ip, user_agent
from ..disclosures import services
from ..disclosures.bundle_stream import deliver_bundle
from ..disclosures.bundles import BundlePreparing
from ..disclosures.delivery import deliver
from ..records import bulk
from ..records import services as records
from . import bp
from .auth import actor, require_staff
from .util import iso, json_body


def record_json(r) -> dict:
    return {"id": r.id, "filename": r.filename, "content_type": r.content_type, "size": r.size,
            "sha256": r.sha256, "disposition": r.disposition.value, "exemption": r.exemption,
            "scan_status": r.scan_status.value, "scan_detail": r.blob.scan_detail}


@bp.post("/requests/<int:request_id>/records")
def upload_record(request_id: int):
    require_staff()
    f = request.files.get("file")
    if f is None:
        raise Invalid("Send the file as multipart/form-data, field 'file'.", fields={"file": "required"})
    options = {"disposition": request.form.get("disposition") or "release",
               "exemption": request.form.get("exemption"), "max_size": current_app.config["MAX_CONTENT_LENGTH"]}
    if request.form.get("unpack", "").lower() in ("true", "1", "yes"):
        made, refused = bulk.unpack(actor(), request_id, f.stream, f.filename, **options)
        return {"records": [record_json(r) for r in made],
                "refused": [{"name": name, "error": {"code": err.code, "message": err.message}}
                            for name, err in refused]}, 201
    return record_json(records.upload(actor(), request_id, f.stream, f.filename, **options)), 201


@bp.get("/requests/<int:request_id>/records")
def list_records(request_id: int):
    require_staff()
    return [record_json(r) for r in records.list_for(actor(), request_id)]


@bp.post("/requests/<int:request_id>/releases")
def create_release(request_id: int):
    require_staff()
    body = json_body()
    ids = body.get("record_ids")
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise Invalid("record_ids is a list of record ids.", fields={"record_ids": "list of integers"})
    extra = body.get("recipients", [])
    if not isinstance(extra, list) or not all(isinstance(e, str) for e in extra):
        raise Invalid("recipients is a list of e-mail addresses.", fields={"recipients": "list of strings"})
    flags = {k: body.get(k, False) for k in ("public", "row_order_free")}
    if not all(isinstance(v, bool) for v in flags.values()):
        raise Invalid("public and row_order_free are true or false.", fields={"public": "boolean"})
    return release_json(services.create_release(actor(), request_id, ids, recipients=extra, **flags)), 201


def release_json(rel) -> dict:
    return {"id": rel.id, "released_at": iso(rel.released_at),
            "grants": [{"id": g.id, "record_id": g.record_id,
                        "recipient": {"id": g.recipient.id, "email": g.recipient.email}, "code": g.code}
                       for g in rel.grants]}


@bp.get("/me/grants")
def my_grants():
    return [{"id": g.id, "record": {"id": g.record_id, "filename": g.filename},
             "request": {"id": g.request_id, "tracking_number": g.tracking_number},
             "granted_at": iso(g.granted_at), "revoked_at": iso(g.revoked_at),
             "download_url": url_for("api.download", grant_id=g.id, _external=False),
             "deliveries": [{"at": iso(d.at), "ip": d.ip, "sha256": d.sha256 or d.copy_sha256}
                            for d in g.deliveries]}
            for g in services.my_grants(actor())]


@bp.get("/grants/<int:grant_id>/download")
def download(grant_id: int):
    grant = services.grant_for(actor(), grant_id)
    try:
        return deliver(grant, ip=client_ip(), user_agent=user_agent())
    except services.Preparing as wait:
        return ({"status": "preparing", "message": "Your copy is being prepared; try again shortly."},
                202, {"Retry-After": str(wait.retry_after)})


@bp.get("/releases/<int:release_id>/download")
def download_release(release_id: int):
    try:
        return deliver_bundle(actor(), release_id, ip=client_ip(), user_agent=user_agent())
    except BundlePreparing as wait:
        return ({"status": "preparing", "bundle_id": wait.bundle_id, "done": wait.done, "total": wait.total,
                 "message": "Your files are being prepared; try again shortly."},
                202, {"Retry-After": str(wait.retry_after)})
