"""Who has a file: every recipient, grant and delivery; exported as CSV and as a PDF report."""
from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from ..auth.models import User
from ..core.errors import Forbidden, NotFound
from ..core.export import safe_cell
from ..disclosures.models import Delivery, Grant
from ..extensions import db
from ..record_requests.models import RecordRequest
from ..records.models import Blob, Record


# Built once (this page must answer in milliseconds, and building a statement costs about as much
# as running it): the file and its records; then its grants, with recipient, tracking number and
# deliveries (one row a delivery), all of them by recipient or a page of grants by id.
_FILE = (sa.select(Blob.id, Blob.sha256, Record.id).outerjoin(Record, Record.blob_id == Blob.id)
         .where(Blob.sha256 == sa.bindparam("sha256")).order_by(Record.id))
_GRANTS = (sa.select(Grant.id, Grant.code, Grant.record_id, Grant.recipient_id, Grant.public_label,
                     Grant.granted_at, Grant.revoked_at, RecordRequest.tracking_number, User.email, User.name)
           .join(Record, Record.id == Grant.record_id).join(RecordRequest, RecordRequest.id == Record.request_id)
           .outerjoin(User, User.id == Grant.recipient_id).where(Record.blob_id == sa.bindparam("blob_id")))


def _with_deliveries(grants, *order):
    g = grants.subquery()
    return (sa.select(g, Delivery.id.label("delivery_id"), Delivery.at, Delivery.ip, Delivery.user_agent,
                      Delivery.sha256.label("delivered_sha256"), Delivery.copy_sha256, Delivery.completed)
            .outerjoin(Delivery, Delivery.grant_id == g.c.id).order_by(*(g.c[c] for c in order), Delivery.id))


_ALL_GRANTS = _with_deliveries(_GRANTS, "recipient_id", "id")
_GRANTS_PAGE = _with_deliveries(
    _GRANTS.where(Grant.id > sa.bindparam("after")).order_by(Grant.id).limit(sa.bindparam("limit")), "id")


def _file(actor: User, sha256: str) -> tuple[int, str, list[int]]:
    """The blob's id, the file's SHA-256 and the ids of every record that holds it; raises unless
    `actor` may see who received it."""
    if not actor.is_staff:
        raise Forbidden("Only staff and administrators may see who received a file.")
    rows = db.session.connection().execute(_FILE, {"sha256": (sha256 or "").lower()}).all()
    if not rows:
        raise NotFound("No file with that SHA-256 was ever uploaded.")
    blob_id = rows[0][0]
    if not actor.is_admin:  # every department the file went out from, not only this page's
        departments = set(db.session.scalars(
            sa.select(RecordRequest.department_id).distinct().join(Record, Record.request_id == RecordRequest.id)
            .join(Grant, Grant.record_id == Record.id).where(Record.blob_id == blob_id)))
        if any(d != actor.department_id for d in departments):
            raise Forbidden("This file went out from another department; ask an administrator.")
    return blob_id, rows[0][1], [r[2] for r in rows if r[2] is not None]


def grants_of_file(actor: User, sha256: str, *, after: int | None = None,
                   limit: int | None = None) -> tuple[str, list[int], list, dict[int, list]]:
    """The file's SHA-256, its record ids, its grants (rows with the recipient and tracking number)
    and each grant's deliveries: all grants by recipient, or (with `limit`) a page of them by grant
    id after `after`, so that a file sent to thousands is read a page at a time. Plain rows, in
    two statements whatever the number of grants."""
    blob_id, sha, record_ids = _file(actor, sha256)
    rows = []
    if record_ids:
        # Plain Core rows: through the session's connection, past the ORM's handling of entities.
        conn = db.session.connection()
        rows = conn.execute(_ALL_GRANTS, {"blob_id": blob_id}) if limit is None else \
            conn.execute(_GRANTS_PAGE, {"blob_id": blob_id, "after": after or 0, "limit": limit})
    grants, deliveries = [], {}
    for row in rows:
        if not grants or grants[-1].id != row.id:
            grants.append(row)
        if row.delivery_id is not None:
            deliveries.setdefault(row.id, []).append(row)
    return sha, record_ids, grants, deliveries


def recipients_json(actor: User, sha256: str, *, after: int | None = None, limit: int | None = None) -> dict:
    """The contract's answer; with `limit`, one page of grants and `next_cursor` (the `after` of the
    next page, or None on the last)."""
    sha, record_ids, grants, deliveries = grants_of_file(actor, sha256, after=after, limit=limit)
    people: dict = {}
    for g in grants:
        key = g.recipient_id or f"public:{g.public_label}"
        entry = people.get(key)
        if entry is None:
            entry = people[key] = {
                "user": ({"id": g.recipient_id, "email": g.email, "name": g.name} if g.recipient_id
                         else {"id": None, "email": None, "name": f"public download {g.public_label}"}),
                "grants": []}
        entry["grants"].append({
            "id": g.id, "code": g.code, "record_id": g.record_id, "tracking_number": g.tracking_number,
            "granted_at": _iso(g.granted_at), "revoked_at": _iso(g.revoked_at),
            "deliveries": [{"at": _iso(d.at), "ip": d.ip, "user_agent": d.user_agent,
                            "sha256": d.delivered_sha256 or d.copy_sha256, "completed": d.completed}
                           for d in deliveries.get(g.id, ())]})
    data = {"sha256": sha, "record_ids": record_ids, "recipients": list(people.values())}
    if limit is not None:
        data["next_cursor"] = str(grants[-1].id) if len(grants) == limit else None
    return data


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


COLUMNS = ["recipient_email", "recipient_name", "grant_id", "code", "tracking_number", "granted_at",
           "revoked_at", "delivered_at", "ip", "user_agent", "delivered_sha256", "completed"]


def recipients_csv(actor: User, sha256: str) -> str:
    data = recipients_json(actor, sha256)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for person in data["recipients"]:
        u = person["user"]
        for g in person["grants"]:
            rows = g["deliveries"] or [None]
            for d in rows:
                writer.writerow([safe_cell(v) for v in [
                    u["email"] or "", u["name"], g["id"], g["code"], g["tracking_number"], g["granted_at"],
                    g["revoked_at"] or "", d["at"] if d else "never downloaded", d["ip"] if d else "",
                    d["user_agent"] if d else "", d["sha256"] if d else "", d["completed"] if d else ""]])
    return out.getvalue()

