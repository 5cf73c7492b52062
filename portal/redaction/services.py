"""Redaction drafts, applying them into a new redacted record, verification, and the release gate.

Services take an explicit actor, flush, and leave the commit to the caller. Every change writes an
audit row in the same transaction. Redacted terms are kept in the redaction rows (staff only) but
never written to the audit log, error messages or anything a requester sees.
"""
from __future__ import annotations

import io
import json
import math

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..auth.models import User
from ..core import storage as files
from ..core.errors import Conflict, Invalid, NotFound, Unprocessable, UnsupportedType
from ..core.models import utcnow
from ..extensions import db
from ..record_requests.services import get_managed
from ..records import services as records
from ..records.inspect import Limits, inspect
from ..records.models import Record
from ..screening import services as screening
from . import engine, matching
from .engine import Area, Plan, RedactionError
from .engine.sheet import Rule
from .matching import PATTERNS
from .models import Redaction, RedactionRun, RedactionStatus

KINDS = {"pdf": ("box", "page", "term", "pattern"), "image": ("box", "blur"),
         "sheet": ("column", "row", "term", "pattern")}
MAX_TERM = 200


class RedactionPending(Conflict):
    code = "redaction_pending"


class RedactionUnverified(Conflict):
    code = "redaction_unverified"


def managed_record(actor: User, record_id: int) -> Record:
    """A record of a request the actor manages; anything else is NotFound."""
    record = db.session.get(Record, record_id) if isinstance(record_id, int) else None
    if record is None:
        raise NotFound("No such record.")
    get_managed(actor, record.request_id)
    return record


def kind_of(record: Record) -> str:
    kind = engine.kind_of(record.content_type)
    if kind is None:
        raise UnsupportedType("The portal redacts PDFs, photos, spreadsheets and CSV files; "
                              f"this record is {record.content_type}.")
    return kind


def read(record: Record) -> bytes:
    """The record's bytes, once they pass the upload limits as they stand now (a file stored
    before a limit was lowered is refused here rather than given to a parser)."""
    with files.storage().open(record.blob.key) as fh:
        data = fh.read()
    try:
        inspect(io.BytesIO(data), record.content_type, Limits.from_config(current_app.config))
    except Unprocessable as exc:
        raise Unprocessable(f"{record.filename} cannot be redacted: {exc.message}") from None
    return data


def citations(record: Record) -> dict[str, str]:
    """The exemptions staff may cite for this record: its department's law."""
    return dict(current_app.config["EXEMPTIONS"].get(record.request.department.law, []))


# -- drafts ---------------------------------------------------------------------------------

def _number(item: dict, name: str, *, positive: bool = False) -> float:
    value = item.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Invalid(f"{name} is a number.", fields={name: "number"})
    if positive and value <= 0:
        raise Invalid(f"{name} must be more than 0.", fields={name: "positive"})
    return float(value)


def _text(item: dict, name: str, limit: int = MAX_TERM) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise Invalid(f"{name} is text of 1 to {limit} characters.", fields={name: "required"})
    return " ".join(value.split())


def _page(item: dict, sizes: list) -> int:
    page = item.get("page")
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= len(sizes):
        raise Invalid(f"page is a page number from 1 to {len(sizes)}.", fields={"page": "out of range"})
    return page


def _parse(record: Record, kind: str, item: dict, shape) -> tuple[int | None, dict]:
    """(page, spec) of one redaction, checked against the file. `shape` reads the file once."""
    what = item.get("kind")
    if what not in KINDS[kind]:
        raise Invalid(f"kind is one of {', '.join(KINDS[kind])} for this record.", fields={"kind": "invalid"})
    if what in ("box", "blur"):
        box = {k: _number(item, k, positive=k in ("width", "height")) for k in ("x", "y", "width", "height")}
        if kind == "pdf":
            page = _page(item, shape())
            width, height = shape()[page - 1]
        else:
            page, (width, height) = None, shape()
        if box["x"] < 0 or box["y"] < 0 or box["x"] + box["width"] > width + 0.5 \
                or box["y"] + box["height"] > height + 0.5:
            raise Invalid(f"The box lies outside the {'page' if kind == 'pdf' else 'image'} "
                          f"({width:.0f} x {height:.0f}).", fields={"box": "off the page"})
        return page, box
    if what == "page":
        return _page(item, shape()), {}
    if what == "term":
        return None, {"term": _text(item, "term"), **_sheet_name(kind, item)}
    if what == "pattern":
        if item.get("pattern") not in PATTERNS:
            raise Invalid("pattern is one of " + ", ".join(PATTERNS) + ".", fields={"pattern": "unknown"})
        return None, {"pattern": item["pattern"], **_sheet_name(kind, item)}
    if what == "column":
        spec = {"column": _text(item, "column", 100), **_sheet_name(kind, item)}
    else:
        row = item.get("row")
        if isinstance(row, bool) or not isinstance(row, int) or row < 1:
            raise Invalid("row is a row number from 1.", fields={"row": "invalid"})
        spec = {"row": row, **_sheet_name(kind, item)}
    try:
        engine.sheet.check_rules(shape(), record.content_type, [_rule(what, spec, "")])
    except RedactionError as exc:
        raise Invalid(str(exc), fields={what: "not in the file"}) from exc
    return None, spec


def _sheet_name(kind: str, item: dict) -> dict:
    sheet = item.get("sheet")
    if kind != "sheet" or sheet in (None, ""):
        return {}
    if not isinstance(sheet, str):
        raise Invalid("sheet is a sheet's name.", fields={"sheet": "string"})
    return {"sheet": sheet}


def _shape(record: Record, kind: str):
    """Reads the file at most once: page sizes (PDF), image size, or the bytes (sheets)."""
    cache = {}

    def shape():
        if "v" not in cache:
            data = read(record)
            cache["v"] = readable(engine.pdf.page_sizes if kind == "pdf"
                                  else engine.image.size if kind == "image" else bytes, data)
        return cache["v"]
    return shape


def readable(read_with, *args):
    """A reader's answer, or 422: a damaged file (a workbook that is no workbook, a PDF whose page
    tree claims a million pages) fails inside the readers in ways of their own."""
    try:
        return read_with(*args)
    except RedactionError as exc:
        raise Unprocessable(str(exc)) from exc
    except Exception as exc:
        raise Unprocessable("This file cannot be read: it is damaged or not what its type says.") from exc


def add(actor: User, record_id: int, items: list[dict]) -> list[Redaction]:
    """Save redactions as drafts. The record cannot be released until they are applied and verified."""
    record = managed_record(actor, record_id)
    kind = kind_of(record)
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise Invalid("Send one or more redactions.", fields={"redactions": "list of objects"})
    allowed, shape, made = citations(record), _shape(record, kind), []
    for item in items:
        citation = item.get("citation")
        if not isinstance(citation, str) or citation not in allowed:
            raise Invalid("Cite one of the exemptions of this request's law: " + ", ".join(allowed) + ".",
                          fields={"citation": "unknown"})
        page, spec = _parse(record, kind, item, shape)
        red = Redaction(record_id=record.id, kind=item["kind"], page=page, spec=json.dumps(spec),
                        citation=citation, created_by_id=actor.id, status=RedactionStatus.draft)
        db.session.add(red)
        made.append(red)
    db.session.flush()
    for red in made:
        audit.record(actor, "redaction.draft", f"record:{record.id}", {"redaction": red.id, **describe(red)})
    return made


def describe(red: Redaction) -> dict:
    """What a redaction covers, for the audit log: the place, never the redacted text."""
    spec = red.data
    out = {"kind": red.kind, "citation": red.citation}
    if red.page:
        out["page"] = red.page
    if "x" in spec:
        out["box"] = [round(spec[k], 1) for k in ("x", "y", "width", "height")]
    for key in ("pattern", "column", "row", "sheet"):
        if key in spec:
            out[key] = spec[key]
    if "term" in spec:
        out["term_length"] = len(spec["term"])
    return out


def withdraw(actor: User, redaction_id: int) -> Redaction:
    red = db.session.get(Redaction, redaction_id) if isinstance(redaction_id, int) else None
    if red is None:
        raise NotFound("No such redaction.")
    managed_record(actor, red.record_id)
    if red.status != RedactionStatus.draft:
        raise Conflict("Only a draft can be withdrawn; an applied redaction is part of a record.")
    red.status, red.withdrawn_at = RedactionStatus.withdrawn, utcnow()
    audit.record(actor, "redaction.withdraw", f"record:{red.record_id}", {"redaction": red.id})
    return red


def list_for(actor: User, record_id: int) -> list[Redaction]:
    record = managed_record(actor, record_id)
    return list(db.session.scalars(sa.select(Redaction).where(Redaction.record_id == record.id)
                                   .order_by(Redaction.id)))


def drafts_of(record_id: int) -> list[Redaction]:
    return list(db.session.scalars(sa.select(Redaction).where(
        Redaction.record_id == record_id, Redaction.status == RedactionStatus.draft).order_by(Redaction.id)))


# -- applying -------------------------------------------------------------------------------

def _rule(kind: str, spec: dict, label: str) -> Rule:
    target = spec.get("column") or spec.get("term") or spec.get("pattern") or str(spec.get("row", ""))
    return Rule(kind, target, label, spec.get("sheet"))


def plan_of(reds: list[Redaction]) -> Plan:
    """The engine's plan for these redactions (pages are 0-based in the engine)."""
    plan = Plan()
    for red in reds:
        spec = red.data
        if red.kind in ("box", "blur"):
            page = (red.page or 1) - 1
            plan.areas.append(Area(page, spec["x"], spec["y"], spec["x"] + spec["width"],
                                   spec["y"] + spec["height"], red.citation, red.kind))
        elif red.kind == "page":
            plan.whole_pages[red.page - 1] = red.citation
        else:
            plan.rules.append(_rule(red.kind, spec, red.citation))
        if red.kind == "term":
            plan.terms[spec["term"]] = red.id
            plan.labels[spec["term"]] = red.citation
        elif red.kind == "pattern":
            plan.patterns[spec["pattern"]] = red.id
            plan.labels[spec["pattern"]] = red.citation
    return plan


def _output_name(record: Record, content_type: str) -> str:
    stem, dot, ext = record.filename.rpartition(".")
    if not dot:
        stem, ext = record.filename, ""
    ext = {"image/png": "png", "image/jpeg": "jpg"}.get(content_type, ext)
    return f"{stem}-redacted" + (f".{ext}" if ext else "")


def apply(actor: User, record_id: int) -> RedactionRun:
    """Apply the record's drafts: a new record, the redacted replacement of this one, verified at once.

    Reads and the engine's work (redacting, then verifying) come first, with autoflush off so a
    change pending from earlier in the request (an API token's last use) is not written yet; the
    writes follow in one short burst. On SQLite a write takes the file's write lock until the
    request commits, so a write before the engine would block every other writer for its run."""
    with db.session.no_autoflush:
        record = managed_record(actor, record_id)
        kind_of(record)
        reds = drafts_of(record.id)
        if not reds:
            raise Conflict("This record has no draft redactions to apply.")
        original = read(record)
        plan = plan_of(reds)
        try:
            with _lists():
                output, content_type, plan = engine.redact(record.content_type, original, plan,
                                                           dpi=current_app.config["REDACTION_DPI"])
        except RedactionError as exc:
            raise Unprocessable(str(exc)) from exc
        report = _report(record.content_type, content_type, original, output, plan)
    new = records.upload(actor, record.request_id, io.BytesIO(output), _output_name(record, content_type),
                         replaces_id=record.id, max_size=len(output) + 1)
    run = RedactionRun(record=record, output=new, applied_by=actor)
    db.session.add(run)
    for red in reds:
        red.status, red.run = RedactionStatus.applied, run
        red.matches = _matches(red, plan)
    _set_report(run, report)
    db.session.flush()
    audit.record(actor, "redaction.apply", f"record:{record.id}",
                 {"run": run.id, "output_record": new.id, "sha256": new.sha256,
                  "redactions": [[r.id, r.matches] for r in reds], "verified": run.verified,
                  "problems": run.problems})
    return run


def _lists():
    """The pattern "protected" redacts the terms of the screen's protected lists, as they are now."""
    return matching.protected_terms(screening.matcher())


def _matches(red: Redaction, plan: Plan) -> int:
    spec = red.data
    key = spec.get("term") or spec.get("pattern") or spec.get("column") or (
        str(spec["row"]) if "row" in spec else None)
    return plan.counts.get(key, 0) if key is not None else 1


def _report(source: str, output_type: str, original: bytes, output: bytes, plan: Plan):
    # The output's own type for photos (TIFF becomes PNG); the original's otherwise (CSV stays CSV
    # even when a one-column output reads as plain text).
    content_type = output_type if engine.kind_of(source) == "image" else source
    with _lists():
        return engine.verify(content_type, original, output, plan)


def _set_report(run: RedactionRun, report) -> None:
    _screen_output(report, run.output)
    run.verified, run.verified_at, run.report = report.ok, utcnow(), json.dumps(report.as_dict())


def _screen_output(report: engine.Report, output: Record) -> None:
    """The redacted copy is a new file to the screen: every list and reader, as at release. A
    protected name still readable anywhere fails verification (named by its list, not its text)."""
    result = screening.screen_blob(output.blob)
    for m in result["matches"]:
        if m["kind"] == "protected":
            problem = f"A name on the protected list {m.get('list') or ''!r} is still readable ({m['where']})."
            if problem not in report.problems:
                report.problems.append(problem)
    for f in result["findings"]:
        if f["kind"] in ("unreadable", "too_large"):
            report.problems.append(f"The pre-release screen could not read the redacted copy ({f['kind']}).")
    report.checks.append("pre-release screen of the redacted copy: every protected list, every reader")


def run_of(record: Record) -> RedactionRun | None:
    return db.session.scalar(sa.select(RedactionRun).where(RedactionRun.output_record_id == record.id))


def verify(actor: User, record_id: int) -> RedactionRun:
    """Check a redacted record again (for example after a text extractor was installed). As in
    apply(): the engine's work first, with nothing written; then the result."""
    with db.session.no_autoflush:
        record = managed_record(actor, record_id)
        run = run_of(record)
        if run is None:
            raise Invalid("This record is not a redacted copy; apply redactions to make one.",
                          fields={"record": "not redacted"})
        reds = list(db.session.scalars(sa.select(Redaction).where(Redaction.run_id == run.id)))
        original, output = read(run.record), read(record)
        plan = plan_of(reds)
        if engine.kind_of(run.record.content_type) == "pdf":
            # Areas found by search are part of what must be clean: find them again in the original.
            with _lists():
                found = engine.pdf.find_areas(original, list(plan.terms), list(plan.patterns), plan.labels)
            plan.areas += [a for _what, a in found]
        report = _report(run.record.content_type, record.content_type, original, output, plan)
    _set_report(run, report)
    audit.record(actor, "redaction.verify", f"record:{record.id}",
                 {"run": run.id, "verified": run.verified, "problems": run.problems})
    return run


# -- the release gate -----------------------------------------------------------------------

def check_releasable(records_: list[Record]) -> None:
    """Refuse a release that includes a record with draft redactions, or a redacted copy that
    failed (or never passed) verification."""
    ids = [r.id for r in records_]
    pending = db.session.scalars(sa.select(Redaction.record_id).where(
        Redaction.record_id.in_(ids), Redaction.status == RedactionStatus.draft).distinct()).all()
    if pending:
        names = [r.filename for r in records_ if r.id in set(pending)]
        raise RedactionPending("These records have draft redactions; apply and verify them first: "
                               + ", ".join(names) + ".", record_ids=sorted(pending))
    for run in db.session.scalars(sa.select(RedactionRun).where(RedactionRun.output_record_id.in_(ids))):
        if not run.verified:
            raise RedactionUnverified(f"The redacted record {run.output.filename} did not pass "
                                      "verification: " + " ".join(run.problems or ["not verified"]),
                                      record_id=run.output_record_id, problems=run.problems)


def layout(actor: User, record_id: int) -> dict:
    """What boxes and rules can name: page sizes in points, the image size, or the sheets' headers."""
    record = managed_record(actor, record_id)
    kind = kind_of(record)
    shape = _shape(record, kind)()
    if kind == "pdf":
        return {"kind": kind, "unit": "pt", "pages": [{"number": n, "width": round(w, 2), "height": round(h, 2)}
                                                      for n, (w, h) in enumerate(shape, 1)]}
    if kind == "image":
        return {"kind": kind, "unit": "px", "width": shape[0], "height": shape[1]}
    sheets = (readable(lambda: [engine.sheet.csv_grid(shape)]) if record.content_type == "text/csv"
              else readable(lambda: engine.sheet.grids(engine.sheet.load_xlsx(shape))))
    return {"kind": kind, "sheets": [{"name": g.name, "rows": len(g.rows),
                                      "columns": [str(g.values.get((g.rows[0], c), "")) for c in g.cols]
                                      if g.rows else []} for g in sheets]}


def add_found_boxes(actor: User, record_id: int, item: dict) -> list[Redaction]:
    """Boxes from a search (the keyboard way to draw): one draft box per place a term or pattern is
    found, each of which staff can then withdraw on its own."""
    record = managed_record(actor, record_id)
    if kind_of(record) != "pdf":
        raise Invalid("Boxes from a search are for PDFs.", fields={"kind": "invalid"})
    _page_, spec = _parse(record, "pdf", item, _shape(record, "pdf"))
    terms = [spec["term"]] if "term" in spec else []
    patterns = [spec["pattern"]] if "pattern" in spec else []
    data = read(record)
    with _lists():
        found, sizes = engine.pdf.find_areas(data, terms, patterns), engine.pdf.page_sizes(data)
    if not found:
        raise Invalid("Nothing in this record matches.", fields={item.get("kind", "term"): "no match"})
    boxes = []
    for _what, a in found:
        w, h = sizes[a.page]
        x0, y0, x1, y1 = max(a.x0, 0), max(a.y0, 0), min(a.x1, w), min(a.y1, h)
        boxes.append({"kind": "box", "page": a.page + 1, "x": x0, "y": y0, "width": x1 - x0,
                      "height": y1 - y0, "citation": item.get("citation")})
    return add(actor, record_id, boxes)
