"""Pages: who has a file, revocation, clawback campaigns, notices and attribution."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..auth.forms import EmptyForm
from ..core.errors import PortalError
from ..core.http import content_disposition
from ..core.permissions import admin_required, staff_required
from ..core.web import rollback
from ..extensions import db
from . import attribution, campaigns, counsel, tracing, withdrawals
from .forms import AttributionForm, CampaignForm, ResponseForm, RevokeForm
from .models import Clawback

bp = Blueprint("clawback", __name__)


def _error(err: PortalError, template: str, **ctx):
    rollback()
    return render_template(template, error=err.message, **ctx), err.status


RECIPIENTS_PAGE = 50


@bp.route("/staff/files/<sha256>")
@staff_required
def file_recipients(sha256: str):
    # A page of grants at a time, by grant id: a file sent to thousands stays a quick page.
    after = request.args.get("after", type=int) or 0
    data = tracing.recipients_json(current_user, sha256, after=max(after, 0),
                                   limit=RECIPIENTS_PAGE)
    return render_template("clawback/file.html", data=data, form=RevokeForm(), after=after)


@bp.route("/staff/files/<sha256>.csv")
@staff_required
def file_recipients_csv(sha256: str):
    body = tracing.recipients_csv(current_user, sha256)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": content_disposition(f"recipients-{sha256[:12]}.csv")})


@bp.route("/staff/files/<sha256>.pdf")
@staff_required
def file_recipients_pdf(sha256: str):
    name, body = counsel.report_pdf(current_user, sha256)
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": content_disposition(name)})


@bp.route("/admin/clawbacks")
@admin_required
def campaigns_index():
    """With ?sha256=... (from "Who has this file" or a release): those files already chosen."""
    rows = db.session.scalars(db.select(Clawback).order_by(Clawback.id.desc()).limit(200)).all()
    form, chosen = CampaignForm(), campaigns.files_named(request.args.getlist("sha256"))
    if chosen:
        form.sha256s.data = "\n".join(sha for sha, _ in chosen)
    return render_template("clawback/index.html", campaigns=rows, form=form, chosen=chosen)


@bp.route("/admin/clawbacks", methods=["POST"])
@admin_required
def open_campaign():
    form = CampaignForm()
    rows = db.session.scalars(db.select(Clawback).order_by(Clawback.id.desc()).limit(200)).all()
    if not form.validate_on_submit():
        return render_template("clawback/index.html", campaigns=rows, form=form,
                               error="Please complete the form."), 400
    try:
        c = campaigns.open_campaign(current_user, sha256s=form.sha256s.data.split(),
                                    reason=form.reason.data, respond_by=form.respond_by.data)
    except PortalError as err:
        return _error(err, "clawback/index.html", campaigns=rows, form=form)
    flash(f"Campaign opened: {c.revoked_grants} link(s) revoked, {len(c.notices)} recipient(s) notified.")
    return redirect(url_for("clawback.campaign", campaign_id=c.id))


@bp.route("/admin/clawbacks/<int:campaign_id>")
@admin_required
def campaign(campaign_id: int):
    return render_template("clawback/campaign.html", c=campaigns.get_campaign(current_user, campaign_id))


@bp.route("/admin/clawbacks/<int:campaign_id>/rerelease", methods=["POST"])
@admin_required
def rerelease(campaign_id: int):
    from flask import request as http

    from .rerelease import rerelease as do_rerelease
    c = campaigns.get_campaign(current_user, campaign_id)
    if not EmptyForm().validate_on_submit():
        return render_template("clawback/campaign.html", c=c, error="Please reload the page."), 400
    try:
        releases = do_rerelease(current_user, c.id, http.form.get("record_id", type=int) or 0)
    except PortalError as err:
        return _error(err, "clawback/campaign.html", c=c)
    flash(f"The corrected version went out in {len(releases)} release(s), to every recipient of the original.")
    return redirect(url_for("clawback.campaign", campaign_id=c.id))


@bp.route("/admin/clawbacks/<int:campaign_id>.csv")
@admin_required
def campaign_csv(campaign_id: int):
    import csv
    import io

    from ..core.export import safe_cell
    c = campaigns.get_campaign(current_user, campaign_id)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["recipient_email", "recipient_name", "status", "sent_at", "reminded_at", "responded_at", "statement"])
    for n in c.notices:
        w.writerow([safe_cell(v) for v in [n.recipient.email, n.recipient.name, n.status.value, n.sent_at,
                                           n.reminded_at or "", n.responded_at or "", n.statement or ""]])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": content_disposition(f"clawback-{c.id}.csv")})


@bp.route("/admin/attribute", methods=["GET", "POST"])
@admin_required
def attribute():
    form = AttributionForm()
    result = None
    if form.validate_on_submit():
        result = attribution.attribute(current_user, form.file.data.stream,
                                       limit=current_app.config["ATTRIBUTION_LIMIT"])
    return render_template("clawback/attribute.html", form=form, result=result)


@bp.route("/me/notices")
@login_required
def my_notices():
    return render_template("clawback/my_notices.html", notices=campaigns.my_notices(current_user),
                           withdrawn=withdrawals.withdrawn_for(current_user))


@bp.route("/me/notices/<int:notice_id>", methods=["GET", "POST"])
@login_required
def notice(notice_id: int):
    n = campaigns.notice_for(current_user, notice_id)
    form = ResponseForm()
    if form.validate_on_submit():
        try:
            campaigns.respond(current_user, n.id, form.action.data, form.statement.data)
        except PortalError as err:
            return _error(err, "clawback/notice.html", n=n, form=form)
        flash("Thank you. Your answer is recorded.")
        return redirect(url_for("clawback.notice", notice_id=n.id))
    return render_template("clawback/notice.html", n=n, form=form)


from . import batch_views  # noqa: E402,F401  (its pages are on this blueprint)
from . import revoke_views  # noqa: E402,F401  (its routes join this blueprint)
