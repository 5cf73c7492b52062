"""Pages: the requester's attachments, and the admin quarantine."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..auth.forms import EmptyForm
from ..core import storage as files
from ..core.errors import PortalError
from ..core.permissions import admin_required
from ..core.web import rollback
from ..core.http import content_disposition
from . import quarantine, services

bp = Blueprint("records", __name__)


@bp.post("/requests/<int:request_id>/attachments")
@login_required
def attach(request_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    f = request.files.get("file")
    if f is None or not f.filename:
        flash("Choose a file to attach.")
        return redirect(url_for("requests.show", request_id=request_id))
    try:
        item = services.attach(current_user, request_id, f.stream, f.filename,
                               max_size=current_app.config["REQUESTER_ATTACHMENT_MAX_BYTES"])
    except PortalError as err:
        if err.status == 404:
            raise
        rollback()
        flash(err.message)
        return redirect(url_for("requests.show", request_id=request_id))
    flash(f"{item.filename} is attached ({item.blob.scan_status.label}).")
    return redirect(url_for("requests.show", request_id=request_id))


@bp.route("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    item = services.attachment_for(current_user, attachment_id)
    opened = files.storage().open(item.blob.key)
    stream = opened.__enter__()

    def generate():
        try:
            while chunk := stream.read(256 * 1024):
                yield chunk
        finally:
            opened.__exit__(None, None, None)
    # Served as a download, never rendered: it is someone else's file.
    return Response(generate(), mimetype="application/octet-stream",
                    headers={"Content-Disposition": content_disposition(item.filename),
                             "Content-Length": str(item.blob.size)})


@bp.route("/admin/quarantine")
@admin_required
def quarantine_page():
    return render_template("admin/quarantine.html", r=quarantine.report(), form=EmptyForm())


@bp.post("/admin/quarantine/requeue-unscanned")
@admin_required
def requeue_unscanned():
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not quarantine.scanner().scans:
        flash("No scanner is configured: set PORTAL_SCANNER first.")
    else:
        count = quarantine.requeue_unscanned(current_user)
        flash(f"{count} unscanned file{'' if count == 1 else 's'} went back to quarantine for a scan.")
    return redirect(url_for(".quarantine_page"))
