"""The redaction log of a record (staff), its CSV export, and what a requester is told."""
from __future__ import annotations

import csv
import io
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..core.export import safe_cell
from ..extensions import db
from ..records.models import Record
from .models import Redaction, RedactionRun, RedactionStatus
from .services import describe, managed_record


def _lineage(record: Record) -> list[int]:
    """The record and every record it is a redacted replacement of."""
    ids, seen = [], set()
    while record is not None and record.id not in seen:
        seen.add(record.id)
        ids.append(record.id)
        record = record.replaces
    return ids


def entries(actor, record_id: int) -> list[Redaction]:
    """Every redaction of the record and of the originals it replaces, with who approved it."""
    record = managed_record(actor, record_id)
    return list(db.session.scalars(
        sa.select(Redaction).where(Redaction.record_id.in_(_lineage(record)))
        .options(selectinload(Redaction.created_by), selectinload(Redaction.run).selectinload(RedactionRun.applied_by))
        .order_by(Redaction.id)))


def iso(moment) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def entry_json(red: Redaction) -> dict:
    spec, run = red.data, red.run
    out = {"id": red.id, "record_id": red.record_id, "status": red.status.value, **describe(red),
           "matches": red.matches, "created_by": {"id": red.created_by.id, "name": red.created_by.name},
           "created_at": iso(red.created_at), "withdrawn_at": iso(red.withdrawn_at),
           "approved_by": ({"id": run.applied_by.id, "name": run.applied_by.name} if run else None),
           "applied_at": iso(run.applied_at) if run else None,
           "output_record_id": run.output_record_id if run else None,
           "verified": run.verified if run else None}
    if "term" in spec:  # staff only: the log is how a reviewer checks what was taken out
        out["term"] = spec["term"]
    out.pop("term_length", None)
    return out


COLUMNS = ["id", "record_id", "status", "kind", "page", "box", "term", "pattern", "column", "row", "sheet",
           "citation", "matches", "created_by", "created_at", "approved_by", "applied_at",
           "output_record_id", "verified", "withdrawn_at"]


def as_csv(rows: list[Redaction]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for red in rows:
        e = entry_json(red)
        e["created_by"] = e["created_by"]["name"]
        e["approved_by"] = e["approved_by"]["name"] if e["approved_by"] else ""
        e["box"] = " ".join(str(v) for v in e.get("box", []))
        writer.writerow([safe_cell(e.get(c)) for c in COLUMNS])
    return buf.getvalue()


def summaries(record_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """Per released record: (exemption, places redacted) of the redactions that made it.

    What a requester may know: how much was taken out and under which exemption, never what.
    """
    if not record_ids:
        return {}
    # Only a replacement has redactions behind it: one column query answers most pages.
    replacements = db.session.scalars(sa.select(Record.id).where(
        Record.id.in_(record_ids), Record.replaces_id.is_not(None))).all()
    if not replacements:
        return {}
    out: dict[int, list[tuple[str, int]]] = {}
    for record in db.session.scalars(sa.select(Record).where(Record.id.in_(replacements))):
        lineage = _lineage(record)
        if len(lineage) < 2:
            continue
        counts: dict[str, int] = defaultdict(int)
        for red in db.session.scalars(sa.select(Redaction).where(
                Redaction.record_id.in_(lineage[1:]), Redaction.status == RedactionStatus.applied)):
            counts[red.citation] += red.matches if red.matches is not None else 1
        out[record.id] = sorted((c, n) for c, n in counts.items() if n)
    return out


def summary_text(items: list[tuple[str, int]]) -> str:
    return "; ".join(f"{n} redaction{'s' if n != 1 else ''} under exemption {c}" for c, n in items)
