"""Worker jobs of this area: making large marked copies."""
from __future__ import annotations

from ..extensions import db
from ..jobs.services import handler
from ..records.models import Blob
from ..screening import holds, services as screening
from ..screening.engine import ALWAYS_HOLD
from . import copies
from .models import CopyState, Grant
from .services import release_cleared_hold


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


@handler(screening.FULL_SCREEN_JOB)
def screen_whole_file(blob_id: int) -> None:
    """Screen a file whole (OCR of every page), then act on the releases held while it waited:
    released when nothing else holds them, still held (with what was found) otherwise."""
    blob = db.session.get(Blob, blob_id)
    if blob is None:
        return
    result = screening.screen_blob(blob, screening.policy(worker=True))
    unread = [f["detail"] for f in result["findings"] if f["kind"] in ALWAYS_HOLD]
    if unread:   # the job is retried with backoff; the hold stays, saying why
        raise RuntimeError("the file could not be screened whole: " + "; ".join(unread))
    for hold in holds.waiting_on(blob_id):
        if holds.recheck(hold):
            release_cleared_hold(hold)


from . import bundles as _bundles  # noqa: E402,F401  (registers make_bundle)
