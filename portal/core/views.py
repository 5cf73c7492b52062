from flask import Blueprint, current_app, render_template, send_from_directory

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    return render_template("home.html")


@bp.route("/favicon.ico")
def favicon():
    """For the clients that ask at the old address instead of reading the page's icon link."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml")


@bp.route("/accessibility")
def accessibility():
    return render_template("core/accessibility.html")


@bp.route("/privacy")
def privacy():
    return render_template("core/privacy.html")


@bp.route("/healthz")
def healthz():
    return {"ok": True}
