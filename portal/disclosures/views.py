"""Pages: staff records and releases for a request; the recipient's files; the public library."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.errors import PortalError
from ..core.web import keep_after_rollback, rollback
from ..core.http import client_ip, user_agent
from ..core.models import utcnow
from ..core.permissions import staff_required
from ..extensions import db
from ..record_requests.services import get_managed
from ..records import bulk
from ..records import services as records
from ..redaction import log as redaction_log
from ..screening.holds import ScreeningHold, holds_of
from . import services
from .bundle_stream import deliver_bundle
from .bundles import BundlePreparing
from .delivery import deliver
from .forms import ReleaseForm, UploadForm

bp = Blueprint("disclosures", __name__)


@bp.route("/staff/requests/<int:request_id>/records")
@staff_required
def request_records(request_id: int):
    req = get_managed(current_user, request_id)
    return _records_page(req)


def _records_page(req, *, upload_form=None, release_form=None, error=None, status=200):
    from .models import Release
    rows = records.list_for(current_user, req.id)
    releases = db.session.scalars(db.select(Release).where(Release.request_id == req.id)
                                  .order_by(Release.id.desc())).all()
    return render_template("disclosures/records.html", req=req, records=rows, releases=releases,
                           holds=holds_of(req.id),
                           upload_form=upload_form or UploadForm(), release_form=release_form or ReleaseForm(),
                           error=error, max_size=current_app.config["MAX_CONTENT_LENGTH"]), status


@bp.route("/staff/requests/<int:request_id>/records", methods=["POST"])
@staff_required
def upload(request_id: int):
    req = get_managed(current_user, request_id)
    form = UploadForm()
    uploads = [f for f in request.files.getlist("file") if f and f.filename]
    if not form.validate_on_submit() or not uploads:
        return _records_page(req, upload_form=form, error="Choose one or more files to upload.", status=400)
    options = {"disposition": form.disposition.data, "exemption": form.exemption.data,
               "max_size": current_app.config["MAX_CONTENT_LENGTH"]}
    done, refused = [], []
    try:
        for f in uploads:
            if form.unpack.data and bulk.is_zip(f.stream):
                made, skipped = bulk.unpack(current_user, req.id, f.stream, f.filename, **options)
                done += made
                refused += [f"{name} ({err.message})" for name, err in skipped]
            else:
                done.append(records.upload(current_user, req.id, f.stream, f.filename, **options))
    except PortalError as err:
        rollback()
        return _records_page(req, upload_form=form, error=err.message, status=err.status)
    held = [r.filename for r in done if not r.scan_status.releasable]
    flash(f"{len(done)} record{'s' if len(done) != 1 else ''} uploaded."
          + (f" In quarantine (see the virus scan column): {', '.join(held[:20])}." if held else "")
          + (f" Refused: {'; '.join(refused[:20])}." if refused else ""))
    return redirect(url_for("disclosures.request_records", request_id=req.id))


@bp.route("/staff/requests/<int:request_id>/releases", methods=["POST"])
@staff_required
def release(request_id: int):
    req = get_managed(current_user, request_id)
    form = ReleaseForm()
    ids = request.form.getlist("record_ids", type=int)
    if not form.validate_on_submit():
        return _records_page(req, release_form=form, error="Please check the form.", status=400)
    if request.form.get("preview"):
        return _preview(req, form, ids)
    try:
        rel = services.create_release(current_user, req.id, ids,
                                      recipients=(form.recipients.data or "").split(),
                                      public=form.public.data, row_order_free=form.row_order_free.data)
    except ScreeningHold as held:
        keep_after_rollback(held)
        flash("Nothing was released: screening flagged records in this release. A second staff member "
              "or an administrator must approve it, or withhold or replace the flagged records.")
        return redirect(url_for("screening.hold_page", hold_id=held.hold_id))
    except PortalError as err:
        rollback()
        return _records_page(req, release_form=form, error=err.message, status=err.status)
    flash(f"Released {len(rel.records)} record(s) to {len({g.recipient_id for g in rel.grants})} recipient(s).")
    return redirect(url_for("disclosures.request_records", request_id=req.id))


def _preview(req, form, ids):
    """What the release would do: recipients, files, stamp and each file's screening; nothing is made."""
    from .preview import preview
    try:
        plan = preview(current_user, req, ids, (form.recipients.data or "").split())
    except PortalError as err:
        rollback()
        return _records_page(req, release_form=form, error=err.message, status=err.status)
    return render_template("disclosures/preview.html", req=req, plan=plan, form=form)


@bp.route("/me/files")
@login_required
def my_files():
    files = services.my_grants(current_user)
    now = utcnow()
    redacted = redaction_log.summaries([f.record_id for f in files if f.replaces_id is not None])
    return render_template("disclosures/my_files.html", grants=files,
                           redacted={rid: redaction_log.summary_text(items) for rid, items in redacted.items()},
                           expired={f.id for f in files if f.expires_at is not None and f.expires_at < now})


@bp.route("/me/files/<int:grant_id>/download")
@login_required
def download(grant_id: int):
    return _send(services.grant_for(current_user, grant_id))


@bp.route("/me/releases/<int:release_id>/download")
@login_required
def download_release(release_id: int):
    try:
        return deliver_bundle(current_user, release_id, ip=client_ip(), user_agent=user_agent())
    except BundlePreparing as wait:
        return render_template("disclosures/preparing_bundle.html", wait=wait, retry_after=wait.retry_after), 202, {
            "Retry-After": str(wait.retry_after)}


@bp.route("/library")
def library():
    return render_template("disclosures/library.html", records=services.public_records())


@bp.route("/library/<int:record_id>/download")
def library_download(record_id: int):
    return _send(services.public_grant(record_id))


def _send(grant):
    try:
        return deliver(grant, ip=client_ip(), user_agent=user_agent())
    except services.Preparing as wait:
        return render_template("disclosures/preparing.html", grant=grant), 202, {
            "Retry-After": str(wait.retry_after)}


from . import metrics_views  # noqa: E402,F401  (its routes join this blueprint)
