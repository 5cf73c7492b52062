"""The public log: closed requests, published by default, with the requester's identity hidden."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request

from ..extensions import db
from .models import CLOSED, RecordRequest

bp = Blueprint("log", __name__)

# Events whose text the requester did not write; messages and replies may carry personal details.
PUBLIC_KINDS = ("filed", "acknowledge", "extend", "transfer", "close", "withdraw", "reopen")


def published():
    return sa.select(RecordRequest).where(RecordRequest.status.in_(CLOSED),
                                          RecordRequest.published.is_(True))


def released_records(req: RecordRequest) -> list:
    """Records of this request that staff published in the public library."""
    from ..disclosures.services import public_records_of
    return public_records_of(req.id)


@bp.route("/log")
def index():
    q = (request.args.get("q") or "").strip()[:200]
    page = max(1, min(request.args.get("page", 1, type=int), 100000))
    size = current_app.config["REQUEST_PAGE_SIZE"]
    stmt = published()
    if q:
        stmt = stmt.where(sa.or_(RecordRequest.tracking_number.contains(q, autoescape=True),
                                 sa.func.lower(RecordRequest.title).contains(q.lower(), autoescape=True),
                                 sa.func.lower(RecordRequest.description).contains(q.lower(), autoescape=True)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.order_by(RecordRequest.closed_at.desc(), RecordRequest.id.desc())
                              .limit(size).offset((page - 1) * size)).all()
    return render_template("requests/log.html", rows=rows, q=q, page=page, pages=max(1, -(-total // size)),
                           total=total)


@bp.route("/log/<tracking_number>")
def entry(tracking_number: str):
    req = db.session.scalar(published().where(RecordRequest.tracking_number == tracking_number[:20]))
    if req is None:
        abort(404)
    events = [e for e in req.events if e.public and e.kind in PUBLIC_KINDS]
    return render_template("requests/log_entry.html", req=req, events=events,
                           records=released_records(req),
                           exemption_labels=dict(current_app.config["EXEMPTIONS"].get(req.department.law, [])))
