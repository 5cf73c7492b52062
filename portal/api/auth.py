"""Bearer-token authentication: every call carries `Authorization: Bearer TOKEN`."""
from __future__ import annotations

from flask import g, request

from ..auth import services
from ..core.errors import Forbidden, Unauthorized
from . import bp


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":  # the API's description is public
        return
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send a personal API token: Authorization: Bearer TOKEN.")
    user = services.user_for_token(secret.strip())
    if user is None:
        raise Unauthorized("That API token is not valid, or was revoked.")
    g.actor = user


def actor():
    return g.actor


def require_staff():
    if not g.actor.is_staff:
        raise Forbidden("Only staff may do this.")


def require_admin():
    if not g.actor.is_admin:
        raise Forbidden("Only an administrator may do this.")
