"""The admin page that lists and filters audit entries."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request

from ..core.permissions import admin_required
from ..extensions import db
from .models import AuditEntry

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
PAGE = 100


def query(*, actor: str = "", action: str = "", subject: str = "", before: int | None = None):
    stmt = sa.select(AuditEntry)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor.strip().lower())
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action.strip(), autoescape=True))
    if subject:
        stmt = stmt.where(AuditEntry.subject == subject.strip())
    if before:
        stmt = stmt.where(AuditEntry.id < before)
    return stmt.order_by(AuditEntry.id.desc()).limit(PAGE)


@bp.route("/")
@admin_required
def index():
    args = {k: (request.args.get(k) or "")[:200] for k in ("actor", "action", "subject")}
    before = request.args.get("before", type=int)
    rows = db.session.scalars(query(**args, before=before)).all()
    older = rows[-1].id if len(rows) == PAGE else None
    return render_template("audit/index.html", rows=rows, older=older, **args)
