"""The staff member's page of what needs them today (the daily e-mail, on a page); admins also see
the department summary."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..core.permissions import staff_required
from ..record_requests import clock
from . import services

bp = Blueprint("digests", __name__)


@bp.route("/staff/digest")
@staff_required
def page():
    on = clock.today()
    return render_template("digests/page.html", on=on, digest=services.staff_digest(current_user, on),
                           summary=services.department_summary(on) if current_user.is_admin else None)
