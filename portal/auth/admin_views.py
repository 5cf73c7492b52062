"""Admin pages: users, departments, and mail that could not be delivered."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.errors import PortalError
from ..core.web import rollback
from ..core.permissions import admin_required
from ..extensions import db
from ..mail import outbox as outbox_files, services as mail_services
from ..mail.models import MailStatus, OutgoingMail
from . import services
from .forms import DepartmentForm, EditUserForm, EmptyForm, NewUserForm
from .models import Department, Role, User

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE = 50


def _department_choices():
    depts = db.session.scalars(sa.select(Department).order_by(Department.name)).all()
    return [("", "(none)")] + [(d.slug, d.name) for d in depts]


def _department(slug: str | None):
    if not slug:
        return None
    return db.session.scalar(sa.select(Department).where(Department.slug == slug))


@bp.route("/users")
@admin_required
def users():
    q = (request.args.get("q") or "").strip()[:200]
    role = request.args.get("role") or ""
    page = max(1, request.args.get("page", 1, type=int))
    stmt = sa.select(User)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(sa.or_(User.email.like(like), sa.func.lower(User.name).like(like)))
    if role in Role.__members__:
        stmt = stmt.where(User.role == Role(role))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(User.email).limit(PAGE).offset((page - 1) * PAGE)).all()
    form = NewUserForm()
    form.department.choices = _department_choices()
    return render_template("admin/users.html", users=rows, total=total, page=page, pages=-(-total // PAGE),
                           q=q, role=role, form=form)


@bp.route("/users", methods=["POST"])
@admin_required
def create_user():
    form = NewUserForm()
    form.department.choices = _department_choices()
    error = None
    if form.validate_on_submit():
        try:
            user = services.create_user(current_user, email=form.email.data, name=form.name.data,
                                        password=form.password.data, role=Role(form.role.data),
                                        department=_department(form.department.data), verified=True,
                                        min_password=current_app.config["PASSWORD_MIN_LENGTH"])
            flash(f"Account created for {user.email}.")
            return redirect(url_for("admin.users"))
        except PortalError as err:
            rollback()
            error = err.message
    rows = db.session.scalars(sa.select(User).order_by(User.email).limit(PAGE)).all()
    return render_template("admin/users.html", users=rows, total=len(rows), page=1, pages=1, q="",
                           role="", form=form, error=error), 400


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = EditUserForm(obj=None if request.method == "POST" else user)
    form.department.choices = _department_choices()
    if request.method == "GET":
        form.role.data = user.role.value
        form.department.data = user.department.slug if user.department else ""
        form.active.data = user.active
    error, status = None, 200
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, role=Role(form.role.data),
                                 department=_department(form.department.data),
                                 active=bool(form.active.data))
            flash("Saved.")
            return redirect(url_for("admin.edit_user", user_id=user.id))
        except PortalError as err:
            rollback()
            error, status = err.message, err.status
    elif request.method == "POST":
        status = 400
    return render_template("admin/user.html", user=user, form=form, error=error), status


@bp.route("/departments", methods=["GET", "POST"])
@admin_required
def departments():
    form = DepartmentForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            services.create_department(current_user, slug=form.slug.data, name=form.name.data,
                                       law=form.law.data)
            flash("Department added.")
            return redirect(url_for("admin.departments"))
        except PortalError as err:
            rollback()
            error, status = err.message, err.status
    elif request.method == "POST":
        status = 400
    rows = db.session.scalars(sa.select(Department).order_by(Department.name)).all()
    return render_template("admin/departments.html", departments=rows, form=form, error=error), status


@bp.route("/mail")
@admin_required
def mail():
    rows = db.session.scalars(
        sa.select(OutgoingMail).where(OutgoingMail.status != MailStatus.sent)
        .order_by(OutgoingMail.id.desc()).limit(200)).all()
    return render_template("admin/mail.html", rows=rows, form=EmptyForm(),
                           smtp=bool(current_app.config.get("SMTP_URL")))


@bp.route("/outbox")
@bp.route("/outbox/<name>")
@admin_required
def outbox(name: str | None = None):
    """The local mail viewer: only when mail is written to the outbox folder, not sent."""
    if current_app.config.get("SMTP_URL"):
        abort(404)
    folder = current_app.config["OUTBOX_DIR"]
    shown = outbox_files.one(folder, name) if name else None
    if name and shown is None:
        abort(404)
    return render_template("admin/outbox.html", rows=outbox_files.latest(folder), shown=shown, folder=folder)


@bp.route("/mail/<int:mail_id>/retry", methods=["POST"])
@admin_required
def retry_mail(mail_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    mail_services.retry(mail_id)
    flash("The message is queued again.")
    return redirect(url_for("admin.mail"))
