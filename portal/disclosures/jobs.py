"""Worker jobs of this area: making large marked copies."""
from __future__ import annotations

from ..extensions import db
from ..jobs.services import handler
from . import copies
from .models import CopyState, Grant


@handler("make_copy")
def make_copy(grant_id: int) -> None:
    grant = db.session.get(Grant, grant_id)
    if grant is not None and grant.copy_state != CopyState.ready:
        copies.make_copy(grant)


@handler("make_copy:failed")
def make_copy_failed(grant_id: int) -> None:
    grant = db.session.get(Grant, grant_id)
    if grant is not None:
        copies.fail_copy(grant, "the copy could not be prepared")


from . import bundles as _bundles  # noqa: E402,F401  (registers make_bundle)
