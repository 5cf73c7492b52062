"""Staff pages: the queue with bulk assignment, metrics and their CSV; admin closure days."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.forms import EmptyForm
from ..auth.models import User
from ..core.errors import PortalError
from ..core.http import content_disposition, db_id
from ..core.permissions import admin_required, staff_required
from ..extensions import db
from . import clock, metrics, queue, routing
from .forms import BulkAssignForm, ClosureForm
from .models import AgencyClosure, Status
from .views import departments

bp = Blueprint("staff", __name__)


def _queue_page(form=None, error=None, status=200):
    flt = queue.parse(request.args)
    page = queue.search(current_user, flt, current_app.config["REQUEST_PAGE_SIZE"], count_limit=queue.COUNT_LIMIT)
    depts = departments() if current_user.is_admin else [current_user.department]
    form = form or BulkAssignForm(formdata=None)
    form.assignee.choices = [("", "Nobody")] + [
        (str(u.id), u.name) for u in routing.staff_for({d.id for d in depts})]
    return render_template("requests/queue.html", page=page, flt=flt, departments=depts,
                           statuses=[s for s in Status], due_choices=queue.DUE_CHOICES[1:],
                           sorts=queue.SORTS, form=form, error=error), status


@bp.route("/staff/requests")
@staff_required
def queue_page():
    return _queue_page()


@bp.post("/staff/requests/assign")
@staff_required
def bulk_assign():
    form = BulkAssignForm()
    if not form.validate_on_submit():
        abort(400)
    ids = [i for i in map(db_id, form.ids.data or []) if i]
    chosen = db_id(form.assignee.data)  # absent from a hand-made POST: nobody
    assignee = db.session.get(User, chosen) if chosen else None
    try:
        count = routing.bulk_assign(current_user, ids, assignee)
    except PortalError as err:
        db.session.rollback()
        return _queue_page(error=err.message, status=err.status)
    flash(f"{count} request{'' if count == 1 else 's'} assigned to {assignee.name if assignee else 'nobody'}.")
    return redirect(url_for(".queue_page", **request.args))


@bp.route("/staff/metrics")
@staff_required
def metrics_page():
    m = metrics.compute(current_user)
    top = max([max(r.received, r.closed) for r in m.months] + [1])
    return render_template("requests/metrics.html", m=m, top=top,
                           top_overdue=max([c for _, c in m.overdue_by_department] + [1]))


@bp.route("/staff/metrics.csv")
@staff_required
def metrics_csv():
    body = metrics.to_csv(metrics.compute(current_user))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": content_disposition("request-metrics.csv")})


@bp.route("/admin/closures", methods=["GET", "POST"])
@admin_required
def closures():
    form, error, status = ClosureForm(), None, 200
    if form.validate_on_submit():
        try:
            moved = clock.add_closure(current_user, form.day.data, form.reason.data)
            flash(f"Closure day added; {moved} due date{'' if moved == 1 else 's'} moved.")
            return redirect(url_for(".closures"))
        except PortalError as err:
            db.session.rollback()
            error, status = err.message, err.status
    elif form.is_submitted():
        status = 400
    rows = db.session.scalars(sa.select(AgencyClosure).order_by(AgencyClosure.day.desc())).all()
    return render_template("requests/closures.html", form=form, rows=rows, error=error), status


@bp.post("/admin/closures/<int:closure_id>/delete")
@admin_required
def delete_closure(closure_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    moved = clock.remove_closure(current_user, closure_id)
    flash(f"Closure day removed; {moved} due date{'' if moved == 1 else 's'} moved.")
    return redirect(url_for(".closures"))

