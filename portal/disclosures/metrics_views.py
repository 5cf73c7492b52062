"""The disclosures metrics page and its CSV (the request metrics are record_requests' own)."""
from __future__ import annotations

from flask import Response, render_template
from flask_login import current_user

from ..core.http import content_disposition
from ..core.permissions import staff_required
from . import metrics
from .views import bp


@bp.route("/staff/metrics/disclosures")
@staff_required
def metrics_page():
    m = metrics.compute(current_user)
    shown = [name for name in metrics.SERIES if name != "clawback_answers" or current_user.is_admin]
    return render_template("disclosures/metrics.html", m=m, shown=shown, labels=metrics.LABELS)


@bp.route("/staff/metrics/disclosures.csv")
@staff_required
def metrics_csv():
    return Response(metrics.to_csv(metrics.compute(current_user)), mimetype="text/csv",
                    headers={"Content-Disposition": content_disposition("disclosure-metrics.csv")})
