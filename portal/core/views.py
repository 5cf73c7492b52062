from flask import Blueprint, current_app, render_template, send_from_directory

from . import readiness

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
    """Liveness: the process answers. Says nothing of the database or the store (see /readyz)."""
    return {"ok": True}


@bp.route("/readyz")
def readyz():
    """Readiness: the database and the file store each answered within 2 s; else 503 naming
    what failed, so a load balancer sends traffic elsewhere."""
    checks = readiness.check()
    ready = all(v == "ok" for v in checks.values())
    return {"ready": ready, "checks": checks}, 200 if ready else 503
