"""API: protected lists (admin) and screening holds (staff)."""
from __future__ import annotations

from ..disclosures.services import release_approved_hold
from ..screening import holds, lists
from . import bp
from .auth import actor, require_admin, require_staff
from .disclosures import release_json
from .util import iso, json_body


@bp.post("/protected-terms")
def add_protected_terms():
    require_admin()
    body = json_body()
    plist, added, total = lists.add_terms(actor(), body.get("list"), body.get("terms"))
    return {"list": {"id": plist.id, "name": plist.name, "terms": total}, "added": added}, 201


def hold_json(h) -> dict:
    return {"id": h.id, "request_id": h.request_id, "status": h.status.value,
            "requested_by": {"id": h.requested_by.id, "name": h.requested_by.name},
            "created_at": iso(h.created_at), "record_ids": h.record_ids, "recipients": h.recipients,
            "matches": h.matches, "decided_at": iso(h.decided_at), "reason": h.reason,
            "release_id": h.release_id}


@bp.get("/holds")
def list_holds():
    require_staff()
    return [hold_json(h) for h in holds.open_holds(actor())]


@bp.get("/holds/<int:hold_id>")
def get_hold(hold_id: int):
    require_staff()
    return hold_json(holds.get_hold(actor(), hold_id))


@bp.post("/holds/<int:hold_id>/approve")
def approve_hold(hold_id: int):
    require_staff()
    return release_json(release_approved_hold(actor(), hold_id, json_body().get("reason"))), 201


@bp.post("/holds/<int:hold_id>/dismiss")
def dismiss_hold(hold_id: int):
    require_staff()
    return hold_json(holds.dismiss(actor(), hold_id, json_body().get("reason"))), 200
