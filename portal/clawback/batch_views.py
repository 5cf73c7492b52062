"""Pages at the scale of a release: attributing a ZIP of found files (progress, reports for
counsel), and who has a whole release."""
from __future__ import annotations

import json

from flask import Response, current_app, redirect, render_template, url_for
from flask_login import current_user

from ..core.errors import PortalError
from ..core.http import content_disposition
from ..core.permissions import admin_required, staff_required
from ..core.web import rollback
from . import batch, release_tracing
from .forms import AttributionBatchForm
from .views import bp


@bp.route("/admin/attribute/batch", methods=["GET", "POST"])
@admin_required
def attribute_batch():
    form = AttributionBatchForm()
    if form.validate_on_submit():
        try:
            started = batch.start(current_user, form.file.data.stream, form.file.data.filename)
        except PortalError as err:
            rollback()
            return render_template("clawback/attribute_batch.html", form=form, error=err.message), err.status
        return redirect(url_for("clawback.attribution_batch", batch_id=started.id))
    return render_template("clawback/attribute_batch.html", form=form)


@bp.route("/admin/attribute/batch/<int:batch_id>")
@admin_required
def attribution_batch(batch_id: int):
    b = batch.get(current_user, batch_id)
    files = [(f, json.loads(f.result)) for f in b.files]
    return render_template("clawback/attribution_batch.html", b=b, files=files, done=len(files),
                           recipients=batch.by_recipient(b))


@bp.route("/admin/attribute/batch/<int:batch_id>.csv")
@admin_required
def attribution_batch_csv(batch_id: int):
    b = batch.get(current_user, batch_id)
    return Response(batch.report_csv(b), mimetype="text/csv", headers={
        "Content-Disposition": content_disposition(f"attribution-batch-{b.id}.csv")})


@bp.route("/admin/attribute/batch/<int:batch_id>.pdf")
@admin_required
def attribution_batch_pdf(batch_id: int):
    b = batch.get(current_user, batch_id)
    body = batch.report_pdf(b, current_app.config["AGENCY_NAME"])
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": content_disposition(f"attribution-batch-{b.id}.pdf")})


@bp.route("/staff/releases/<int:release_id>/recipients")
@staff_required
def release_recipients(release_id: int):
    return render_template("clawback/release.html", data=release_tracing.release_recipients(current_user, release_id))
