"""One path for every download (web page, API, public library): authorise, copy, log, stream."""
from __future__ import annotations

from flask import Response

from ..core.errors import Unavailable
from ..storage import NotFound as ObjectMissing
from ..storage import StorageError
from . import services
from .downloads import send_copy
from .models import CopyState, Grant


def deliver(grant: Grant, *, ip: str, user_agent: str) -> Response:
    """Raises Gone, Conflict, services.Preparing or Unavailable; never sends without a log row."""
    services.check_usable(grant)
    try:
        services.ready_copy(grant)
        try:
            return send_copy(grant, ip=ip, user_agent=user_agent)
        except ObjectMissing:
            # The stored copy vanished (cache cleared, restored backup): make it again.
            grant.copy_state = CopyState.pending
            services.ready_copy(grant)
            return send_copy(grant, ip=ip, user_agent=user_agent)
    except StorageError as exc:
        raise Unavailable("The file store cannot be reached right now. Nothing was sent; "
                          "please try again in a few minutes.") from exc
