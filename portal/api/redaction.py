"""API: redactions on a record (drafts), applying them, verification, and the redaction log."""
from __future__ import annotations

from flask import Response, request

from ..core.errors import Invalid
from ..core.http import content_disposition
from ..redaction import log, services
from . import bp
from .auth import actor, require_staff
from .disclosures import record_json
from .util import json_body


def run_json(run) -> dict:
    return {"id": run.id, "record_id": run.record_id, "output_record_id": run.output_record_id,
            "applied_by": {"id": run.applied_by.id, "name": run.applied_by.name},
            "applied_at": log.iso(run.applied_at), "verified": run.verified,
            "verified_at": log.iso(run.verified_at), "checks": run.checks, "problems": run.problems}


@bp.get("/records/<int:record_id>/pages")
def record_pages(record_id: int):
    require_staff()
    return services.layout(actor(), record_id)


@bp.post("/records/<int:record_id>/redactions")
def add_redactions(record_id: int):
    require_staff()
    body = json_body()
    items = body.get("redactions", [body] if "kind" in body else None)
    if not isinstance(items, list):
        raise Invalid("Send {\"redactions\": [...]} or one redaction.", fields={"redactions": "required"})
    return {"redactions": [log.entry_json(r) for r in services.add(actor(), record_id, items)]}, 201


@bp.get("/records/<int:record_id>/redactions")
def list_redactions(record_id: int):
    require_staff()
    return [log.entry_json(r) for r in services.list_for(actor(), record_id)]


@bp.delete("/redactions/<int:redaction_id>")
def withdraw_redaction(redaction_id: int):
    require_staff()
    return log.entry_json(services.withdraw(actor(), redaction_id))


@bp.post("/records/<int:record_id>/redactions/apply")
def apply_redactions(record_id: int):
    require_staff()
    run = services.apply(actor(), record_id)
    return {"run": run_json(run), "record": record_json(run.output)}, 201


@bp.post("/records/<int:record_id>/verify")
def verify_record(record_id: int):
    require_staff()
    return run_json(services.verify(actor(), record_id))


@bp.get("/records/<int:record_id>/redaction-log")
def redaction_log(record_id: int):
    require_staff()
    rows = log.entries(actor(), record_id)
    if request.args.get("format") == "csv":
        return Response(log.as_csv(rows), mimetype="text/csv", headers={
            "Content-Disposition": content_disposition(f"redaction-log-record-{record_id}.csv")})
    return [log.entry_json(r) for r in rows]
