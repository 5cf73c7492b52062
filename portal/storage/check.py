"""Whether a store and the rows that name its objects agree, or where they do not.

The rows come as a mapping from key to what names it (each area contributes the keys its tables
own: `portal/storage/cli.py`); nothing here knows a table. An **orphan** is an object no row
names; a **missing** object is a row whose object is gone; a **different** object has another
size than its row says (or, with `hashes`, another SHA-256: read in full, for checking a
restore); an **unfinished upload** is a local temporary file or an S3 multipart upload left by a
process that stopped. Objects younger than the grace period may be uploads whose row is not
committed yet: they are listed as recent, never counted as problems, never deleted.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from .base import Storage


@dataclass
class Report:
    backend: str
    grace_seconds: int
    objects: int = 0
    rows: int = 0
    orphans: list[dict] = field(default_factory=list)
    unfinished: list[dict] = field(default_factory=list)
    recent: list[dict] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)
    different: list[dict] = field(default_factory=list)
    deleted: list[dict] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return len(self.orphans) + len(self.unfinished) + len(self.missing) + len(self.different)


def _sha256(backend: Storage, key: str) -> str:
    digest = hashlib.sha256()
    with backend.open(key) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _entry(item, now: datetime) -> dict:
    out = {"key": item.key, "size": item.size, "modified": item.modified.isoformat(),
           "age_seconds": int((now - item.modified).total_seconds())}
    if item.partial:
        out["upload"] = item.partial
    return out


# Objects no row names by design: the audit log's checkpoints (portal.audit.checkpoints.S3_PREFIX).
KEPT_PREFIXES = ("audit-checkpoints/",)


def check(backend: Storage, referenced: Callable[[], dict[str, dict]], *, grace_seconds: int,
          delete_orphans: bool = False, hashes: bool = False) -> Report:
    """`referenced()` gives every key a row names, with a description of that row: "table", "id",
    "what", and the "size" and "sha256" the object should have (None: not known)."""
    report = Report(backend=backend.name, grace_seconds=grace_seconds)
    # Rows first, then the listing: an upload committed in between is a recent orphan, not a
    # missing blob.
    referenced = referenced()
    report.rows = len(referenced)
    now = datetime.now(timezone.utc)
    cutoff = now - timedelta(seconds=grace_seconds)
    seen: set[str] = set()
    for item in backend.iter_objects():
        if item.key.startswith(KEPT_PREFIXES):
            continue
        report.objects += 1
        seen.add(item.key)
        row = referenced.get(item.key)
        if row is not None:
            if row["size"] is not None and item.size != row["size"]:
                report.different.append({"key": item.key, **row, "found": f"{item.size} bytes"})
            elif hashes and row["sha256"] and _sha256(backend, item.key) != row["sha256"]:
                report.different.append({"key": item.key, **row, "found": "another SHA-256"})
            continue
        entry = _entry(item, now)
        if item.modified > cutoff:
            report.recent.append(entry)
        elif delete_orphans:
            backend.delete(item.key)
            report.deleted.append(entry)
        else:
            report.orphans.append(entry)
    for item in backend.iter_partial():
        entry = _entry(item, now)
        if item.modified > cutoff:
            report.recent.append(entry)
        elif delete_orphans:
            backend.delete_partial(item)
            report.deleted.append(entry)
        else:
            report.unfinished.append(entry)
    for key in sorted(set(referenced) - seen):
        if not backend.exists(key):  # not merely written after the listing passed it
            report.missing.append({"key": key, **referenced[key]})
    return report
