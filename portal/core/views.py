from flask import Blueprint, render_template

from . import readiness

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    return render_template("home.html")


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
