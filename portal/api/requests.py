"""/api/v1/requests: filing, reading, the staff list, and events (see shared/API.md)."""
from __future__ import annotations

from datetime import date

from flask import current_app, request

from ..core.errors import Forbidden, Invalid, NotFound
from ..core.models import MAX_ID
from ..record_requests import queue, services, workflow
from ..record_requests.models import RecordRequest, RequestEvent
from . import bp
from .auth import actor, require_staff
from .util import parsed_json


def iso(moment) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def event_json(e: RequestEvent) -> dict:
    return {"id": e.id, "kind": e.kind, "at": iso(e.at), "body": e.body, "public": e.public}


def request_json(req: RecordRequest, viewer, events: bool = True) -> dict:
    out = {"id": req.id, "tracking_number": req.tracking_number, "title": req.title,
           "description": req.description, "department": req.department.slug,
           "status": req.status.value,
           "requester": {"id": req.requester.id, "name": req.requester.name},
           "received_at": iso(req.received_at), "due_date": day(req.due_date),
           "closed_at": iso(req.closed_at), "paused": req.paused,
           "date_from": day(req.date_from), "date_to": day(req.date_to),
           "preferred_format": req.preferred_format, "exemptions": req.exemptions or []}
    if req.group is not None:
        out["group"] = {"id": req.group.id, "requests": [
            {"id": r.id, "tracking_number": r.tracking_number, "department": r.department.slug,
             "status": r.status.value, "due_date": day(r.due_date)}
            for r in req.group.requests if services.can_view(viewer, r)]}
    if req.duplicate_of is not None:
        out["duplicate_of"] = {"id": req.duplicate_of.id, "tracking_number": req.duplicate_of.tracking_number}
    if services.can_manage(viewer, req):
        out["assignee"] = ({"id": req.assignee.id, "name": req.assignee.name}
                           if req.assignee is not None else None)
        out["published"] = req.published
    if events:
        out["events"] = [event_json(e) for e in services.visible_events(viewer, req)]
    return out


def body() -> dict:
    data = parsed_json()
    if not isinstance(data, dict):
        raise Invalid("Send a JSON object.", fields={"body": "not a JSON object"})
    return data


def _str(data: dict, name: str, *, required: bool = False) -> str:
    value = data.get(name, "")
    if value is None and not required:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{name} is a string.", fields={name: "not a string"})
    return value


def _date(data: dict, name: str) -> date | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise Invalid(f"{name} is a date, YYYY-MM-DD.", fields={name: "not a date"})


def _id(value: str) -> int:
    if not value.isdigit() or len(value) > 12 or int(value) > MAX_ID:
        raise NotFound("No such request.")
    return int(value)


@bp.post("/requests")
def file_request():
    data = body()
    slugs = _slugs(data)
    filing = services.Filing(department=None, title=_str(data, "title"),
                             description=_str(data, "description"),
                             date_from=_date(data, "date_from"), date_to=_date(data, "date_to"),
                             preferred_format=_str(data, "preferred_format") or "any")
    try:
        chosen = [services.department_by_slug(slug) for slug in slugs]
        filing.department, filing.also = chosen[0], chosen[1:]
    except Invalid as err:
        try:
            filing.check()
        except Invalid as more:
            err.fields.update(more.fields)
        raise
    req = services.file_request(actor(), filing, limit=current_app.config["FILING_LIMIT"])
    return request_json(req, actor()), 201


def _slugs(data: dict) -> list[str]:
    """`department` (one slug, the contract), or `departments` (a list: one request each); both may be
    given, `department` first."""
    one, many = _str(data, "department"), data.get("departments")
    if many is None:
        return [one]
    if not isinstance(many, list) or not all(isinstance(x, str) for x in many):
        raise Invalid("departments is a list of department slugs.", fields={"departments": "not a list of strings"})
    return list(dict.fromkeys(([one] if one else []) + many)) or [""]


@bp.get("/requests/<ident>")
def get_request(ident: str):
    return request_json(services.get_for(actor(), _id(ident)), actor())


@bp.get("/requests")
def list_requests():
    require_staff()
    args = request.args.to_dict()
    if not args.get("status"):
        args["status"] = "all"  # the API lists every status unless asked
    page = queue.search(actor(), queue.parse(args), current_app.config["REQUEST_PAGE_SIZE"])
    return {"items": [request_json(r.req, actor(), events=False) | {"overdue": r.overdue,
                                                                     "due_soon": r.due_soon}
                      for r in page.rows],
            "total": page.total, "page": page.page, "next_cursor": page.next_cursor}


KINDS = ("acknowledge", "extend", "message", "note", "close")


@bp.post("/requests/<ident>/events")
def add_event(ident: str):
    request_id, data = _id(ident), body()
    kind = data.get("kind")
    if kind not in KINDS:
        raise Invalid("kind is one of " + ", ".join(KINDS) + ".", fields={"kind": "invalid"})
    who, text = actor(), _str(data, "body")
    req = services.get_for(who, request_id)
    if not services.can_manage(who, req) and kind != "message":
        raise Forbidden("Only staff of the request's department may do this.")
    if kind == "acknowledge":
        event = workflow.acknowledge(who, request_id, text)
    elif kind == "extend":
        days = data.get("days")
        if not isinstance(days, int) or isinstance(days, bool):
            raise Invalid("days is a whole number.", fields={"days": "not an integer"})
        event = workflow.extend(who, request_id, days, text)
    elif kind == "message":
        event = workflow.message(who, request_id, text)
    elif kind == "note":
        event = workflow.note(who, request_id, text)
    else:
        exemptions = data.get("exemptions") or []
        allowed = dict(current_app.config["EXEMPTIONS"].get(req.department.law, []))
        event = workflow.close(who, request_id, _str(data, "outcome", required=True), text,
                               exemptions, allowed)
    return event_json(event), 201
