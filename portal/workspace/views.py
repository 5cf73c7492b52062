from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..core.permissions import admin_required, staff_required
from ..record_requests import clock
from . import services

bp = Blueprint("workspace", __name__)


@bp.route("/staff")
@staff_required
def staff_home():
    return render_template("workspace/staff.html", on=clock.today(), ws=services.workspace(current_user, clock.today()))


@bp.route("/admin/overview")
@admin_required
def admin_home():
    return render_template("workspace/admin.html", on=clock.today(), ov=services.overview(current_user, clock.today()))

