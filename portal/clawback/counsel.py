"""The report for counsel: who received one file, each copy and each download, as a laid-out PDF."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from ..auth.models import User
from ..core import formats, pdftable
from ..core.models import utcnow
from ..extensions import db
from ..record_requests.models import RecordRequest
from ..records.models import Record
from .tracing import grants_of_file

COLUMNS = [pdftable.Column("Recipient", 150), pdftable.Column("Copy (grant, disclosure code, request)", 130),
           pdftable.Column("Status", 100), pdftable.Column("Downloaded", 92), pdftable.Column("From address", 70),
           pdftable.Column("Browser", 170)]


def _when(value) -> str:
    return formats.when(value, locale="en")


def report_pdf(actor: User, sha256: str) -> tuple[str, bytes]:
    """(a file name for the download, the PDF). Counsel reads it: plain English, the agency's time."""
    sha, record_ids, grants, deliveries = grants_of_file(actor, sha256)
    records = db.session.execute(
        sa.select(Record.id, Record.filename, RecordRequest.tracking_number)
        .join(RecordRequest, RecordRequest.id == Record.request_id).where(Record.id.in_(record_ids or [0]))
        .order_by(Record.id)).all()
    names = list(dict.fromkeys(r.filename for r in records)) or ["(no record holds this file)"]
    rows, people = [], set()
    for i, g in enumerate(grants):
        people.add(g.recipient_id or g.public_label)
        who = f"{g.name}\n{g.email}" if g.recipient_id else f"Public download {g.public_label}"
        copy = f"#{g.id} · {g.code}\nrequest {g.tracking_number}\ngranted {_when(g.granted_at)}"
        status = f"Revoked {_when(g.revoked_at)}" if g.revoked_at else "Active"
        shaded = i % 2 == 1
        mine = deliveries.get(g.id, [])
        if not mine:
            rows.append(pdftable.Row([who, copy, status, "Never downloaded", "", ""], shaded=shaded))
        for j, d in enumerate(mine):
            done = "" if d.completed else "\n(incomplete)"
            rows.append(pdftable.Row(
                [who if j == 0 else "", copy if j == 0 else "", status if j == 0 else "",
                 _when(d.at) + done, d.ip, d.user_agent or "(not sent)"],
                note=f"SHA-256 of the copy sent: {d.delivered_sha256 or d.copy_sha256}", shaded=shaded))
    agency = current_app.config["AGENCY_NAME"]
    heading = [("File", ", ".join(names)),
               ("Fingerprint (SHA-256)", sha),
               ("Records", "; ".join(f"#{r.id} in request {r.tracking_number}" for r in records) or "none"),
               ("Totals", f"{len(people)} recipients, {len(grants)} copies, "
                          f"{sum(len(v) for v in deliveries.values())} downloads"),
               ("Prepared", f"{_when(utcnow())} by {actor.name} <{actor.email}>")]
    report = pdftable.Report(title=f"Recipients of {names[0]}", heading=heading, columns=COLUMNS, rows=rows,
                             footer=f"{agency} - recipients of file {sha[:16]}", empty="This file was never released.")
    return f"recipients-{sha[:12]}.pdf", pdftable.render(report)
