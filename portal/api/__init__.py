"""/api/v1: JSON over the same services as the pages, authenticated by bearer token."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import auth, clawback, disclosures, openapi, redaction, requests, screening, views  # noqa: E402,F401  (routes register on import)
