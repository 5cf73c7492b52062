"""`flask storage check`: the storage and the database agree, or it says where they do not.

Two tables name stored objects: `blobs.key` (every upload: responsive records, redacted
replacements, requester attachments, files held in quarantine) and `grants.copy_key` (each
recipient's marked copy). An **orphan** is an object no row names; a **missing** blob is a row
whose object is gone; a **different** object has another size than its row says (or, with
`--hashes`, another SHA-256: read in full, for checking a restore); an **unfinished upload** is a local temporary file or an S3 multipart
upload left by a process that stopped. Objects younger than the grace period may be uploads whose
row is not committed yet: they are listed as recent, never counted as problems, never deleted.
"""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from ..storage import Storage
from . import storage as files
from .models import utcnow


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


def _referenced() -> dict[str, dict]:
    """Every key a row names, with the row that names it."""
    from ..disclosures.models import Grant
    from ..records.models import Blob
    keys = {key: {"table": "blobs", "id": i, "what": "upload", "size": size, "sha256": sha}
            for i, key, size, sha in db.session.execute(sa.select(Blob.id, Blob.key, Blob.size, Blob.sha256))}
    for i, key, size, sha in db.session.execute(sa.select(Grant.id, Grant.copy_key, Grant.copy_size,
                                                          Grant.copy_sha256).where(Grant.copy_key.is_not(None))):
        keys[key] = {"table": "grants", "id": i, "what": "marked copy (remade on its next download)",
                     "size": size, "sha256": sha}
    return keys


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


def check(backend: Storage, *, grace_seconds: int, delete_orphans: bool = False,
          hashes: bool = False) -> Report:
    report = Report(backend=backend.name, grace_seconds=grace_seconds)
    # Rows first, then the listing: an upload committed in between is a recent orphan, not a
    # missing blob.
    referenced = _referenced()
    report.rows = len(referenced)
    now = utcnow()
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


storage_cli = AppGroup("storage", help="The file store.")


@storage_cli.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--delete-orphans", is_flag=True,
              help="Delete orphans and unfinished uploads older than the grace period.")
@click.option("--hashes", is_flag=True, help="Also read every named object and compare its SHA-256 (slow).")
@click.option("--grace", type=int, default=None,
              help="Seconds an unreferenced object is left alone (default STORAGE_ORPHAN_GRACE_SECONDS).")
def check_cmd(as_json, delete_orphans, hashes, grace):
    """Orphans (objects no row names), missing and different blobs (after a restore too); exit 1 if any."""
    grace = current_app.config["STORAGE_ORPHAN_GRACE_SECONDS"] if grace is None else grace
    if grace < 0:
        raise click.BadParameter("must be 0 or more", param_hint="--grace")
    report = check(files.storage(), grace_seconds=grace, delete_orphans=delete_orphans, hashes=hashes)
    db.session.rollback()  # read-only: nothing to commit
    if as_json:
        click.echo(json.dumps(asdict(report) | {"problems": report.problems}, indent=2))
    else:
        click.echo(f"{report.backend} storage: {report.objects} object(s), {report.rows} referenced by rows")
        for title, items in (("orphan (no row names it)", report.orphans),
                             ("unfinished upload", report.unfinished),
                             ("recent, left alone (may be an upload in flight)", report.recent),
                             ("deleted", report.deleted)):
            for item in items:
                click.echo(f"  {title}: {item['key']} {item.get('upload', '')} "
                           f"({item['size']} bytes, {item['age_seconds']} s old)".replace("  (", " ("))
        for item in report.missing:
            click.echo(f"  MISSING: {item['key']} named by {item['table']} {item['id']} ({item['what']})")
        for item in report.different:
            click.echo(f"  DIFFERENT: {item['key']} named by {item['table']} {item['id']} has {item['found']}, "
                       f"expected {item['size']} bytes, SHA-256 {item['sha256']}")
        click.echo(f"{report.problems} problem(s)" if report.problems else "storage and database agree")
    if report.problems:
        sys.exit(1)
