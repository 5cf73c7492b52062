"""Pages: protected lists (admin), holds and clean copies (staff)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.forms import EmptyForm
from ..core.errors import PortalError
from ..core.http import content_disposition
from ..core.permissions import admin_required, staff_required
from ..core.web import rollback
from ..disclosures.services import release_approved_hold
from ..extensions import db
from ..records.models import Record
from . import clean, holds, lists
from .forms import DecisionForm, DismissForm, ImportForm, ListForm, TermsForm
from .readers import FINDING_LABELS

bp = Blueprint("screening", __name__)


@bp.app_template_filter("finding_label")
def finding_label(kind: str) -> str:
    return FINDING_LABELS.get(kind, {"protected": "Protected list", "ssn": "Social security number",
                                     "dob": "Date of birth", "personal_email": "Personal e-mail address",
                                     "phone": "Phone number"}.get(kind, kind))


# -- protected lists (admin) --------------------------------------------------------------------------

@bp.route("/admin/protected-lists", methods=["GET", "POST"])
@admin_required
def protected_lists():
    form = ListForm()
    error, status = None, 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            plist = lists.create_list(current_user, form.name.data, form.description.data)
            return redirect(url_for("screening.protected_list", list_id=plist.id))
        except PortalError as err:
            rollback()
            error, status = err.message, err.status
    return render_template("screening/lists.html", lists=lists.all_lists(current_user), counts=lists.term_counts(),
                           form=form, error=error), status


@bp.route("/admin/protected-lists/<int:list_id>")
@admin_required
def protected_list(list_id: int):
    return _list_page(list_id)


def _list_page(list_id: int, *, error=None, status=200, terms_form=None):
    plist = lists.get_list(current_user, list_id)
    return render_template("screening/list.html", plist=plist, terms_form=terms_form or TermsForm(),
                           import_form=ImportForm(), empty=EmptyForm(), error=error), status


@bp.route("/admin/protected-lists/<int:list_id>/terms", methods=["POST"])
@admin_required
def add_terms(list_id: int):
    plist = lists.get_list(current_user, list_id)
    form = TermsForm()
    if not form.validate_on_submit():
        return _list_page(list_id, error="Enter one or more terms.", status=400, terms_form=form)
    try:
        _, added, _ = lists.add_terms(current_user, plist.name,
                                      [t for t in form.terms.data.splitlines() if t.strip()], create=False)
    except PortalError as err:
        rollback()
        return _list_page(list_id, error=err.message, status=err.status, terms_form=form)
    flash(f"{added} term(s) added.")
    return redirect(url_for("screening.protected_list", list_id=list_id))


@bp.route("/admin/protected-lists/<int:list_id>/import", methods=["POST"])
@admin_required
def import_terms(list_id: int):
    form = ImportForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        return _list_page(list_id, error="Choose a CSV file.", status=400)
    try:
        added = lists.import_csv(current_user, list_id, upload.stream.read(16 * 1024 ** 2))
    except PortalError as err:
        rollback()
        return _list_page(list_id, error=err.message, status=err.status)
    flash(f"{added} term(s) imported.")
    return redirect(url_for("screening.protected_list", list_id=list_id))


@bp.route("/admin/protected-lists/<int:list_id>.csv")
@admin_required
def export_terms(list_id: int):
    body = lists.export_csv(current_user, list_id)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": content_disposition(f"protected-list-{list_id}.csv")})


@bp.route("/admin/protected-lists/<int:list_id>/terms/<int:term_id>/remove", methods=["POST"])
@admin_required
def remove_term(list_id: int, term_id: int):
    if EmptyForm().validate_on_submit():
        lists.remove_term(current_user, list_id, term_id)
        flash("Term removed.")
    return redirect(url_for("screening.protected_list", list_id=list_id))


@bp.route("/admin/protected-lists/<int:list_id>/delete", methods=["POST"])
@admin_required
def delete_list(list_id: int):
    if EmptyForm().validate_on_submit():
        lists.delete_list(current_user, list_id)
        flash("List deleted.")
    return redirect(url_for("screening.protected_lists"))


# -- holds (staff) --------------------------------------------------------------------------------------

@bp.route("/staff/holds")
@staff_required
def hold_index():
    return render_template("screening/holds.html", holds=holds.open_holds(current_user))


@bp.route("/staff/holds/<int:hold_id>")
@staff_required
def hold_page(hold_id: int, *, error=None, status=200):
    hold = holds.get_hold(current_user, hold_id)
    records = {r.id: r for r in db.session.scalars(db.select(Record).where(Record.id.in_(hold.record_ids)))}
    return render_template("screening/hold.html", hold=hold, records=records, approve_form=DecisionForm(),
                           dismiss_form=DismissForm(), error=error, jobs=holds.screening_jobs(hold),
                           faces=next((m for m in hold.matches if m["kind"] == "faces"), None),
                           self_approval=hold.requested_by_id == current_user.id), status


@bp.route("/staff/holds/<int:hold_id>/faces.png")
@staff_required
def hold_faces(hold_id: int):
    return Response(holds.faces_sheet(current_user, hold_id), mimetype="image/png",
                    headers={"Cache-Control": "no-store"})


@bp.route("/staff/holds/<int:hold_id>/approve", methods=["POST"])
@staff_required
def approve(hold_id: int):
    form = DecisionForm()
    if not form.validate_on_submit():
        return hold_page(hold_id, error="Give the reason these records may be released.", status=400)
    try:
        release = release_approved_hold(current_user, hold_id, form.reason.data)
    except PortalError as err:
        rollback()
        return hold_page(hold_id, error=err.message, status=err.status)
    flash(f"Approved and released to {len({g.recipient_id for g in release.grants})} recipient(s).")
    return redirect(url_for("disclosures.request_records", request_id=release.request_id))


@bp.route("/staff/holds/<int:hold_id>/dismiss", methods=["POST"])
@staff_required
def dismiss(hold_id: int):
    form = DismissForm()
    if not form.validate_on_submit():
        return hold_page(hold_id, error="Please check the form.", status=400)
    hold = holds.dismiss(current_user, hold_id, form.reason.data)
    flash("Hold dismissed: nothing was released. Withhold or replace the flagged records, then release again.")
    return redirect(url_for("disclosures.request_records", request_id=hold.request_id))


# -- clean copies (staff) -------------------------------------------------------------------------------

@bp.route("/staff/records/<int:record_id>/clean", methods=["POST"])
@staff_required
def clean_copy(record_id: int):
    record = db.session.get(Record, record_id)
    if record is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        flash("The form expired; please try again.")
        return redirect(url_for("disclosures.request_records", request_id=record.request_id))
    try:
        copy = clean.clean_copy(current_user, record_id, max_size=current_app.config["MAX_CONTENT_LENGTH"])
    except PortalError as err:
        if err.status in (403, 404):  # another department's record: as if it did not exist
            raise
        rollback()
        flash(err.message)
        return redirect(url_for("disclosures.request_records", request_id=record.request_id))
    flash(f"Clean copy made: {copy.filename} replaces the original, which is kept withheld.")
    return redirect(url_for("disclosures.request_records", request_id=copy.request_id))
