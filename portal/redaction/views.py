"""Staff pages: see a record's pages, draw or search for redactions, apply, verify, read the log."""
from __future__ import annotations

import io

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.errors import Invalid, PortalError, Unprocessable
from ..core.http import content_disposition
from ..core.permissions import staff_required
from ..core.web import rollback
from . import engine, log, services
from .matching import PATTERNS

bp = Blueprint("redaction", __name__)

PREVIEW_DPI = 100
_NUMBERS = {"x": float, "y": float, "width": float, "height": float, "page": int, "row": int}


@bp.app_template_global()
def redactable(record) -> bool:
    return engine.kind_of(record.content_type) is not None


@bp.app_template_global()
def redaction_summaries(record_ids) -> dict:
    return {rid: log.summary_text(items) for rid, items in log.summaries(list(record_ids)).items()}


def _page(record_id: int, *, error: str | None = None, status: int = 200):
    record = services.managed_record(current_user, record_id)
    kind = services.kind_of(record)
    return render_template(
        "redaction/redact.html", record=record, kind=kind, layout=services.layout(current_user, record.id),
        redactions=services.list_for(current_user, record.id), run=services.run_of(record),
        entries=log.entries(current_user, record.id), citations=services.citations(record),
        patterns={k: v[0] for k, v in PATTERNS.items()}, kinds=services.KINDS[kind], error=error,
        preview_scale=PREVIEW_DPI / 72), status


@bp.route("/staff/records/<int:record_id>/redact")
@staff_required
def redact_page(record_id: int):
    return _page(record_id)


@bp.route("/staff/records/<int:record_id>/redact/preview/<int:page>.png")
@staff_required
def preview(record_id: int, page: int):
    record = services.managed_record(current_user, record_id)
    kind = services.kind_of(record)
    data = services.read(record)
    try:
        if kind == "pdf":
            png = engine.pdf.render_page(data, page - 1, dpi=PREVIEW_DPI)
        elif kind == "image":
            buf = io.BytesIO()
            engine.image.open_image(data)[0].convert("RGB").save(buf, "PNG")
            png = buf.getvalue()
        else:
            raise Invalid("Spreadsheets have no page image.")
    except engine.RedactionError as exc:
        raise Unprocessable(str(exc)) from exc
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, no-store"})


def _item(form) -> dict:
    item = {}
    for key in ("kind", "citation", "term", "pattern", "column", "sheet", "x", "y", "width", "height",
                "page", "row"):
        raw = (form.get(key) or "").strip()
        if not raw:
            continue
        if key in _NUMBERS:
            try:
                item[key] = _NUMBERS[key](raw)
            except ValueError as exc:
                raise Invalid(f"{key} is a number.", fields={key: "number"}) from exc
        else:
            item[key] = raw
    return item


@bp.route("/staff/records/<int:record_id>/redactions", methods=["POST"])
@staff_required
def add(record_id: int):
    try:
        item = _item(request.form)
        if request.form.get("as_boxes") and item.get("kind") in ("term", "pattern"):
            made = services.add_found_boxes(current_user, record_id, item)
        else:
            made = services.add(current_user, record_id, [item])
    except PortalError as err:
        rollback()
        return _page(record_id, error=err.message, status=err.status)
    flash(f"{len(made)} draft redaction{'s' if len(made) != 1 else ''} saved.")
    return redirect(url_for("redaction.redact_page", record_id=record_id))


@bp.route("/staff/redactions/<int:redaction_id>/withdraw", methods=["POST"])
@staff_required
def withdraw(redaction_id: int):
    red = services.withdraw(current_user, redaction_id)
    flash("Draft redaction withdrawn.")
    return redirect(url_for("redaction.redact_page", record_id=red.record_id))


@bp.route("/staff/records/<int:record_id>/redact/apply", methods=["POST"])
@staff_required
def apply(record_id: int):
    try:
        run = services.apply(current_user, record_id)
    except PortalError as err:
        rollback()
        return _page(record_id, error=err.message, status=err.status)
    flash("Redactions applied: the redacted copy is a new record. "
          + ("It passed verification." if run.verified else "It FAILED verification and cannot be released."))
    return redirect(url_for("redaction.redact_page", record_id=run.output_record_id))


@bp.route("/staff/records/<int:record_id>/redact/verify", methods=["POST"])
@staff_required
def verify(record_id: int):
    run = services.verify(current_user, record_id)
    flash("Verification passed." if run.verified else "Verification failed: " + " ".join(run.problems))
    return redirect(url_for("redaction.redact_page", record_id=record_id))


@bp.route("/staff/records/<int:record_id>/redaction-log.csv")
@staff_required
def log_csv(record_id: int):
    rows = log.entries(current_user, record_id)
    return Response(log.as_csv(rows), mimetype="text/csv", headers={
        "Content-Disposition": content_disposition(f"redaction-log-record-{record_id}.csv")})
