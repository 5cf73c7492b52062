"""Signed checkpoints of the chain's head, kept outside the database.

A checkpoint is one JSON line: the head's entry id and hash, the time, and an HMAC under the audit
key. Someone who can write the database can cut the chain's tail and move the head back (the chain
then ends cleanly), but cannot change a checkpoint already written to a file or to S3; verifying
against them finds the cut, a moved head and a rewritten entry.
"""
from __future__ import annotations

import io
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from ..core.models import utcnow
from ..core.storage import storage
from ..extensions import db
from . import keys
from .models import AuditHead
from .services import Broken, canonical, walk

log = logging.getLogger(__name__)

# Objects under this prefix are the log's own: `flask storage check` leaves them alone.
S3_PREFIX = "audit-checkpoints"


def _signed_part(cp: dict) -> str:
    return canonical({"id": cp["id"], "hash": cp["hash"], "at": cp["at"], "key_id": cp["key_id"]})


def make() -> dict:
    head = db.session.get(AuditHead, 1, populate_existing=True)
    key_id, key = keys.current(current_app.config)
    cp = {"id": head.last_id, "hash": head.last_hash,
          "at": utcnow().isoformat().replace("+00:00", "Z"), "key_id": key_id}
    cp["sig"] = keys.sign(key, "checkpoint", _signed_part(cp))
    return cp


def write(path: str | None = None) -> dict:
    """Append a checkpoint of the current head to the file, and with S3 storage to its prefix too."""
    cp = make()
    line = canonical(cp) + "\n"
    target = Path(path or current_app.config["AUDIT_CHECKPOINT_FILE"])
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
    if current_app.config["STORAGE"] == "s3":
        stamp = cp["at"].replace(":", "").replace("-", "")
        storage().put_at(f"{S3_PREFIX}/{stamp}-{cp['id']}.json", io.BytesIO(line.encode()))
    return cp


def write_if_due() -> dict | None:
    """The worker's hourly checkpoint: written when the file's last one is older than
    AUDIT_CHECKPOINT_SECONDS (the file's modification time: cheap, shared by every worker that
    shares the instance folder)."""
    path = Path(current_app.config["AUDIT_CHECKPOINT_FILE"])
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        age = None
    if age is not None and age < current_app.config["AUDIT_CHECKPOINT_SECONDS"]:
        return None
    cp = write(str(path))
    db.session.rollback()  # the head was only read
    log.info("audit checkpoint at entry %s", cp["id"])
    return cp


@dataclass
class Checked:
    count: int
    checkpoints: int
    problem: str | None


def _read(path: str) -> tuple[list[dict], str | None]:
    known = keys.known(current_app.config)
    found = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                cp = json.loads(line)
                ok = keys.sign(known[cp["key_id"]], "checkpoint", _signed_part(cp)) == cp["sig"]
                cp["id"] = int(cp["id"])
            except (ValueError, KeyError, TypeError):
                ok = False
            if not ok:
                return found, (f"checkpoint line {n} of {path} is not signed by a known audit key "
                               "(forged or edited)")
            found.append(cp)
    return found, None


def verify_against(path: str) -> Checked:
    """The chain walked as `audit verify` does, then compared with every checkpoint in `path`."""
    cps, problem = _read(path)
    if problem:
        return Checked(0, len(cps), problem)
    count, broken, seen = walk({cp["id"] for cp in cps})
    head = db.session.get(AuditHead, 1)
    for cp in cps:
        if cp["id"] == 0:
            continue
        if cp["id"] in seen and seen[cp["id"]] != cp["hash"]:
            return Checked(count, len(cps), str(Broken(cp["id"], f"differs from the checkpoint of {cp['at']} "
                                                                 "(rewritten)")))
        if broken is None and head.last_id < cp["id"]:
            what = "the tail was cut" if count < cp["id"] else "the head was moved back"
            return Checked(count, len(cps), f"a checkpoint of {cp['at']} records entry {cp['id']}, but the "
                                            f"chain's head is entry {head.last_id} ({what})")
    return Checked(count, len(cps), str(broken) if broken else None)
