"""Screening records before they leave: stored per file, list revision and detector setting."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from ..core import storage as files
from ..core.models import utcnow
from ..extensions import db
from ..records.models import Blob, Record
from . import lists
from .detectors import Builtins
from .matcher import Matcher
from .engine import ALWAYS_HOLD, Policy, screen_file, screen_text
from .ocr_screen import OcrBudget
from .models import ScreeningResult
from .readers import Limits

READER_VERSION = 2     # bump when a reader learns to see more: every stored result is then stale
FULL_SCREEN_JOB = "screening.full"
_MATCHERS: dict[str, Matcher] = {}


def matcher() -> Matcher:
    """The compiled lists for the current revision token: built once per token in each process.

    The token lives in the database, so a server whose cache predates another server's change
    sees a new token and rebuilds; nothing stale is ever used.
    """
    token = lists.current_token()
    found = _MATCHERS.get(token)
    if found is None:
        found = Matcher(lists.current_terms())
        if len(_MATCHERS) > 4:
            _MATCHERS.clear()
        _MATCHERS[token] = found
    return found


def policy(*, worker: bool = False) -> Policy:
    """The screen as configured. A release's screen reads only a few pages by OCR while it waits;
    the worker's (`worker=True`) reads everything."""
    cfg = current_app.config
    ocr = None
    if cfg["SCREENING_OCR"]:
        ocr = OcrBudget(None if worker else cfg["SCREENING_OCR_INLINE_PAGES"])
    own = frozenset(d.strip().lower() for d in str(cfg["SCREENING_OWN_DOMAINS"]).split(",") if d.strip())
    builtins = Builtins(ssn=cfg["SCREENING_SSN"], dob=cfg["SCREENING_DOB"],
                        personal_email=cfg["SCREENING_PERSONAL_EMAIL"], phone=cfg["SCREENING_PHONE"],
                        email_rule=cfg["SCREENING_EMAIL_RULE"], own_domains=own)
    holds = frozenset(k.strip() for k in str(cfg["SCREENING_HOLD_FINDINGS"]).split(",") if k.strip())
    return Policy(matcher(), builtins, Limits(max_bytes=cfg["SCREENING_MAX_BYTES"]), holds, ocr)


def _settings(p: Policy) -> str:
    described = {"builtins": repr(p.builtins), "limits": repr(p.limits), "holds": sorted(p.hold_findings),
                 "readers": READER_VERSION, "ocr": p.ocr is not None}
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def screen_blob(blob: Blob, p: Policy | None = None) -> dict:
    """The stored result for these bytes under the current lists and settings; made if missing."""
    p = p or policy()
    token, settings = lists.current_token(), _settings(p)
    row = db.session.scalar(sa.select(ScreeningResult).where(
        ScreeningResult.blob_id == blob.id, ScreeningResult.lists_token == token,
        ScreeningResult.settings == settings))
    if row is not None:
        return row.result
    if blob.size > p.limits.max_bytes:
        result = {"read": False, "matches": [], "total": 0, "flagged": "too_large" in p.hold_findings,
                  "findings": [{"kind": "too_large", "where": "file", "holds": "too_large" in p.hold_findings,
                                "detail": f"{blob.size:,} bytes; files over {p.limits.max_bytes:,} are not read"}]}
    else:
        with files.storage().open(blob.key) as fh:
            data = fh.read(p.limits.max_bytes + 1)
        result = screen_file(data, blob.content_type, p)
    if any(f["kind"] in ALWAYS_HOLD for f in result["findings"]):
        full_screen_later(blob.id)     # not stored: the worker screens the file whole
        return result
    _store(blob.id, token, settings, result)
    return result


def full_screen_later(blob_id: int) -> None:
    from ..jobs.models import Job, JobState
    from ..jobs.services import enqueue
    queued = db.session.scalar(sa.select(Job.id).where(Job.kind == FULL_SCREEN_JOB, Job.ref == blob_id,
                                                       Job.state.in_([JobState.queued, JobState.running])))
    if queued is None:
        enqueue(FULL_SCREEN_JOB, blob_id)


def _store(blob_id: int, token: str, settings: str, result: dict) -> None:
    """Insert unless a concurrent screen of the same bytes stored it first (both are the same)."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(ScreeningResult).values(
        blob_id=blob_id, lists_token=token, settings=settings, flagged=result["flagged"], result=result,
        screened_at=utcnow()).on_conflict_do_nothing())


@dataclass
class RecordScreen:
    record: Record
    matches: list[dict]
    findings: list[dict]
    total: int
    read: bool

    @property
    def flagged(self) -> bool:
        return bool(self.matches) or any(f.get("holds") for f in self.findings)

    def items(self) -> list[dict]:
        """Matches and holding findings, each naming its record: what a hold stores and the API shows."""
        base = {"record_id": self.record.id, "filename": self.record.filename}
        return ([{**base, **m} for m in self.matches]
                + [{**base, **f, "kind": f["kind"]} for f in self.findings if f.get("holds")])


def screen_record(record: Record, p: Policy | None = None) -> RecordScreen:
    p = p or policy()
    result = screen_blob(record.blob, p)
    matches = list(result["matches"]) + screen_text(record.filename, "filename", p)
    return RecordScreen(record, matches, list(result["findings"]), result["total"], result["read"])


def screen_records(records: list[Record]) -> list[RecordScreen]:
    p = policy()
    return [screen_record(r, p) for r in records]


def faces_in(blobs: list[Blob]) -> dict[int, int]:
    """Faces in each stored photo, by blob id: counted once per file and kept with its screening
    results (one query for the counts already kept)."""
    from .faces import FaceScanFailed, count_faces
    ids = [b.id for b in blobs]
    known = {row.blob_id: int(row.result.get("faces", 0)) for row in db.session.scalars(
        sa.select(ScreeningResult).where(ScreeningResult.blob_id.in_(ids), ScreeningResult.lists_token == "faces",
                                         ScreeningResult.settings == "faces-1"))}
    for blob in blobs:
        if blob.id in known:
            continue
        with files.storage().open(blob.key) as fh:
            data = fh.read()
        try:
            count = count_faces(data)
        except FaceScanFailed:
            count = 1   # a photo that cannot be looked at counts as showing a face: held, not passed
        _store(blob.id, "faces", "faces-1", {"faces": count, "flagged": count > 0, "matches": [], "findings": []})
        known[blob.id] = count
    return known
