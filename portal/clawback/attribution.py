"""Whose copy is this? Exact match first, then the engine's informed read. Never a guess."""
from __future__ import annotations

import hashlib
import json
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app

from .. import audit, watermark
from ..auth.models import User
from ..core import storage as files
from ..core import ratelimit
from ..core.errors import Forbidden, Invalid, TooLarge, TooManyAttempts
from ..disclosures.models import Delivery, Grant
from ..extensions import db
from ..records.models import Blob, Record
from ..records.sniff import sniff
from ..watermark import Codeword, WatermarkError
from . import fingerprints, printed
from .models import Attribution

MAX_BYTES = 512 * 1024 ** 2
MAX_ORIGINALS = 25


def _match(grant: Grant, confidence: float, evidence: list[str]) -> dict:
    return {"grant_id": grant.id,
            "recipient": ({"id": grant.recipient.id, "email": grant.recipient.email}
                          if grant.recipient else {"id": None, "email": None,
                                                    "public_download": grant.public_label}),
            "record_id": grant.record_id, "tracking_number": grant.record.request.tracking_number,
            "code": grant.code, "confidence": confidence, "evidence": evidence}


def _exact(sha: str) -> list[dict]:
    grants = db.session.scalars(sa.select(Grant).where(Grant.copy_sha256 == sha).order_by(Grant.id)).all()
    out = []
    for g in grants:
        n = db.session.scalar(sa.select(sa.func.count()).select_from(Delivery).where(
            Delivery.grant_id == g.id, Delivery.copy_sha256 == sha))
        out.append(_match(g, 1.0, [
            f"The file is byte for byte the copy made for this grant (SHA-256 {sha}).",
            f"That copy was delivered {n} time(s); each delivery is in the recipient log."]))
    return out


def _originals(content_type: str, candidate: bytes) -> list[Blob]:
    """Originals the candidate may derive from, most similar first: every released
    original one of whose pages or picture windows the candidate matches (fingerprints)."""
    config = current_app.config
    if content_type in fingerprints.IMAGE_TYPES | {fingerprints.PDF, fingerprints.TEXT}:
        fingerprints.backfill(config["MARK_IN_MEMORY_MAX_BYTES"], config["UPLOAD_MAX_PIXELS"])
        found = fingerprints.probes(candidate, content_type, config["UPLOAD_MAX_PIXELS"])
        ids = fingerprints.candidates(found, MAX_ORIGINALS)
        blobs = {b.id: b for b in db.session.scalars(sa.select(Blob).where(Blob.id.in_(ids)))}
        return [blobs[i] for i in ids if i in blobs]
    # Other types (CSV, XLSX, DOCX, wrapped files) carry exact marks that need no
    # similarity to find: the most recent released originals of the same type.
    return list(db.session.scalars(
        sa.select(Blob).where(Blob.content_type == content_type,
                              Blob.id.in_(sa.select(Record.blob_id).join(Grant, Grant.record_id == Record.id)))
        .order_by(Blob.id.desc()).limit(MAX_ORIGINALS)))


def _informed(candidate: bytes, content_type: str) -> list[dict]:
    backend = files.storage()
    matches: dict[int, dict] = {}
    originals = _originals(content_type, candidate)
    for blob in originals:
        grants = {Codeword.from_text(g.code): g for g in db.session.scalars(
            sa.select(Grant).join(Grant.record).where(Record.blob_id == blob.id))}
        with backend.open(blob.key) as fh:
            original = fh.read()
        try:
            findings = watermark.read(candidate, original, blob.content_type, list(grants))
        except WatermarkError:
            continue
        for finding in findings:
            grant = grants.get(finding.codeword)
            if grant is None or grant.id in matches:
                continue
            evidence = [f"Derived from the original with SHA-256 {blob.sha256}."] + list(finding.evidence)
            evidence.append(f"Marks that verified: {', '.join(finding.marks)}; {finding.bit_errors} bit error(s); "
                            f"chance of a false match {finding.false_match_probability:.1e}.")
            matches[grant.id] = _match(grant, 1.0 - finding.false_match_probability, evidence)
    if not matches:
        matches = _printed(candidate, content_type, originals)
    return list(matches.values())


def _printed(candidate: bytes, content_type: str, originals: list[Blob]) -> dict[int, dict]:
    """Grants whose code the found file shows: a scan's QR code or footer, or a line of text."""
    if content_type == fingerprints.TEXT:
        found = printed.codes_in_text(candidate.decode("utf-8", errors="replace"))
    elif content_type in fingerprints.IMAGE_TYPES | {fingerprints.PDF}:
        found = printed.codes_in_scan(candidate, content_type, current_app.config["UPLOAD_MAX_PIXELS"])
    else:
        return {}
    if not found:
        return {}
    grants = {g.code: g for g in db.session.scalars(
        sa.select(Grant).where(Grant.code.in_(sorted({p.codeword.text for p in found}))))}
    similar = {b.id for b in originals}
    matches: dict[int, dict] = {}
    for p in found:
        grant = grants.get(p.codeword.text)
        if grant is None:
            continue
        if grant.id not in matches:
            evidence = [f"The code {grant.code} is shown on the found file; its check digits verify and it is "
                        "the code of this grant."]
            if grant.record.blob_id in similar:
                evidence.append(f"The found file's content also matches the released original "
                                f"(SHA-256 {grant.record.blob.sha256}).")
            # one printed code, CRC verified and matched against every grant: a 16-bit check
            matches[grant.id] = _match(grant, 1.0 - 2.0 ** -16, evidence)
        matches[grant.id]["evidence"].append(f"{p.how[0].upper()}{p.how[1:]}: code {p.codeword.text}.")
    return matches


def attribute(actor: User, stream: BinaryIO, *, limit: tuple[int, int] | None = None) -> dict:
    """Whose copy the found file is. `limit` (count, seconds): attributions one admin may run per
    window (each reads a whole file and may compare it with many originals)."""
    if not actor.is_admin:
        raise Forbidden("Only an administrator may attribute a found copy.")
    if limit is not None:
        bucket = f"attribution:user:{actor.id}"
        try:
            ratelimit.check(bucket, limit)
        except TooManyAttempts as exc:
            raise TooManyAttempts(f"{limit[0]} attributions in {limit[1] // 60} minutes is the most the portal "
                                  "runs for one person. Please wait before trying another file.",
                                  retry_after=limit[1]) from exc
        ratelimit.hit(bucket)
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLarge(f"Files up to {MAX_BYTES:,} bytes can be attributed.")
    if not data:
        raise Invalid("The file is empty.", fields={"file": "empty"})
    sha = hashlib.sha256(data).hexdigest()
    matches, exact, notes = _exact(sha), False, []
    if matches:
        exact = True
    elif db.session.scalar(sa.select(Blob.id).where(Blob.sha256 == sha)) is not None:
        notes.append("This is the original, unmarked file as uploaded: it carries no recipient's mark.")
    else:
        content_type = sniff(data[:8192]) or "application/octet-stream"
        matches = _informed(data, content_type)
    result = {"exact": exact, "sha256": sha, "matches": matches, "notes": notes}
    row = Attribution(actor_id=actor.id, sha256=sha, size=len(data), exact=exact, result=json.dumps(result))
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "attribution.run", f"attribution:{row.id}",
                 {"sha256": sha, "size": len(data), "exact": exact,
                  "grants": [m["grant_id"] for m in matches]})
    result["id"] = row.id
    return result
