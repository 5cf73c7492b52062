"""Revocation pages: each scope asks first (what will happen, to how many recipients), then acts.

The confirmation is a page of its own (GET), so it works without script and from the keyboard;
the POST that revokes is the one it always was, and still needs a reason.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core.permissions import staff_required
from . import revocation
from .forms import RevokeForm
from .views import bp

TOLD = "Each recipient is told by e-mail and on their Notices page."
# The confirmation pages' titles, translated by the template (listed here for extraction).
TITLES = [_l("Revoke this download link?"), _l("Revoke every link to this file?"), _l("Revoke this release?"),
          _l("Revoke every link of this recipient?")]


def _confirm(scope: str, key, action: str, title: str, back=None):
    impact = revocation.impact(current_user, scope, key)  # authorises: 403/404 before anything is shown
    if back is None:
        back = (url_for("disclosures.request_records", request_id=impact.request_id) if impact.request_id
                else url_for("clawback.file_recipients", sha256=impact.sha256s[0]))
    return render_template("clawback/confirm_revoke.html", impact=impact, scope=scope, action=action, back=back,
                           title=title, form=RevokeForm())


def _reason() -> str:
    form = RevokeForm()
    return form.reason.data if form.validate_on_submit() else ""  # "" is refused by the service, 400


def _recipient_back(user_id: int) -> str:
    return url_for("admin.edit_user", user_id=user_id) if current_user.is_admin else url_for("staff.queue_page")


@bp.route("/staff/grants/<int:grant_id>/revoke")
@staff_required
def confirm_revoke_grant(grant_id: int):
    return _confirm("grant", grant_id, url_for("clawback.revoke_grant", grant_id=grant_id), "Revoke this download link?")


@bp.route("/staff/grants/<int:grant_id>/revoke", methods=["POST"])
@staff_required
def revoke_grant(grant_id: int):
    g = revocation.revoke_grant(current_user, grant_id, _reason())
    flash(f"The download link is revoked. {TOLD}")
    return redirect(url_for("clawback.file_recipients", sha256=g.record.sha256))


@bp.route("/staff/files/<sha256>/revoke")
@staff_required
def confirm_revoke_file(sha256: str):
    return _confirm("file", sha256, url_for("clawback.revoke_file", sha256=sha256), "Revoke every link to this file?",
                    back=url_for("clawback.file_recipients", sha256=sha256))


@bp.route("/staff/files/<sha256>/revoke", methods=["POST"])
@staff_required
def revoke_file(sha256: str):
    form = RevokeForm()
    if not form.validate_on_submit():
        flash("Give a reason to revoke.")
        return redirect(url_for("clawback.confirm_revoke_file", sha256=sha256))
    n = revocation.revoke_file(current_user, sha256, form.reason.data)
    flash(f"{n} download link(s) revoked. They stop working at once. {TOLD}")
    return redirect(url_for("clawback.file_recipients", sha256=sha256))


@bp.route("/staff/releases/<int:release_id>/revoke")
@staff_required
def confirm_revoke_release(release_id: int):
    return _confirm("release", release_id, url_for("clawback.revoke_release", release_id=release_id),
                    "Revoke this release?")


@bp.route("/staff/releases/<int:release_id>/revoke", methods=["POST"])
@staff_required
def revoke_release(release_id: int):
    request_id = revocation.impact(current_user, "release", release_id).request_id
    n = revocation.revoke_release(current_user, release_id, _reason())
    flash(f"{n} download link(s) of the release revoked. They stop working at once. {TOLD}")
    return redirect(url_for("disclosures.request_records", request_id=request_id))


@bp.route("/staff/recipients/<int:user_id>/revoke")
@staff_required
def confirm_revoke_recipient(user_id: int):
    return _confirm("recipient", user_id, url_for("clawback.revoke_recipient", user_id=user_id),
                    "Revoke every link of this recipient?", back=_recipient_back(user_id))


@bp.route("/staff/recipients/<int:user_id>/revoke", methods=["POST"])
@staff_required
def revoke_recipient(user_id: int):
    n = revocation.revoke_recipient(current_user, user_id, _reason())
    flash(f"{n} download link(s) of this recipient revoked. They are told by e-mail and on their Notices page.")
    return redirect(_recipient_back(user_id))
