"""Login, logout, registration, e-mail confirmation, password reset and the account page."""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, session,
                   url_for)
from flask_login import current_user, login_required, login_user, logout_user

from ..core.errors import PortalError
from ..core.web import rollback
from ..core.http import client_ip, user_agent
from ..extensions import db, login_manager
from . import services
from .forms import ChangePasswordForm, EmptyForm, LoginForm, RegisterForm, ResetForm, ResetRequestForm, TokenForm
from .models import ApiToken

bp = Blueprint("auth", __name__)


def install_login(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."

    @login_manager.user_loader
    def load(token: str):
        cfg = current_app.config
        return services.load_session(token, idle_minutes=cfg["SESSION_IDLE_MINUTES"],
                                     absolute_hours=cfg["SESSION_ABSOLUTE_HOURS"])


def _form_error(form, err: PortalError):
    rollback()
    for name, msg in err.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + [msg if isinstance(msg, str) else str(msg)]
    return err.message


def landing_for(user) -> str:
    """Where each role lands after logging in: its own workspace, not the public home page."""
    return "workspace.admin_home" if user.is_admin else "workspace.staff_home" if user.is_staff else "requests.mine"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data, ip=client_ip(),
                                     limits=current_app.config)
        if user is None:
            error = "That e-mail address and password do not match an active account."
        else:
            session.clear()
            services.start_session(user, ip=client_ip(), user_agent=user_agent())
            login_user(user)
            return redirect(url_for(landing_for(user)))
    return render_template("auth/login.html", form=form, error=error), 200 if error is None else 401


@bp.route("/logout", methods=["POST"])
def logout():
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        services.end_session(current_user, current_user.get_id())
        logout_user()
        session.clear()
        flash("You are logged out.")
    return redirect(url_for("core.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        cfg = current_app.config
        try:
            services.register(email=form.email.data, name=form.name.data, password=form.password.data,
                              secret=cfg["SECRET_KEY"], base_url=cfg["BASE_URL"],
                              min_password=cfg["PASSWORD_MIN_LENGTH"])
        except PortalError as err:
            return render_template("auth/register.html", form=form, error=_form_error(form, err)), 400
        return render_template("auth/check_mail.html", email=form.email.data)
    return render_template("auth/register.html", form=form), 200 if not form.errors else 400


@bp.route("/verify/<token>")
def verify(token: str):
    cfg = current_app.config
    services.verify_email(cfg["SECRET_KEY"], token, cfg["VERIFY_TOKEN_MAX_AGE"])
    flash("Thank you: your e-mail address is confirmed.")
    return redirect(url_for("auth.login" if not current_user.is_authenticated else "core.home"))


@bp.route("/verify", methods=["POST"])
@login_required
def resend_verification():
    if EmptyForm().validate_on_submit() and current_user.email_verified_at is None:
        cfg = current_app.config
        services.send_verification(current_user, secret=cfg["SECRET_KEY"], base_url=cfg["BASE_URL"])
        flash("We sent a new confirmation link to your e-mail address.")
    return redirect(url_for("auth.account"))


RESET_SENT = ("If an account uses that address, we have sent it a link to reset the password. "
              "The link works once, for one hour.")


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        cfg = current_app.config
        services.request_reset(form.email.data, ip=client_ip(), secret=cfg["SECRET_KEY"],
                               base_url=cfg["BASE_URL"], limit=cfg["RESET_LIMIT"])
        return render_template("auth/reset_request.html", form=None, sent=RESET_SENT)
    return render_template("auth/reset_request.html", form=form, sent=None)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    cfg = current_app.config
    user = services.user_for_reset(cfg["SECRET_KEY"], token, cfg["RESET_TOKEN_MAX_AGE"])
    form = ResetForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, user, form.password.data, cfg["PASSWORD_MIN_LENGTH"])
        except PortalError as err:
            return render_template("auth/reset.html", form=form, error=_form_error(form, err)), 400
        if user.email_verified_at is None:
            services.verify_email(cfg["SECRET_KEY"], services.verification_token(cfg["SECRET_KEY"], user),
                                  cfg["VERIFY_TOKEN_MAX_AGE"])
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        flash("Your password is changed. Please log in with the new one.")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


def _account_page(pw_form=None, token_form=None, new_token=None, error=None, status=200):
    tokens = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == current_user.id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()
    return render_template("auth/account.html", pw_form=pw_form or ChangePasswordForm(),
                           token_form=token_form or TokenForm(), tokens=tokens, new_token=new_token,
                           error=error, action_form=EmptyForm()), status


@bp.route("/account")
@login_required
def account():
    return _account_page()


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _account_page(pw_form=form, status=400)
    try:
        services.change_password(current_user, form.current_password.data, form.password.data,
                                 current_app.config["PASSWORD_MIN_LENGTH"])
    except PortalError as err:
        return _account_page(pw_form=form, error=_form_error(form, err), status=400)
    logout_user()
    session.clear()
    flash("Your password is changed and every session was ended. Please log in again.")
    return redirect(url_for("auth.login"))


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _account_page(token_form=form, status=400)
    _, secret = services.create_token(current_user, current_user, form.name.data)
    return _account_page(new_token=secret)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.revoke_token(current_user, token_id)
    flash("The token is revoked.")
    return redirect(url_for("auth.account"))
