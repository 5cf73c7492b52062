from __future__ import annotations

import sqlalchemy as sa
from flask import request

from ..audit.models import AuditEntry
from ..audit.serialize import entry_json
from ..core.errors import Invalid
from ..core.models import MAX_ID
from ..extensions import db
from . import bp
from .auth import actor, require_admin


@bp.get("/me")
def me():
    u = actor()
    return {"id": u.id, "email": u.email, "name": u.name, "role": u.role.value,
            "department": u.department.slug if u.department else None}


@bp.get("/audit")
def audit_entries():
    require_admin()
    try:
        after = int(request.args.get("after", 0))
        limit = int(request.args.get("limit", 100))
    except ValueError as exc:
        raise Invalid("after and limit are whole numbers.", fields={"after": "int", "limit": "int"}) from exc
    if not 1 <= limit <= 1000 or not 0 <= after <= MAX_ID:  # a larger `after` would overflow the id column
        raise Invalid(f"limit is 1 to 1000; after is 0 to {MAX_ID}.", fields={"limit": "range", "after": "range"})
    rows = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.id > after)
                              .order_by(AuditEntry.id).limit(limit)).all()
    return [entry_json(e) for e in rows]
